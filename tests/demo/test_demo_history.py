"""The demo's history is played through the real services at its own past moments (each service
takes `now`), and, having happened before anyone was watching, it emails no one."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command

from demo.demo_data import LIVE_SUBJECT
from tickets.models import Ticket
from updates.keeper.delivery import deliver
from updates.keeper.sweep import sweep
from updates.models import AlertStatus, OutboxMessage, OutboxStatus, PromiseAlert, TimelineEntry
from vendors.models import EscalationNote, VendorEscalation

SEEDED = datetime(2026, 3, 3, 10, tzinfo=UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    with time_machine.travel(SEEDED, tick=False):
        call_command("seed_demo", verbosity=0)
    return SEEDED


def ago(minutes: int) -> datetime:
    return SEEDED - timedelta(minutes=minutes)


def test_each_step_is_recorded_at_its_own_moment(seeded):
    # Opened 28 h ago; owned 27 h ago, restated 10 minutes later, confirmed 26 h ago, resolved
    # by a public update 25 h ago.
    ticket = Ticket.objects.get(subject="Outlook keeps asking for my password")
    moments = list(
        ticket.timeline.order_by("created_at", "pk").values_list("created_at", flat=True)
    )
    assert moments[0] == ticket.created_at == ago(60 * 28)
    assert {ago(60 * 27), ago(60 * 27 - 10), ago(60 * 26), ago(60 * 25)} <= set(moments)
    # Its vendor case (demo.vendor_data) ran until 3.5 hours after it opened: nothing is stamped
    # with the seeding time.
    assert max(moments) == ticket.created_at + timedelta(minutes=210)
    assert ticket.understanding_confirmed_at == ago(60 * 26)
    assert ticket.resolved_at == ago(60 * 25)
    assert ticket.updated_at == ago(60 * 25), "the queue's 'Recently changed' reads it"
    promise = ticket.promises.order_by("made_at").first()
    assert (promise.made_at, promise.is_first_response) == (ago(60 * 28), True)


def test_vendor_cases_are_recorded_at_their_own_moments(seeded):
    ticket = Ticket.objects.get(subject="Outlook keeps asking for my password")
    escalation = VendorEscalation.objects.get(ticket=ticket)
    opened = ticket.created_at + timedelta(minutes=70)
    assert escalation.opened_at == opened
    assert escalation.acknowledged_at == ticket.created_at + timedelta(minutes=150)
    assert escalation.updated_at == ticket.created_at + timedelta(minutes=210)
    note = EscalationNote.objects.get(escalation=escalation)
    assert note.created_at == ticket.created_at + timedelta(minutes=160)
    assert TimelineEntry.objects.filter(
        ticket=ticket, event="vendor_escalated", created_at=opened
    ).exists()


def test_seeded_history_emails_no_one(seeded, mailoutbox):
    written = OutboxMessage.objects.all()
    assert written.count() > 20, "the history still writes its customer emails"
    assert not written.exclude(status=OutboxStatus.SKIPPED).exists()
    assert deliver(list(written.values_list("pk", flat=True)), now=seeded).sent == 0
    # Reminders whose time passed during the history never fire; the sweep finds nothing.
    assert not PromiseAlert.objects.filter(status=AlertStatus.PENDING, due_at__lte=seeded)
    result = sweep(now=seeded)
    assert (result.fired, result.skipped) == (0, 0)
    assert mailoutbox == []


def test_reminders_still_to_come_fire_as_usual(seeded):
    upcoming = PromiseAlert.objects.filter(status=AlertStatus.PENDING).order_by("due_at")
    assert upcoming.count() > 10
    first = upcoming.first()
    assert first.due_at > seeded
    result = sweep(now=first.due_at)
    assert result.fired >= 1
    first.refresh_from_db()
    assert first.status == AlertStatus.FIRED
    assert OutboxMessage.objects.filter(alert=first).exists()


def test_the_live_tickets_fresh_promise_on_a_later_start_emails_no_one(seeded):
    ticket = Ticket.objects.get(subject=LIVE_SUBJECT)
    updates_before = ticket.timeline.filter(kind="public_update").count()
    with time_machine.travel(SEEDED + timedelta(hours=2), tick=False):
        call_command("seed_demo", verbosity=0)
    assert ticket.timeline.filter(kind="public_update").count() == updates_before + 1
    assert not OutboxMessage.objects.exclude(status=OutboxStatus.SKIPPED).exists()
