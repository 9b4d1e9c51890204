import pytest

from webhooks import services

from .receiver import receiver  # noqa: F401  (the fixture)


@pytest.fixture
def subscribe(manager, receiver):  # noqa: F811
    """Subscribe the test's receiver (JSON, all events unless told) as the manager."""

    def make(**fields):
        fields.setdefault("url", receiver.url())
        fields.setdefault("events", ["*"])
        return services.create_subscription(by=manager, **fields)

    return make
