"""The admin shows each file's name, size and type, on its own list and on its entry's page."""

import pytest

from tests.attachments.conftest import upload
from tests.factories import UserFactory
from updates import services

pytestmark = pytest.mark.django_db


def test_the_admin_lists_files_with_name_size_and_type(client, agent, ticket):
    entry = services.add_internal_note(
        ticket, author=agent, body="n", attachments=[upload("router.conf", b"x" * 3000)]
    )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    listing = client.get("/admin/attachments/attachment/").content.decode()
    assert "router.conf" in listing
    assert "2.9\xa0KB" in listing
    assert "text/plain" in listing
    entry_page = client.get(f"/admin/updates/timelineentry/{entry.pk}/change/").content.decode()
    assert "router.conf" in entry_page
