"""The ticket page composer: public updates with their next promise, internal notes, the preview
of the customer's email, and the vendor-mention hold."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.factories import TicketFactory
from tests.tickets.helpers import client_for, htmx, owned_ticket
from tickets.models import Status, Ticket
from updates import services as update_services
from updates.keeper.messages import render_email
from updates.models import EntryKind, OutboxKind, OutboxMessage, TimelineEntry

pytestmark = pytest.mark.django_db

# A Tuesday mid-morning in London (the test organisation's time zone), inside business hours.
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)


def post_update(client, ticket, **fields):
    data = {"body": "We are on it.", "promise": "default", "status": ticket.status}
    data.update(fields)
    return client.post(f"/tickets/{ticket.pk}/updates/public/", data)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def test_public_update_with_a_quick_pick_sets_the_promise(agent, frozen):
    ticket = owned_ticket(agent)
    response = post_update(
        client_for(agent), ticket, body="Replacing the switch now.", promise="30m"
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.next_update_due == frozen + timedelta(minutes=30)
    entry = TimelineEntry.objects.get(ticket=ticket, kind=EntryKind.PUBLIC_UPDATE)
    assert entry.is_public
    assert entry.body == "Replacing the switch now."


@pytest.mark.parametrize(
    ("pick", "delta"), [("1h", timedelta(hours=1)), ("2h", timedelta(hours=2))]
)
def test_hour_quick_picks(agent, frozen, pick, delta):
    ticket = owned_ticket(agent)
    post_update(client_for(agent), ticket, promise=pick)
    assert Ticket.objects.get(pk=ticket.pk).next_update_due == frozen + delta


def offered_picks(content: str) -> list[str]:
    return [part.split('"', 1)[0] for part in content.split('name="promise" value="')[1:]]


@pytest.mark.parametrize(
    ("impact", "urgency", "picks"),
    [
        # P1 updates every 30 minutes: "+30 min" would repeat the cadence default's time.
        (1, 1, ["default", "1h", "2h", "tomorrow-9", "custom"]),
        # P2 every 2 hours: "+2 h" is the default.
        (2, 2, ["default", "30m", "1h", "tomorrow-9", "custom"]),
        # P3 every business day: every time differs.
        (3, 3, ["default", "30m", "1h", "2h", "tomorrow-9", "custom"]),
    ],
)
def test_composer_offers_each_time_once(agent, frozen, impact, urgency, picks):
    ticket = owned_ticket(agent, impact=impact, urgency=urgency)
    content = client_for(agent).get(f"/tickets/{ticket.pk}/").content.decode()
    assert offered_picks(content) == picks


def test_a_pick_left_out_as_a_repeat_is_still_accepted(agent, frozen):
    ticket = owned_ticket(agent, impact=1, urgency=1)
    response = post_update(client_for(agent), ticket, promise="30m")
    assert response.status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).next_update_due == frozen + timedelta(minutes=30)


def test_tomorrow_nine_is_on_the_customers_clock(agent, frozen, organization):
    organization.timezone = "America/New_York"
    organization.save()
    ticket = owned_ticket(agent, organization=organization)
    post_update(client_for(agent), ticket, promise="tomorrow-9")
    # 09:00 EDT on Wednesday 11 March 2026 is 13:00 UTC.
    assert Ticket.objects.get(pk=ticket.pk).next_update_due == datetime(
        2026, 3, 11, 13, 0, tzinfo=UTC
    )


def test_default_pick_uses_the_cadence(agent, frozen):
    ticket = owned_ticket(agent, impact=1, urgency=1)  # P1: an update every 30 minutes
    post_update(client_for(agent), ticket, promise="default")
    assert Ticket.objects.get(pk=ticket.pk).next_update_due == frozen + timedelta(minutes=30)


def test_custom_time_is_read_in_the_agents_time_zone(agent, frozen):
    agent.timezone = "Europe/Paris"
    agent.save()
    ticket = owned_ticket(agent)
    post_update(client_for(agent), ticket, promise="custom", custom_due="2026-03-10T15:45")
    assert Ticket.objects.get(pk=ticket.pk).next_update_due == datetime(
        2026, 3, 10, 14, 45, tzinfo=UTC
    )


def test_custom_pick_without_a_time_keeps_the_text_and_writes_nothing(agent, frozen):
    ticket = owned_ticket(agent)
    due_before = ticket.next_update_due
    response = client_for(agent).post(
        f"/tickets/{ticket.pk}/updates/public/",
        {"body": "Half-written update", "promise": "custom", "status": ticket.status},
        **htmx(),
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "Choose the date and time of the next update." in content
    assert "Half-written update" in content
    assert not TimelineEntry.objects.filter(kind=EntryKind.PUBLIC_UPDATE).exists()
    assert Ticket.objects.get(pk=ticket.pk).next_update_due == due_before


def test_a_custom_time_in_the_past_is_refused(agent, frozen):
    ticket = owned_ticket(agent)
    response = post_update(
        client_for(agent), ticket, promise="custom", custom_due="2026-03-10T09:00"
    )
    assert response.status_code == 400
    assert "already passed" in response.content.decode()
    assert not TimelineEntry.objects.filter(kind=EntryKind.PUBLIC_UPDATE).exists()


def test_an_empty_update_is_refused(agent):
    ticket = owned_ticket(agent)
    response = post_update(client_for(agent), ticket, body="   ")
    assert response.status_code == 400
    assert "body" in response.context["public_form"].errors
    assert not TimelineEntry.objects.filter(kind=EntryKind.PUBLIC_UPDATE).exists()


def test_waiting_on_the_customer_owes_nothing_whatever_was_picked(agent, frozen):
    ticket = owned_ticket(agent)
    response = post_update(
        client_for(agent),
        ticket,
        body="Could you send a photo of the error?",
        promise="2h",
        status=Status.WAITING_ON_CUSTOMER,
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.status == Status.WAITING_ON_CUSTOMER
    assert ticket.next_update_due is None


def test_update_with_htmx_refreshes_the_page_body_and_the_countdown(agent, frozen):
    ticket = owned_ticket(agent)
    response = client_for(agent).post(
        f"/tickets/{ticket.pk}/updates/public/",
        {"body": "Fixed the relay.", "promise": "1h", "status": ticket.status},
        **htmx(),
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith('<div id="ticket-body"')
    assert "Update sent to the customer." in content
    assert "in 1 h" in content
    assert f'data-due="{(frozen + timedelta(hours=1)).isoformat()}"' in content


def test_the_update_can_also_set_the_eta(agent, frozen):
    ticket = owned_ticket(agent)
    post_update(client_for(agent), ticket, eta="2026-03-11T16:00")
    assert Ticket.objects.get(pk=ticket.pk).eta == datetime(2026, 3, 11, 16, 0, tzinfo=UTC)


def test_preview_shows_recipients_subject_and_the_promise_and_sends_nothing(agent, contact, frozen):
    ticket = owned_ticket(agent, organization=contact.organization, requester=contact)
    response = post_update(
        client_for(agent), ticket, body="We are replacing the disk.", promise="2h", action="preview"
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Priya Customer &lt;priya@northwind.test&gt;" in content
    assert f"[{ticket.reference}] Update: {ticket.subject}" in content
    assert "We are replacing the disk." in content
    # 12:00 UTC is 12:00 in London in March (GMT).
    assert "Next update by 12:00 your time, or sooner." in content
    assert not TimelineEntry.objects.filter(kind=EntryKind.PUBLIC_UPDATE).exists()


def test_htmx_preview_answers_only_the_preview(agent, contact, frozen):
    ticket = owned_ticket(agent, organization=contact.organization, requester=contact)
    response = client_for(agent).post(
        f"/tickets/{ticket.pk}/updates/preview/",
        {
            "body": "Resolved: the printer has a new fuser.",
            "promise": "default",
            "status": "resolved",
        },
        **htmx(),
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith('<div id="composer-preview"')
    assert f"[{ticket.reference}] Resolved: {ticket.subject}" in content
    assert "How did we do?" in content
    assert "Next update by" not in content


@pytest.mark.parametrize(
    ("status", "promise", "eta"),
    [("open", "2h", ""), ("waiting_on_customer", "default", ""), ("resolved", "default", "")],
)
def test_preview_is_exactly_the_email_the_customer_then_receives(
    agent, contact, frozen, status, promise, eta
):
    ticket = owned_ticket(agent, organization=contact.organization, requester=contact)
    data = {
        "body": "The new switch is in.\n\nWe are moving the cables now.",
        "promise": promise,
        "status": status,
        "eta": eta,
    }
    client = client_for(agent)
    preview = client.post(f"/tickets/{ticket.pk}/updates/preview/", data, **htmx()).context[
        "preview"
    ]
    assert client.post(f"/tickets/{ticket.pk}/updates/public/", data).status_code == 302

    message = OutboxMessage.objects.get(
        ticket=ticket, kind__in=[OutboxKind.CUSTOMER_UPDATE, OutboxKind.CUSTOMER_RESOLUTION]
    )
    email = render_email(message, now=frozen)
    assert preview.body == email.text
    assert preview.subject == email.subject
    assert preview.recipients == [f"{contact.name} <{contact.email}>"]
    assert message.recipient == contact


def test_preview_warns_when_nobody_will_be_emailed(agent, frozen):
    ticket = owned_ticket(agent, requester=None)
    response = post_update(client_for(agent), ticket, action="preview")
    assert "nobody is emailed" in response.content.decode()


def test_an_update_blaming_a_supplier_is_held_until_confirmed(agent, frozen, monkeypatch):
    monkeypatch.setattr(
        update_services,
        "public_update_checks",
        [lambda ticket, body: ["Contoso"] if "Contoso" in body else []],
    )
    ticket = owned_ticket(agent)
    client = client_for(agent)
    response = post_update(client, ticket, body="Contoso broke the router.")
    assert response.status_code == 400
    content = response.content.decode()
    assert "Held back" in content
    assert "Contoso" in content
    assert not TimelineEntry.objects.filter(kind=EntryKind.PUBLIC_UPDATE).exists()

    response = post_update(
        client, ticket, body="Contoso broke the router.", confirm_vendor_mention="on"
    )
    assert response.status_code == 302
    assert TimelineEntry.objects.filter(kind=EntryKind.PUBLIC_UPDATE).count() == 1


def test_internal_note_is_staff_only_and_keeps_no_promise(agent, frozen):
    ticket = owned_ticket(agent)
    due_before = ticket.next_update_due
    client = client_for(agent)
    response = client.post(f"/tickets/{ticket.pk}/updates/note/", {"body": "Checked the logs."})
    assert response.status_code == 302
    note = TimelineEntry.objects.get(ticket=ticket, kind=EntryKind.INTERNAL_NOTE)
    assert note.is_public is False
    assert Ticket.objects.get(pk=ticket.pk).next_update_due == due_before
    assert "Internal note added" in client.get(f"/tickets/{ticket.pk}/").content.decode()


def test_an_empty_internal_note_is_refused_in_place(agent):
    ticket = owned_ticket(agent)
    response = client_for(agent).post(f"/tickets/{ticket.pk}/updates/note/", {"body": ""}, **htmx())
    assert response.status_code == 400
    assert 'aria-selected="true" data-tab="note"' in response.content.decode()
    assert not TimelineEntry.objects.filter(kind=EntryKind.INTERNAL_NOTE).exists()


def test_a_public_update_on_an_unowned_ticket_makes_the_author_owner(agent):
    ticket = TicketFactory()
    post_update(client_for(agent), ticket)
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.owner == agent
    assert ticket.status == Status.OPEN


def test_composer_is_for_staff_only(contact):
    ticket = TicketFactory(organization=contact.organization, requester=contact)
    client = client_for(contact)
    assert client.post(f"/tickets/{ticket.pk}/updates/public/", {"body": "x"}).status_code == 403
    assert client.post(f"/tickets/{ticket.pk}/updates/note/", {"body": "x"}).status_code == 403
    assert not TimelineEntry.objects.filter(kind__in=["public_update", "internal_note"]).exists()


def test_composer_on_an_unknown_ticket_is_404(agent):
    assert client_for(agent).post("/tickets/99999/updates/note/", {"body": "x"}).status_code == 404
