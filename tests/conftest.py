import pytest
from django.core.cache import cache

from tests.factories import AgentFactory, ContactFactory, ManagerFactory, OrganizationFactory


@pytest.fixture
def organization(db):
    return OrganizationFactory(name="Northwind Traders", timezone="Europe/London")


@pytest.fixture
def agent(db):
    return AgentFactory(name="Alice Agent", email="alice@msp.test")


@pytest.fixture
def other_agent(db):
    return AgentFactory(name="Bob Agent", email="bob@msp.test")


@pytest.fixture
def manager(db):
    return ManagerFactory(name="Morgan Manager", email="morgan@msp.test")


@pytest.fixture
def contact(organization):
    return ContactFactory(
        name="Priya Customer", email="priya@northwind.test", organization=organization
    )


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters (the API's, the sign-in emails') live in the cache, a per-process
    memory cache in tests: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Factories hash a password per user; PBKDF2 made big fixtures take seconds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _staff_two_factor_not_required(settings):
    """Managers must enrol in two-factor by default (STAFF_2FA_REQUIRED_ROLES); tests that are
    not about sign-in keep the v1 behaviour, as API.md allows a test harness. The sign-in tests
    (tests/accounts/test_two_factor*.py) set the roles they test."""
    settings.STAFF_2FA_REQUIRED_ROLES = []


# The Playwright fixtures (tests/browser.py) for every test package's browser tests.
from tests.browser import browser, new_page, signed_in_page  # noqa: E402, F401


@pytest.fixture
def attachment_dir(settings, tmp_path):
    """Attachments stored in this test's own directory, to look at what was written."""
    location = tmp_path / "attachments"
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location)},
        },
    }
    return location
