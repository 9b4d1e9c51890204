"""seed_scale loads a consistent data set: every constraint, derived column and keeper row right."""

import io
from datetime import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F, Q

from accounts.models import Role, User
from tests.factories import TicketFactory
from tickets.models import OWING_STATUSES, Ticket
from updates import dashboard_tally
from updates.keeper.sweep import sweep
from updates.models import (
    AlertStatus,
    Promise,
    PromiseAlert,
    PromiseOutcome,
    TimelineEntry,
)
from updates.search import rebuild_search_text
from vendors import selectors as vendor_selectors

NOW = "2026-06-10T12:00:00+00:00"

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    call_command(
        "seed_scale",
        "--tickets=500",
        "--organizations=20",
        "--staff=15",
        "--seed=7",
        f"--now={NOW}",
        stdout=io.StringIO(),
    )
    return datetime.fromisoformat(NOW)


def test_a_seeded_desk_is_consistent_and_serves_its_pages(seeded, client):
    """One seeding (the expensive part) checked from every side."""
    # loads the requested volumes
    assert Ticket.objects.count() == 500
    assert TimelineEntry.objects.count() == 2500
    assert Ticket.objects.open().count() == 50
    assert User.objects.filter(role__in=[Role.AGENT, Role.MANAGER]).count() == 15
    assert User.objects.filter(role=Role.CONTACT).values("organization").distinct().count() == 20
    statuses = set(Ticket.objects.values_list("status", flat=True))
    assert {"new", "open", "in_progress", "closed", "resolved"} <= statuses
    assert set(Ticket.objects.values_list("priority", flat=True)) == {1, 2, 3, 4}

    # every owing ticket has its one pending promise and alerts
    owing = Ticket.objects.filter(status__in=OWING_STATUSES)
    assert owing.exists()
    for ticket in owing:
        pending = Promise.objects.get(ticket=ticket, outcome=PromiseOutcome.PENDING)
        assert pending.due_at == ticket.next_update_due
        assert PromiseAlert.objects.filter(promise=pending).count() == 3
    assert not Promise.objects.filter(outcome=PromiseOutcome.PENDING).exclude(
        ticket__status__in=OWING_STATUSES
    )
    # The dashboard's figures by customer and by owner read them off each promise.
    assert not Promise.objects.exclude(organization=F("ticket__organization")).exists()
    assert not Promise.objects.filter(owner__isnull=True, ticket__owner__isnull=False).exists()
    assert not Ticket.objects.exclude(status__in=OWING_STATUSES).filter(
        next_update_due__isnull=False
    )
    # Alerts whose time has passed were fired, as the sweep would have done.
    assert not PromiseAlert.objects.filter(status=AlertStatus.PENDING, due_at__lte=seeded)

    # the dashboard's vendor waits start at a recorded status change, and its tallies match
    waiting = Ticket.objects.filter(status="waiting_on_vendor")
    assert waiting.exists()
    waits = vendor_selectors.vendor_waits_from_timeline()
    assert set(waits) == set(waiting.values_list("pk", flat=True))
    assert None not in waits.values()
    assert vendor_selectors.stored_vendor_waits() == waits
    assert dashboard_tally.stored_tallies() == dashboard_tally.tallies_from_ledger()

    # the keeper finds nothing to repair or fire
    result = sweep(now=seeded)
    assert (result.reconciled, result.fired, result.skipped) == (0, 0, 0)

    # search text matches what the app would have written
    tickets = (
        Ticket.objects.annotate(entries=Count("timeline", filter=~Q(timeline__body="")))
        .filter(entries__gt=2)
        .order_by("pk")[:5]
    )
    for ticket in tickets:
        before = (ticket.public_search_text, ticket.internal_search_text)
        rebuild_search_text(ticket)
        ticket.refresh_from_db()
        assert (ticket.public_search_text, ticket.internal_search_text) == before
        assert ticket.public_search_text

    # staff portal and api pages render on it
    client.force_login(User.objects.get(email="manager01@msp.example"))
    ticket = (
        Ticket.objects.filter(status="in_progress")
        .annotate(n=Count("timeline"))
        .order_by("-n")
        .first()
    )
    for url in (
        "/",
        "/?q=printer",
        f"/tickets/{ticket.pk}/",
        "/dashboard/",
        "/api/v1/tickets/",
    ):
        assert client.get(url).status_code == 200, url
    contact = User.objects.get(email="contact1@org1.example")
    assert contact.sees_organization_tickets
    client.force_login(contact)
    own = Ticket.objects.filter(organization=contact.organization).first()
    assert client.get("/portal/").status_code == 200
    assert client.get(f"/portal/tickets/{own.pk}/").status_code == 200


def test_refuses_a_database_that_already_has_tickets():
    TicketFactory()
    with pytest.raises(CommandError, match="already has tickets"):
        call_command("seed_scale", "--tickets=5")
