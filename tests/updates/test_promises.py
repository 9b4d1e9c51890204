"""DESIGN rules 3 and 5: every promise is recorded with its outcome; pausing and resuming."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.factories import TicketFactory
from tickets import services as ticket_services
from tickets.models import Status
from updates import services
from updates.models import EntryKind, Promise, PromiseOutcome, TimelineEntry

# Wednesday 18 Nov 2026, 10:00 UTC (10:00 in London): a P2 ticket is on a 24x7 clock.
OPENED = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(OPENED, tick=False) as traveller:
        yield traveller


@pytest.fixture
def ticket(clock, agent, organization):
    # P2: first response within 1 h, then an update every 2 h.
    return TicketFactory(organization=organization, impact=2, urgency=2, owner=agent)


def _outcomes(ticket) -> list[str]:
    return list(ticket.promises.order_by("made_at", "id").values_list("outcome", flat=True))


def test_a_new_ticket_owes_its_first_response(ticket):
    promise = ticket.promises.get()
    assert (promise.made_at, promise.due_at) == (OPENED, OPENED + timedelta(hours=1))
    assert promise.outcome == PromiseOutcome.PENDING
    assert ticket.next_update_due == promise.due_at
    assert ticket.update_overdue is False


def test_a_public_update_in_time_keeps_the_promise_and_makes_the_next(clock, ticket, agent):
    clock.move_to(OPENED + timedelta(minutes=40))
    entry = services.post_public_update(ticket, author=agent, body="We are on it.")
    ticket.refresh_from_db()
    assert _outcomes(ticket) == [PromiseOutcome.KEPT, PromiseOutcome.PENDING]
    assert ticket.promises.first().kept_by == entry
    assert ticket.next_update_due == OPENED + timedelta(minutes=40, hours=2)
    assert entry.next_update_due == ticket.next_update_due


def test_an_update_exactly_at_the_deadline_keeps_the_promise(clock, ticket, agent):
    clock.move_to(OPENED + timedelta(hours=1))
    services.post_public_update(ticket, author=agent, body="Right on time.")
    assert _outcomes(ticket)[0] == PromiseOutcome.KEPT


def test_a_late_update_records_a_breach(clock, ticket, agent):
    clock.move_to(OPENED + timedelta(hours=1, seconds=1))
    ticket.refresh_from_db()
    assert ticket.update_overdue is True
    services.post_public_update(ticket, author=agent, body="Sorry for the wait.")
    ticket.refresh_from_db()
    assert _outcomes(ticket) == [PromiseOutcome.BREACHED, PromiseOutcome.PENDING]
    assert ticket.update_overdue is False


def test_internal_notes_never_keep_a_promise(clock, ticket, agent):
    clock.move_to(OPENED + timedelta(minutes=10))
    note = services.add_internal_note(ticket, author=agent, body="Checked the logs.")
    ticket.refresh_from_db()
    assert note.is_public is False
    assert _outcomes(ticket) == [PromiseOutcome.PENDING]
    assert ticket.next_update_due == OPENED + timedelta(hours=1)


def test_the_agent_may_promise_an_earlier_or_later_time(clock, ticket, agent):
    for offset in (timedelta(minutes=20), timedelta(hours=6)):
        services.post_public_update(
            ticket, author=agent, body="Update.", next_update_due=OPENED + offset
        )
        ticket.refresh_from_db()
        assert ticket.next_update_due == OPENED + offset


@pytest.mark.parametrize("offset", [timedelta(0), timedelta(minutes=-5)])
def test_a_promise_in_the_past_is_refused_and_nothing_is_written(ticket, agent, offset):
    with pytest.raises(ValidationError) as error:
        services.post_public_update(
            ticket, author=agent, body="Update.", next_update_due=OPENED + offset
        )
    assert "next_update_due" in error.value.message_dict
    assert not TimelineEntry.objects.filter(ticket=ticket, kind=EntryKind.PUBLIC_UPDATE).exists()
    assert _outcomes(ticket) == [PromiseOutcome.PENDING]


def test_a_naive_promise_time_is_refused(ticket, agent):
    with pytest.raises(ValidationError) as error:
        services.post_public_update(
            ticket, author=agent, body="Update.", next_update_due=datetime(2026, 11, 18, 15, 0)
        )
    assert "next_update_due" in error.value.message_dict


def test_an_empty_or_oversized_update_is_refused(ticket, agent):
    for body in ("", "   ", "x" * 50_001):
        with pytest.raises(ValidationError) as error:
            services.post_public_update(ticket, author=agent, body=body)
        assert "body" in error.value.message_dict
    assert _outcomes(ticket) == [PromiseOutcome.PENDING]


def test_waiting_on_customer_pauses_the_promise(clock, ticket, agent):
    clock.move_to(OPENED + timedelta(minutes=30))
    ticket = ticket_services.change_status(ticket, status=Status.WAITING_ON_CUSTOMER, by=agent)
    assert ticket.next_update_due is None
    assert ticket.update_overdue is False
    assert _outcomes(ticket) == [PromiseOutcome.WITHDRAWN]
    clock.move_to(OPENED + timedelta(days=3))
    ticket.refresh_from_db()
    assert ticket.update_overdue is False


def test_asking_the_customer_in_a_public_update_keeps_the_promise_then_pauses(clock, ticket, agent):
    clock.move_to(OPENED + timedelta(minutes=30))
    services.post_public_update(
        ticket, author=agent, body="Which printer is it?", status=Status.WAITING_ON_CUSTOMER
    )
    ticket.refresh_from_db()
    assert _outcomes(ticket) == [PromiseOutcome.KEPT]
    assert ticket.next_update_due is None


def test_a_promise_time_is_refused_while_nothing_is_owed(ticket, agent):
    with pytest.raises(ValidationError) as error:
        services.post_public_update(
            ticket,
            author=agent,
            body="Which printer is it?",
            status=Status.WAITING_ON_CUSTOMER,
            next_update_due=OPENED + timedelta(hours=3),
        )
    assert "next_update_due" in error.value.message_dict
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


def test_leaving_a_pause_starts_one_update_interval_from_that_moment(clock, ticket, agent, contact):
    ticket_services.change_status(ticket, status=Status.WAITING_ON_CUSTOMER, by=agent)
    clock.move_to(OPENED + timedelta(days=2))
    services.post_customer_reply(ticket, author=contact, body="It's the one in reception.")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.next_update_due == OPENED + timedelta(days=2, hours=2)


def test_waiting_on_vendor_does_not_pause_the_promise(clock, ticket, agent):
    ticket = ticket_services.change_status(ticket, status=Status.WAITING_ON_VENDOR, by=agent)
    assert ticket.next_update_due == OPENED + timedelta(hours=1)
    clock.move_to(OPENED + timedelta(hours=2))
    ticket.refresh_from_db()
    assert ticket.update_overdue is True


@pytest.mark.parametrize("done", [Status.RESOLVED, Status.CLOSED])
def test_resolved_and_closed_tickets_owe_nothing(clock, ticket, agent, done):
    clock.move_to(OPENED + timedelta(minutes=50))
    ticket = ticket_services.change_status(ticket, status=done, by=agent)
    assert ticket.next_update_due is None
    # The resolution answers the promise when it comes in time.
    assert _outcomes(ticket) == [PromiseOutcome.KEPT]
    clock.move_to(OPENED + timedelta(days=5))
    ticket.refresh_from_db()
    assert ticket.update_overdue is False


def test_a_late_resolution_still_records_the_breach(clock, ticket, agent):
    clock.move_to(OPENED + timedelta(hours=3))
    ticket_services.change_status(ticket, status=Status.RESOLVED, by=agent)
    assert _outcomes(ticket) == [PromiseOutcome.BREACHED]


def test_a_public_update_that_resolves_leaves_nothing_owed(clock, ticket, agent):
    services.post_public_update(ticket, author=agent, body="Fixed.", status=Status.RESOLVED)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.next_update_due) == (Status.RESOLVED, None)
    assert _outcomes(ticket) == [PromiseOutcome.KEPT]


def test_reopening_a_resolved_ticket_starts_a_new_promise(clock, ticket, agent):
    ticket_services.change_status(ticket, status=Status.RESOLVED, by=agent)
    clock.move_to(OPENED + timedelta(days=1))
    ticket = ticket_services.change_status(ticket, status=Status.OPEN, by=agent)
    assert ticket.next_update_due == OPENED + timedelta(days=1, hours=2)


def test_a_closed_ticket_takes_no_public_update(ticket, agent):
    ticket_services.change_status(ticket, status=Status.CLOSED, by=agent)
    with pytest.raises(ValidationError) as error:
        services.post_public_update(ticket, author=agent, body="One more thing.")
    assert "body" in error.value.message_dict
    assert not TimelineEntry.objects.filter(kind=EntryKind.PUBLIC_UPDATE).exists()


def test_an_impossible_status_in_an_update_writes_nothing(ticket, agent):
    with pytest.raises(ValidationError) as error:
        services.post_public_update(ticket, author=agent, body="Back to new?", status=Status.NEW)
    assert "status" in error.value.message_dict
    assert not TimelineEntry.objects.filter(kind=EntryKind.PUBLIC_UPDATE).exists()


def test_the_first_public_update_triages_an_unowned_ticket(clock, organization, agent):
    ticket = TicketFactory(organization=organization, impact=2, urgency=2)
    services.post_public_update(ticket, author=agent, body="Looking now.")
    ticket.refresh_from_db()
    assert (ticket.owner, ticket.status) == (agent, Status.OPEN)


def test_raising_the_priority_pulls_a_slower_promise_in(clock, organization, agent):
    ticket = TicketFactory(organization=organization, impact=4, urgency=4, owner=agent)
    slow = ticket.next_update_due
    clock.move_to(OPENED + timedelta(minutes=5))
    ticket = ticket_services.set_impact_and_urgency(ticket, impact=1, urgency=1, by=agent)
    assert ticket.next_update_due == OPENED + timedelta(minutes=20)
    assert ticket.next_update_due < slow
    assert _outcomes(ticket) == [PromiseOutcome.WITHDRAWN, PromiseOutcome.PENDING]


def test_lowering_the_priority_never_pushes_a_promise_later(clock, ticket, agent):
    before = ticket.next_update_due
    ticket = ticket_services.set_impact_and_urgency(ticket, impact=4, urgency=4, by=agent)
    assert ticket.next_update_due == before


def test_the_database_refuses_two_pending_promises(ticket):
    with pytest.raises(IntegrityError), transaction.atomic():
        Promise.objects.create(
            ticket=ticket, made_at=OPENED, due_at=OPENED + timedelta(hours=1), priority=2
        )


def test_only_staff_post_public_updates_and_notes(ticket, contact):
    with pytest.raises(ValidationError):
        services.post_public_update(ticket, author=contact, body="Fixed?")
    with pytest.raises(ValidationError):
        services.add_internal_note(ticket, author=contact, body="Sneaky")


def test_a_public_update_that_reopens_a_ticket_makes_the_promise_it_states(clock, ticket, agent):
    ticket_services.change_status(ticket, status=Status.RESOLVED, by=agent)
    clock.move_to(OPENED + timedelta(days=1))
    chosen = OPENED + timedelta(days=1, minutes=45)
    entry = services.post_public_update(
        ticket,
        author=agent,
        body="The fix did not hold.",
        status=Status.OPEN,
        next_update_due=chosen,
    )
    ticket.refresh_from_db()
    pending = ticket.promises.get(outcome=PromiseOutcome.PENDING)
    assert (ticket.status, ticket.next_update_due) == (Status.OPEN, chosen)
    assert (pending.due_at, pending.made_by) == (chosen, entry)
    # Rule 5's promise from the reopening is superseded, never counted as due or kept.
    assert _outcomes(ticket) == [
        PromiseOutcome.KEPT,
        PromiseOutcome.WITHDRAWN,
        PromiseOutcome.PENDING,
    ]
