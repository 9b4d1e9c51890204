from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tickets import services as ticket_services
from tickets.models import Status
from updates import services as update_services
from updates.models import EntryKind, Promise, PromiseOutcome, TimelineEntry


def updates_url(ticket) -> str:
    return f"/api/v1/tickets/{ticket.pk}/updates/"


def iso(moment) -> str:
    return moment.isoformat()


@pytest.fixture
def owned_ticket(ticket, agent):
    """Triaged: our understanding written, then owned (so it is open)."""
    ticket = ticket_services.restate_problem(ticket, problem_statement="Jams.", by=agent)
    return ticket_services.assign_owner(ticket, owner=agent, by=agent)


# Reading the timeline


def test_staff_see_the_whole_timeline_with_event_details(api_client_for, agent, owned_ticket):
    update_services.add_internal_note(owned_ticket, author=agent, body="Toner looks fake")
    rows = api_client_for(agent).get(updates_url(owned_ticket)).json()["results"]
    kinds = [row["kind"] for row in rows]
    assert "internal_note" in kinds
    assert {
        "id",
        "kind",
        "visibility",
        "body",
        "author_name",
        "created_at",
        "next_update_due",
    } <= set(rows[0])
    owner_event = next(row for row in rows if row["event"] == "owner_changed")
    assert owner_event["visibility"] == "internal"
    assert owner_event["data"]["new"] == agent.pk
    assert owner_event["body"] == "Alice Agent took ownership."


def test_a_contact_sees_only_public_entries_in_customer_wording_and_no_event_data(
    api_client_for, agent, contact, owned_ticket
):
    update_services.add_internal_note(owned_ticket, author=agent, body="Toner looks fake")
    ticket_services.change_status(owned_ticket, status=Status.WAITING_ON_VENDOR, by=agent)
    rows = api_client_for(contact).get(updates_url(owned_ticket)).json()["results"]
    assert rows, "the opening event is public"
    assert all(row["visibility"] == "public" for row in rows)
    assert all("data" not in row for row in rows)
    assert "internal_note" not in [row["kind"] for row in rows]
    text = str(rows).lower()
    assert "toner" not in text
    assert "vendor" not in text
    status_event = [row for row in rows if row["event"] == "status_changed"][-1]
    assert status_event["body"] == "Status is now: In progress."


def test_a_handover_note_reaches_staff_but_never_the_customer(
    api_client_for, agent, other_agent, contact, owned_ticket
):
    ticket_services.assign_owner(
        owned_ticket, owner=other_agent, by=agent, handover_note="She is cross; be gentle"
    )
    staff_text = str(api_client_for(agent).get(updates_url(owned_ticket)).json())
    customer_text = str(api_client_for(contact).get(updates_url(owned_ticket)).json())
    assert "be gentle" in staff_text
    assert "be gentle" not in customer_text


def test_the_timeline_runs_the_same_number_of_queries_for_1_or_20_entries(
    api_client_for, agent, owned_ticket, django_assert_num_queries
):
    client = api_client_for(agent)
    with CaptureQueriesContext(connection) as few:
        client.get(updates_url(owned_ticket))
    for number in range(20):
        update_services.add_internal_note(owned_ticket, author=agent, body=f"note {number}")
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(updates_url(owned_ticket))
    assert response.json()["count"] > 20


# Staff posting


def test_a_public_update_keeps_the_promise_and_makes_the_cadence_default_next_one(
    api_client_for, agent, owned_ticket
):
    response = api_client_for(agent).post(
        updates_url(owned_ticket), {"body": "Replaced the fuser."}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "public_update"
    assert body["visibility"] == "public"
    entry = TimelineEntry.objects.get(pk=body["id"])
    owned_ticket.refresh_from_db()
    expected = update_services.default_next_update_due(owned_ticket, now=entry.created_at)
    assert owned_ticket.next_update_due == expected
    assert entry.next_update_due == expected
    first = Promise.objects.filter(ticket=owned_ticket).order_by("made_at", "id").first()
    assert first.outcome == PromiseOutcome.KEPT


def test_a_public_update_may_promise_its_own_next_update_time(api_client_for, agent, owned_ticket):
    when = (timezone.now() + timedelta(hours=2)).replace(microsecond=0)
    response = api_client_for(agent).post(
        updates_url(owned_ticket),
        {"body": "Engineer on the way.", "next_update_due": iso(when), "status": "in_progress"},
        format="json",
    )
    assert response.status_code == 201
    owned_ticket.refresh_from_db()
    assert owned_ticket.next_update_due == when
    assert owned_ticket.status == Status.IN_PROGRESS


def test_a_public_update_that_resolves_owes_nothing_more(api_client_for, agent, owned_ticket):
    response = api_client_for(agent).post(
        updates_url(owned_ticket), {"body": "Fixed.", "status": "resolved"}, format="json"
    )
    assert response.status_code == 201
    owned_ticket.refresh_from_db()
    assert owned_ticket.status == Status.RESOLVED
    assert owned_ticket.next_update_due is None
    assert response.json()["next_update_due"] is None


def test_an_unowned_ticket_becomes_the_authors_with_its_first_public_update(
    api_client_for, agent, ticket
):
    api_client_for(agent).post(updates_url(ticket), {"body": "On it."}, format="json")
    ticket.refresh_from_db()
    assert ticket.owner == agent
    assert ticket.status == Status.OPEN


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"body": ""}, "body"),
        ({"body": "   "}, "body"),
        ({"body": "x" * 50_001}, "body"),
        ({}, "body"),
        ({"body": 42}, "body"),
        ({"body": "ok", "next_update_due": "2001-01-01T00:00:00Z"}, "next_update_due"),
        ({"body": "ok", "next_update_due": "2099-01-01T00:00:00Z"}, "next_update_due"),
        ({"body": "ok", "next_update_due": "tomorrow"}, "next_update_due"),
        ({"body": "ok", "visibility": "secret"}, "visibility"),
        ({"body": "ok", "status": "new"}, "status"),
        ({"body": "ok", "status": "paused"}, "status"),
        ({"body": "ok", "confirm_vendor_mention": "yes"}, "confirm_vendor_mention"),
        ({"body": "ok", "author": 1}, "author"),
    ],
)
def test_bad_updates_answer_400_naming_the_field_and_write_nothing(
    api_client_for, agent, owned_ticket, payload, field
):
    before = TimelineEntry.objects.count()
    response = api_client_for(agent).post(updates_url(owned_ticket), payload, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert TimelineEntry.objects.count() == before


def test_a_promise_while_waiting_on_the_customer_is_refused(api_client_for, agent, owned_ticket):
    response = api_client_for(agent).post(
        updates_url(owned_ticket),
        {
            "body": "Could you send a photo?",
            "status": "waiting_on_customer",
            "next_update_due": iso(timezone.now() + timedelta(hours=1)),
        },
        format="json",
    )
    assert response.status_code == 400
    assert "next_update_due" in response.json()
    owned_ticket.refresh_from_db()
    assert owned_ticket.status == Status.OPEN


def test_an_internal_note_is_hidden_from_the_customer_and_keeps_no_promise(
    api_client_for, agent, contact, owned_ticket
):
    promise_before = owned_ticket.next_update_due
    response = api_client_for(agent).post(
        updates_url(owned_ticket),
        {"body": "Supplier says Tuesday", "visibility": "internal"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["visibility"] == "internal"
    owned_ticket.refresh_from_db()
    assert owned_ticket.next_update_due == promise_before
    assert Promise.objects.get(ticket=owned_ticket, outcome=PromiseOutcome.PENDING)
    customer_view = str(api_client_for(contact).get(updates_url(owned_ticket)).json())
    assert "Supplier says Tuesday" not in customer_view


def test_an_internal_note_cannot_make_a_promise(api_client_for, agent, owned_ticket):
    response = api_client_for(agent).post(
        updates_url(owned_ticket),
        {
            "body": "note",
            "visibility": "internal",
            "next_update_due": iso(timezone.now() + timedelta(hours=1)),
        },
        format="json",
    )
    assert response.status_code == 400
    assert "next_update_due" in response.json()


def test_an_internal_note_may_carry_a_status_change(api_client_for, agent, owned_ticket):
    response = api_client_for(agent).post(
        updates_url(owned_ticket),
        {"body": "Asked by phone", "visibility": "internal", "status": "waiting_on_customer"},
        format="json",
    )
    assert response.status_code == 201
    owned_ticket.refresh_from_db()
    assert owned_ticket.status == Status.WAITING_ON_CUSTOMER
    assert owned_ticket.next_update_due is None


def test_a_closed_ticket_takes_no_more_updates(api_client_for, agent, owned_ticket):
    ticket_services.change_status(owned_ticket, status=Status.CLOSED, by=agent)
    response = api_client_for(agent).post(
        updates_url(owned_ticket), {"body": "One more thing"}, format="json"
    )
    assert response.status_code == 400
    assert "body" in response.json()


# The vendor-mention guard


@pytest.fixture
def vendor_guard(monkeypatch):
    """Stands in for the vendors app's check: objects to the word "Microsoft"."""

    def names_microsoft(ticket, body):
        return ["Microsoft"] if "microsoft" in body.lower() else []

    monkeypatch.setattr(update_services, "public_update_checks", [names_microsoft])


def test_a_public_update_naming_a_vendor_is_held_back_until_confirmed(
    api_client_for, agent, owned_ticket, vendor_guard
):
    client = api_client_for(agent)
    payload = {"body": "Microsoft broke Exchange again."}
    held = client.post(updates_url(owned_ticket), payload, format="json")
    assert held.status_code == 400
    body = held.json()
    assert body["code"] == "vendor_mention"
    assert body["matches"] == ["Microsoft"]
    assert body["detail"]
    assert not TimelineEntry.objects.filter(kind=EntryKind.PUBLIC_UPDATE).exists()

    sent = client.post(
        updates_url(owned_ticket), {**payload, "confirm_vendor_mention": True}, format="json"
    )
    assert sent.status_code == 201
    assert TimelineEntry.objects.filter(kind=EntryKind.PUBLIC_UPDATE).count() == 1


def test_the_vendor_guard_does_not_apply_to_internal_notes(
    api_client_for, agent, owned_ticket, vendor_guard
):
    response = api_client_for(agent).post(
        updates_url(owned_ticket),
        {"body": "Microsoft case 123 opened", "visibility": "internal"},
        format="json",
    )
    assert response.status_code == 201


# Contacts posting


def test_a_contact_reply_reopens_a_ticket_waiting_on_them_with_a_fresh_promise(
    api_client_for, agent, contact, owned_ticket
):
    ticket_services.change_status(owned_ticket, status=Status.WAITING_ON_CUSTOMER, by=agent)
    response = api_client_for(contact).post(
        updates_url(owned_ticket), {"body": "Here is the photo."}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "customer_reply"
    assert body["visibility"] == "public"
    assert "data" not in body
    owned_ticket.refresh_from_db()
    assert owned_ticket.status == Status.OPEN
    assert owned_ticket.next_update_due is not None


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"visibility": "internal"}, "visibility"),
        ({"status": "resolved"}, "status"),
        ({"next_update_due": "2099-01-01T00:00:00Z"}, "next_update_due"),
        ({"eta": None}, "eta"),
        ({"confirm_vendor_mention": True}, "confirm_vendor_mention"),
    ],
)
def test_a_contact_can_only_send_a_message(api_client_for, contact, owned_ticket, extra, field):
    before = TimelineEntry.objects.count()
    response = api_client_for(contact).post(
        updates_url(owned_ticket), {"body": "hi", **extra}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert TimelineEntry.objects.count() == before
