"""Files from the staff composer and the portal's forms (plain posts, as without JavaScript),
shown with name, size and type on the timeline and the conversation; an internal note's files
never on a customer's page."""

import html

import pytest
from django.urls import reverse

from attachments.models import Attachment
from tests.attachments.conftest import PNG, upload
from tests.tickets.helpers import client_for, htmx, owned_ticket
from updates import services
from updates.models import EntryKind, TimelineEntry

pytestmark = pytest.mark.django_db


def post_update(client, ticket, files, **fields):
    data = {"body": "We are on it.", "promise": "default", "status": ticket.status, **fields}
    return client.post(f"/tickets/{ticket.pk}/updates/public/", {**data, "attachments": files})


def test_the_composer_sends_a_public_update_with_its_files(agent):
    ticket = owned_ticket(agent)
    response = post_update(
        client_for(agent), ticket, [upload("spooler.log", b"x" * 2048), upload("s.png", PNG)]
    )
    assert response.status_code == 302
    entry = TimelineEntry.objects.get(ticket=ticket, kind=EntryKind.PUBLIC_UPDATE)
    assert [a.filename for a in entry.attachments.all()] == ["spooler.log", "s.png"]

    page = client_for(agent).get(f"/tickets/{ticket.pk}/").content.decode()
    for attachment in entry.attachments.all():
        assert f'href="/api/v1/attachments/{attachment.pk}/"' in page
    assert "spooler.log" in page
    assert "2.0\xa0KB · text" in page
    assert "PNG image" in page
    assert 'class="attachment-thumb"' in page


def test_an_internal_note_takes_files_and_the_customer_never_sees_them(agent, contact):
    ticket = owned_ticket(agent, requester=contact, organization=contact.organization)
    response = client_for(agent).post(
        f"/tickets/{ticket.pk}/updates/note/",
        {"body": "Vendor case file", "attachments": [upload("CANARY-note.txt")]},
    )
    assert response.status_code == 302, response.content[:500]
    assert Attachment.objects.get().entry.kind == EntryKind.INTERNAL_NOTE
    assert "CANARY-note.txt" in client_for(agent).get(f"/tickets/{ticket.pk}/").content.decode()
    portal_page = client_for(contact).get(reverse("portal:ticket", args=[ticket.pk]))
    assert portal_page.status_code == 200
    assert b"CANARY-note" not in portal_page.content
    assert b"/api/v1/attachments/" not in portal_page.content


@pytest.mark.parametrize("headers", [{}, htmx()], ids=["plain", "htmx"])
def test_a_file_over_the_limit_keeps_the_text_and_writes_nothing(agent, settings, headers):
    settings.ATTACHMENT_MAX_BYTES = 100
    ticket = owned_ticket(agent)
    before = TimelineEntry.objects.filter(ticket=ticket).count()
    response = client_for(agent).post(
        f"/tickets/{ticket.pk}/updates/public/",
        {
            "body": "Typed with care",
            "promise": "default",
            "status": ticket.status,
            "attachments": [upload("huge.log", b"z" * 500)],
        },
        **headers,
    )
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert "huge.log is larger than 100\xa0bytes" in page
    assert "Typed with care" in page
    assert "choose the files again" in page
    # The message is tied to the field for screen readers.
    assert 'aria-describedby="public-attachments_helptext public-attachments_errors"' in page
    assert 'id="public-attachments_errors"' in page
    assert TimelineEntry.objects.filter(ticket=ticket).count() == before
    assert Attachment.objects.count() == 0


def test_a_portal_reply_carries_files(client, contact, agent):
    ticket = owned_ticket(agent, requester=contact, organization=contact.organization)
    client.force_login(contact)
    response = client.post(
        reverse("portal:reply", args=[ticket.pk]),
        {"body": "Screenshot attached", "attachments": [upload("error.png", PNG)]},
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.entry.kind == EntryKind.CUSTOMER_REPLY
    page = client.get(reverse("portal:ticket", args=[ticket.pk])).content.decode()
    assert "error.png" in page
    assert f'src="/api/v1/attachments/{attachment.pk}/preview/"' in page
    assert client.get(f"/api/v1/attachments/{attachment.pk}/").status_code == 200


def test_a_portal_reply_refused_for_a_blocked_file_keeps_the_text(client, contact, agent):
    ticket = owned_ticket(agent, requester=contact, organization=contact.organization)
    client.force_login(contact)
    response = client.post(
        reverse("portal:reply", args=[ticket.pk]),
        {"body": "Please run this", "attachments": [upload("fix.bat", b"@echo off")]},
    )
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert "fix.bat: .bat files cannot be attached" in page
    assert "Please run this" in page
    assert Attachment.objects.count() == 0


def test_a_new_portal_request_keeps_its_files_on_the_opening_entry(client, contact):
    client.force_login(contact)
    response = client.post(
        reverse("portal:new_request"),
        {
            "subject": "Tills won't print",
            "description": "See the photo.",
            "impact": "team_stopped",
            "urgency": "within_hours",
            "people_affected": "6",
            "preferred_contact": "email",
            "needed_by": "",
            "attachments": [upload("till.png", PNG)],
        },
    )
    assert response.status_code == 302, response.content[:2000]
    attachment = Attachment.objects.get()
    assert attachment.entry.event == "opened"
    page = client.get(reverse("portal:ticket", args=[attachment.ticket_id])).content.decode()
    assert "till.png" in page


def test_another_organisation_never_sees_a_file_link(client, contact, agent):
    from tests.factories import ContactFactory, OrganizationFactory

    ticket = owned_ticket(agent, requester=contact, organization=contact.organization)
    services.post_public_update(
        ticket, author=agent, body="Log", attachments=[upload("CANARY-public.txt")]
    )
    outsider = ContactFactory(organization=OrganizationFactory())
    client.force_login(outsider)
    response = client.get(reverse("portal:ticket", args=[ticket.pk]))
    assert response.status_code == 404
    assert b"CANARY" not in response.content


def test_an_empty_file_is_refused_in_our_words(client, contact, agent):
    ticket = owned_ticket(agent, requester=contact, organization=contact.organization)
    client.force_login(contact)
    response = client.post(
        reverse("portal:reply", args=[ticket.pk]),
        {"body": "Attached", "attachments": [upload("empty.txt", b"")]},
    )
    assert response.status_code == 400
    assert "One of the files is empty" in html.unescape(response.content.decode())
    assert Attachment.objects.count() == 0


def test_a_filename_with_markup_is_shown_as_text_on_both_pages(agent, contact):
    ticket = owned_ticket(agent, requester=contact, organization=contact.organization)
    name = '<b onmouseover="alert(1)">bold & brave.txt'
    services.post_public_update(ticket, author=agent, body="File", attachments=[upload(name)])
    pages = [
        client_for(agent).get(f"/tickets/{ticket.pk}/").content.decode(),
        client_for(contact).get(reverse("portal:ticket", args=[ticket.pk])).content.decode(),
    ]
    for page in pages:
        assert (
            '<span class="attachment-name">&lt;b onmouseover=&quot;alert(1)&quot;&gt;bold '
            "&amp; brave.txt</span>"
        ) in page
        assert "<b onmouseover" not in page
