"""The ticket page, the portal's ticket page and the API's timeline read every entry's files in
one query: their query counts do not grow with the number of attachments."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.attachments.conftest import PNG, upload
from tests.tickets.helpers import client_for, owned_ticket
from updates import services

pytestmark = pytest.mark.django_db


def queries(fetch) -> int:
    fetch()  # warm caches (sessions, content types) so both counts measure the same work
    with CaptureQueriesContext(connection) as context:
        response = fetch()
    assert response.status_code == 200
    return len(context)


def add_files(ticket, agent, *, posts: int, files: int) -> None:
    """`posts` public updates and as many notes, each with `files` files: more entries with files
    and more files per entry, so neither a query per entry nor one per file goes unnoticed."""
    for post in range(posts):
        services.post_public_update(
            ticket,
            author=agent,
            body="Files",
            attachments=[upload(f"f{post}-{n}.png", PNG) for n in range(files)],
        )
        services.add_internal_note(
            ticket,
            author=agent,
            body="More",
            attachments=[upload(f"n{post}-{n}.txt") for n in range(files)],
        )


@pytest.fixture
def three_tickets(agent, contact):
    """The same eight entries with no file, then two entries with one file each, then eight
    entries with three files each."""
    none, few, many = (
        owned_ticket(agent, requester=contact, organization=contact.organization) for _ in range(3)
    )
    add_files(none, agent, posts=4, files=0)
    add_files(few, agent, posts=1, files=1)
    add_files(many, agent, posts=4, files=3)
    return none, few, many


def test_the_staff_ticket_page(agent, three_tickets):
    client = client_for(agent)
    counts = {queries(lambda t=t: client.get(f"/tickets/{t.pk}/")) for t in three_tickets}
    assert len(counts) == 1, counts
    assert "f3-2.png" in client.get(f"/tickets/{three_tickets[2].pk}/").content.decode()


def test_the_portal_ticket_page(contact, three_tickets):
    client = client_for(contact)
    pages = [reverse("portal:ticket", args=[t.pk]) for t in three_tickets]
    counts = {queries(lambda p=p: client.get(p)) for p in pages}
    assert len(counts) == 1, counts
    assert "f3-2.png" in client.get(pages[2]).content.decode()


def test_the_api_timeline(agent, three_tickets, api_client_for):
    client = api_client_for(agent)
    urls = [f"/api/v1/tickets/{t.pk}/updates/" for t in three_tickets]
    counts = {queries(lambda u=u: client.get(u)) for u in urls}
    assert len(counts) == 1, counts
