"""Vendor waits (vendors.VendorWait): kept in step with status changes by the vendors' receiver,
equal to what the timeline says, rebuilt by the service, and read longest first with unknown
starts last (the manager dashboard's "waiting on a vendor longest")."""

from datetime import UTC, datetime, timedelta

import time_machine

from tests.factories import TicketFactory
from tickets import services as ticket_services
from tickets.models import Status, Ticket
from updates.models import TimelineEntry
from vendors import selectors, services
from vendors.models import VendorWait

MONDAY = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)


def test_vendor_waits_follow_status_changes_and_match_the_timeline(organization, agent):
    with time_machine.travel(MONDAY, tick=False) as clock:
        first, second = (TicketFactory(organization=organization, owner=agent) for _ in range(2))
        ticket_services.change_status(first, status=Status.WAITING_ON_VENDOR, by=agent)
        clock.move_to(MONDAY + timedelta(hours=1))
        ticket_services.change_status(second, status=Status.WAITING_ON_VENDOR, by=agent)
        assert selectors.stored_vendor_waits() == {
            first.pk: MONDAY,
            second.pk: MONDAY + timedelta(hours=1),
        }
        clock.move_to(MONDAY + timedelta(hours=2))
        ticket_services.change_status(first, status=Status.IN_PROGRESS, by=agent)
        clock.move_to(MONDAY + timedelta(hours=3))
        ticket_services.change_status(first, status=Status.WAITING_ON_VENDOR, by=agent)
        clock.move_to(MONDAY + timedelta(hours=4))
        ticket_services.change_status(second, status=Status.RESOLVED, by=agent)
    # The wait restarted when the first came back; the resolved one waits no more.
    assert selectors.stored_vendor_waits() == {first.pk: MONDAY + timedelta(hours=3)}
    assert selectors.vendor_waits_from_timeline() == {first.pk: MONDAY + timedelta(hours=3)}


def test_the_rebuild_recomputes_the_waits_with_unknown_starts_read_last(organization, agent):
    with time_machine.travel(MONDAY, tick=False) as clock:
        known, unknown = (TicketFactory(organization=organization, owner=agent) for _ in range(2))
        ticket_services.change_status(known, status=Status.WAITING_ON_VENDOR, by=agent)
        clock.move_to(MONDAY + timedelta(hours=1))
        ticket_services.change_status(unknown, status=Status.WAITING_ON_VENDOR, by=agent)
    # Loaded without its status history, as a bulk import would.
    TimelineEntry.objects.filter(ticket=unknown, event="status_changed").delete()
    VendorWait.objects.all().delete()

    assert services.rebuild_vendor_waits() == 2

    assert selectors.stored_vendor_waits() == {known.pk: MONDAY, unknown.pk: None}
    rows = list(selectors.longest_vendor_waits())
    assert rows == [known, unknown]
    assert [row.waiting_since for row in rows] == [MONDAY, None]


def test_the_longest_waits_come_first_and_other_statuses_are_left_out(organization, agent):
    with time_machine.travel(MONDAY, tick=False) as clock:
        later, earlier, never = (
            TicketFactory(organization=organization, owner=agent) for _ in range(3)
        )
        ticket_services.change_status(earlier, status=Status.WAITING_ON_VENDOR, by=agent)
        clock.move_to(MONDAY + timedelta(minutes=5))
        ticket_services.change_status(later, status=Status.WAITING_ON_VENDOR, by=agent)
    waits = selectors.longest_vendor_waits()
    assert list(waits) == [earlier, later]
    assert never not in waits
    narrowed = selectors.longest_vendor_waits(Ticket.objects.exclude(pk=earlier.pk))
    assert list(narrowed) == [later]
