"""The dashboard's promise tally: maintained by the promise ledger in the same transaction, equal
to the live aggregate after every kind of outcome, rebuilt by the backfill and the command, and
what the dashboard reads for whole hours (docs/dashboard.md, "Performance")."""

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboard import selectors
from tests.dashboard import test_figures as figures
from tests.factories import TicketFactory
from tickets import services as ticket_services
from tickets.models import Status
from updates import dashboard_tally
from updates import services as update_services
from updates.models import Promise, PromiseOutcome, PromiseTally
from vendors import selectors as vendor_selectors
from vendors.models import VendorWait

MONDAY = figures.MONDAY  # 2026-11-16 10:00 UTC
history = figures.history  # T1 kept then breached and overdue, T2 kept then paused, T3 overdue


def _assert_tally_matches_ledger() -> None:
    assert dashboard_tally.stored_tallies() == dashboard_tally.tallies_from_ledger()


@pytest.fixture
def busy_monday(organization, agent, other_agent, manager, contact):
    """Every way a promise ends, on tickets of several priorities, over one Monday.

    A (P2): answered on time, handed over, answered late, resolved (answers the last promise).
    B (P3): paused waiting on the customer (withdrawn), the customer replies (a fresh promise),
            then its priority is raised to P1 (the slower promise is replaced by a sooner one).
    C (P4): never answered (pending past its deadline), then resolved a day later.
    """
    with time_machine.travel(MONDAY, tick=False) as clock:
        a = TicketFactory(organization=organization, impact=2, urgency=2, owner=agent)
        b = TicketFactory(
            organization=organization, requester=contact, impact=3, urgency=3, owner=agent
        )
        c = TicketFactory(organization=organization, impact=4, urgency=4, owner=other_agent)
        clock.move_to(MONDAY + timedelta(minutes=20))
        update_services.post_public_update(a, author=agent, body="Looking now.")
        ticket_services.assign_owner(a, owner=other_agent, by=manager, handover_note="Shift.")
        clock.move_to(MONDAY + timedelta(minutes=40))
        ticket_services.change_status(b, status=Status.WAITING_ON_CUSTOMER, by=agent)
        clock.move_to(MONDAY + timedelta(hours=1, minutes=10))
        update_services.post_customer_reply(b, author=contact, body="Here is the log.")
        clock.move_to(MONDAY + timedelta(hours=3, minutes=5))
        update_services.post_public_update(a, author=other_agent, body="Sorry for the wait.")
        ticket_services.set_impact_and_urgency(b, impact=1, urgency=1, by=manager)
        clock.move_to(MONDAY + timedelta(hours=4))
        ticket_services.change_status(a, status=Status.RESOLVED, by=other_agent)
        clock.move_to(MONDAY + timedelta(days=1, hours=2))
        ticket_services.change_status(c, status=Status.RESOLVED, by=other_agent)
    return a, b, c


def test_the_tally_equals_the_ledger_after_every_kind_of_outcome(busy_monday):
    outcomes = set(Promise.objects.values_list("outcome", flat=True))
    assert outcomes == {"kept", "breached", "withdrawn", "pending"}
    assert set(Promise.objects.values_list("priority", flat=True)) == {1, 2, 3, 4}
    _assert_tally_matches_ledger()


def test_the_tally_holds_the_hand_counted_figures(history):
    """The hand-computed fixture: first responses due 11:00 (T1, T2 kept, T3 pending), T1's
    12:30 promise breached, its 15:00 one pending, T2's 13:00 one withdrawn (not counted)."""
    stored = dashboard_tally.stored_tallies()
    eleven, twelve, fifteen = (MONDAY.replace(hour=h) for h in (11, 12, 15))
    assert stored == {(eleven, 2): (3, 2), (twelve, 2): (1, 0), (fifteen, 2): (1, 0)}


def test_reopening_a_resolved_ticket_counts_the_fresh_promise(organization, agent, contact):
    with time_machine.travel(MONDAY, tick=False) as clock:
        ticket = TicketFactory(
            organization=organization, requester=contact, impact=2, urgency=2, owner=agent
        )
        ticket_services.change_status(ticket, status=Status.RESOLVED, by=agent)  # answers it
        clock.move_to(MONDAY + timedelta(hours=2))
        update_services.post_customer_reply(ticket, author=contact, body="It is back.")
    assert Promise.objects.filter(outcome=PromiseOutcome.PENDING).count() == 1
    _assert_tally_matches_ledger()
    assert sum(due for due, _ in dashboard_tally.stored_tallies().values()) == 2


def test_the_rebuild_recomputes_a_damaged_tally_from_the_ledger(busy_monday, history):
    expected = dashboard_tally.tallies_from_ledger()
    assert dashboard_tally.stored_tallies() == expected
    PromiseTally.objects.filter(priority=2).update(due=99)  # damaged by hand
    with pytest.raises(CommandError, match="differ from the ledger"):
        call_command("rebuild_dashboard_tallies", "--check", stdout=io.StringIO())
    out = io.StringIO()
    call_command("rebuild_dashboard_tallies", stdout=out)
    assert "Rebuilt" in out.getvalue()
    assert dashboard_tally.stored_tallies() == expected
    call_command("rebuild_dashboard_tallies", "--check", stdout=io.StringIO())


def test_recording_an_outcome_writes_the_tally_in_one_statement(organization, agent):
    """The cost the tally adds to a public update: one upsert, for the answered promise and
    the next one together."""
    with time_machine.travel(MONDAY, tick=False) as clock:
        ticket = TicketFactory(organization=organization, impact=2, urgency=2, owner=agent)
        clock.move_to(MONDAY + timedelta(minutes=10))
        with CaptureQueriesContext(connection) as queries:
            update_services.post_public_update(ticket, author=agent, body="On it.")
    tally_writes = [q for q in queries.captured_queries if "updates_promisetally" in q["sql"]]
    assert len(tally_writes) == 1
    _assert_tally_matches_ledger()


# ---- what the dashboard reads -------------------------------------------------------------


def _live_figures(period, now, tz) -> dict:
    """The same figures from the ledger alone (the one-figure selectors)."""
    return {
        "overall": selectors.overall_kept_rate(period, now),
        "by_week": selectors.kept_rate_by(period, now, None),
        "by_priority": selectors.kept_rate_by(period, now, "priority"),
        "by_owner": selectors.kept_rate_by(period, now, "owner__name"),
        "by_organization": selectors.kept_rate_by(period, now, "organization__name"),
        "breaches_by_hour": selectors.breaches_by_hour(period, now, tz),
    }


@pytest.mark.parametrize(
    ("since", "until", "filters", "zone"),
    [
        # Whole hours from the tally, the partial ones at both ends from the ledger.
        (MONDAY + timedelta(minutes=10), MONDAY + timedelta(hours=5, minutes=30), {}, "UTC"),
        (MONDAY - timedelta(days=1), MONDAY + timedelta(days=3), {}, "UTC"),
        (MONDAY - timedelta(days=1), MONDAY + timedelta(days=3), {"priority": 2}, "UTC"),
        (MONDAY, MONDAY + timedelta(days=2), {}, "America/New_York"),
        # Not answerable from UTC hours: a part-hour zone, an owner filter (the ledger).
        (MONDAY, MONDAY + timedelta(days=2), {}, "Asia/Kolkata"),
        (MONDAY, MONDAY + timedelta(days=2), {"owner": True}, "UTC"),
        # Shorter than an hour: the ledger alone.
        (MONDAY + timedelta(minutes=55), MONDAY + timedelta(hours=1, minutes=5), {}, "UTC"),
    ],
)
def test_the_page_figures_equal_the_live_aggregate(
    busy_monday, history, agent, since, until, filters, zone
):
    tz = ZoneInfo(zone)
    if filters.pop("owner", False):
        filters["owner_id"] = agent.pk
    period = selectors.Period(since=since, until=until).narrowed(**filters)
    now = MONDAY + timedelta(days=2)
    with time_machine.travel(now, tick=False):
        assert selectors.promise_figures(period, now, tz) == _live_figures(period, now, tz)


def test_whole_hours_are_read_from_the_tally(history):
    """Proof that the page reads the tally: a tally row changed behind the ledger's back shows,
    except where the figure must come from the ledger (an owner filter)."""
    now = figures.NOW
    period = figures.DAY
    PromiseTally.objects.filter(hour=MONDAY.replace(hour=12)).update(due=11)
    assert selectors.promise_figures(period, now, UTC)["overall"]["total"] == 15
    narrowed = period.narrowed(owner_id=Promise.objects.first().owner_id)
    assert selectors.promise_figures(narrowed, now, UTC)["overall"]["total"] == 5


def test_a_pending_promise_counts_only_once_its_hour_has_passed(history):
    # At 15:30 T1's 15:00 promise is overdue but its hour is not over: read from the ledger.
    at = MONDAY.replace(hour=15, minute=30)
    live = selectors.overall_kept_rate(figures.DAY, at)
    assert selectors.promise_figures(figures.DAY, at, UTC)["overall"] == live
    assert live == {"total": 5, "kept": 2, "rate": 40.0}


def test_first_response_figures_in_the_database_match_the_hand_count(organization, agent):
    minutes = [5, 15, 30, 60, 61, 300, 2000]
    with time_machine.travel(MONDAY, tick=False):
        for value in minutes:
            ticket = TicketFactory(organization=organization, owner=agent)
            Promise.objects.filter(ticket=ticket).update(
                outcome=PromiseOutcome.KEPT, closed_at=MONDAY + timedelta(minutes=value)
            )
    period = selectors.Period(since=MONDAY - timedelta(hours=1), until=MONDAY + timedelta(days=3))
    summary = selectors.first_response_figures(period)
    assert summary == selectors.first_response_summary(selectors.first_response_minutes(period))
    assert (summary["count"], summary["median"], summary["p90"]) == (7, 60.0, 2000.0)
    assert [n for _, n in summary["buckets"]] == [2, 2, 1, 1, 1]
    empty = selectors.first_response_figures(period.narrowed(priority=1))
    assert (empty["count"], empty["median"], empty["p90"]) == (0, None, None)


def test_tally_hours_are_utc_hours():
    moment = datetime(2026, 11, 16, 10, 59, 59, 999999, tzinfo=ZoneInfo("Europe/Berlin"))
    assert dashboard_tally.tally_hour(moment) == datetime(2026, 11, 16, 9, tzinfo=UTC)


# ---- the repair command --------------------------------------------------------------------


def test_the_command_rebuilds_and_checks_the_vendor_waits_too(organization, agent):
    with time_machine.travel(MONDAY, tick=False):
        ticket = TicketFactory(organization=organization, owner=agent)
        ticket_services.change_status(ticket, status=Status.WAITING_ON_VENDOR, by=agent)
    VendorWait.objects.all().delete()  # deleted by hand
    with pytest.raises(CommandError, match="vendor waits differ from the timeline"):
        call_command("rebuild_dashboard_tallies", "--check", stdout=io.StringIO())
    out = io.StringIO()
    call_command("rebuild_dashboard_tallies", stdout=out)
    assert "1 vendor waits" in out.getvalue()
    assert vendor_selectors.stored_vendor_waits() == {ticket.pk: MONDAY}
    call_command("rebuild_dashboard_tallies", "--check", stdout=io.StringIO())
