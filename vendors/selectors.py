"""Reads of vendors and escalations for staff pages, the API and the scorecards.

Querysets come with their joins decided so a page runs the same number of queries whatever its
length. The scorecard figures are computed in Python from one query per page: medians and
percentiles the same way on PostgreSQL and SQLite.
"""

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from tickets.models import Status, Ticket
from updates.models import EntryKind, TimelineEntry
from vendors.models import EscalationNote, Vendor, VendorEscalation, VendorWait

# Another escalation to the same vendor for the same customer this soon after the last one is a
# repeat incident: the first fix did not hold, or the vendor's trouble keeps coming back.
REPEAT_WINDOW = timedelta(days=30)


# --- the ticket page panel ----------------------------------------------------------------------


def escalations_with_notes() -> QuerySet[VendorEscalation]:
    """Escalations with vendor, opener and notes (with their authors) loaded: two queries
    whatever the number of escalations and notes."""
    return VendorEscalation.objects.select_related("vendor", "opened_by").prefetch_related(
        Prefetch("notes", queryset=EscalationNote.objects.select_related("author"))
    )


def ticket_escalations(ticket: Ticket | int) -> QuerySet[VendorEscalation]:
    """The ticket's escalations, active ones first (then the most recent), notes loaded."""
    return (
        escalations_with_notes()
        .filter(ticket=ticket)
        .order_by(F("resolved_at").asc(nulls_first=True), "-opened_at", "-id")
    )


def incident_escalations(incident_id: int) -> QuerySet[VendorEscalation]:
    """A major incident's own vendor cases, active ones first (the incident page)."""
    return (
        VendorEscalation.objects.filter(incident_id=incident_id)
        .select_related("vendor", "opened_by")
        .order_by(F("resolved_at").asc(nulls_first=True), "-opened_at", "-id")
    )


def active_vendors() -> QuerySet[Vendor]:
    return Vendor.objects.filter(is_active=True).order_by("name")


def vendor_escalations(
    vendor: Vendor, *, since: datetime | None = None, until: datetime | None = None
) -> QuerySet[VendorEscalation]:
    """A vendor's escalations in a period, newest first, with the ticket and its customer."""
    return (
        _in_period(VendorEscalation.objects.filter(vendor=vendor), since, until)
        .select_related("ticket", "ticket__organization", "incident", "vendor")
        .annotate(pushbacks=Count("notes", filter=Q(notes__pushback=True)))
        .order_by("-opened_at", "-id")
    )


def _in_period(
    queryset: QuerySet[VendorEscalation], since: datetime | None, until: datetime | None
) -> QuerySet[VendorEscalation]:
    if since is not None:
        queryset = queryset.filter(opened_at__gte=since)
    if until is not None:
        queryset = queryset.filter(opened_at__lt=until)
    return queryset


# --- scorecards ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the figure's full name (vendor page, sort choices)
    # Which way is good: the vendor list sorts the worst first by default.
    lower_is_better: bool
    # The vendor list groups related figures under one heading: `group` over `short`.
    group: str = ""
    short: str = ""

    @property
    def heading(self) -> str:
        return self.short or self.label


ACKNOWLEDGE, RESOLVE = "Time to acknowledge", "Time to resolve"
MISSED, RCAS = "Expected response missed", "Root-cause analyses"
SCORECARD_COLUMNS: tuple[Column, ...] = (
    Column("escalations", "Escalations", lower_is_better=True),
    Column(
        "median_minutes_to_acknowledge", "Median time to acknowledge", True, ACKNOWLEDGE, "Median"
    ),
    Column(
        "p90_minutes_to_acknowledge",
        "90th percentile time to acknowledge",
        True,
        ACKNOWLEDGE,
        "90 % within",
    ),
    Column("median_minutes_to_resolve", "Median time to resolve", True, RESOLVE, "Median"),
    Column(
        "p90_minutes_to_resolve", "90th percentile time to resolve", True, RESOLVE, "90 % within"
    ),
    Column("breached_expected_response", "Breached expected response", True, MISSED, "Cases"),
    Column(
        "breached_expected_response_share",
        "Share breaching expected response",
        True,
        MISSED,
        "Share",
    ),
    Column("pushbacks", "Pushbacks", True),
    Column("rca_requested", "RCAs requested", True, RCAS, "Requested"),
    Column("rca_received", "RCAs received", False, RCAS, "Received"),
    Column("repeat_incidents", "Repeat incidents", True),
    Column(
        "acknowledgement_overdue",
        "Waiting for acknowledgement past due now",
        True,
        short="Unacknowledged past due",
    ),
)
SORTABLE_KEYS = frozenset({"name", *(column.key for column in SCORECARD_COLUMNS)})
API_SCORECARD_KEYS = (
    "escalations",
    "median_minutes_to_acknowledge",
    "median_minutes_to_resolve",
    "breached_expected_response",
    "pushbacks",
)


@dataclass
class Scorecard:
    """How a vendor supported us over a period (escalations opened in [since, until)).

    Minutes are wall-clock minutes from opening; the 90th percentile uses the nearest-rank
    method (the smallest value with at least 90% of the values at or below it). Breaches count
    cases acknowledged after the vendor's expected response time, or not acknowledged and past
    it now; the share is of the cases that had an expected response time.
    """

    vendor: Vendor
    escalations: int = 0
    median_minutes_to_acknowledge: float | None = None
    p90_minutes_to_acknowledge: float | None = None
    median_minutes_to_resolve: float | None = None
    p90_minutes_to_resolve: float | None = None
    breached_expected_response: int = 0
    breached_expected_response_share: float | None = None
    pushbacks: int = 0
    rca_requested: int = 0
    rca_received: int = 0
    repeat_incidents: int = 0
    acknowledgement_overdue: int = 0
    acknowledge_minutes: list[float] = field(default_factory=list, repr=False)
    resolve_minutes: list[float] = field(default_factory=list, repr=False)

    def figures(self) -> dict[str, Any]:
        """Every figure by its column key (no vendor object, no raw samples)."""
        data = asdict(self)
        return {column.key: data[column.key] for column in SCORECARD_COLUMNS}

    def api_figures(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in API_SCORECARD_KEYS}


def _minutes(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 60


def _median(values: Sequence[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def percentile(values: Iterable[float], fraction: float) -> float | None:
    """Nearest-rank percentile: hand-checkable, and always one of the observed values."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, math.ceil(fraction * len(ordered)))
    return round(ordered[rank - 1], 1)


def vendor_scorecards(
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    vendors: Iterable[Vendor] | None = None,
    now: datetime | None = None,
) -> list[Scorecard]:
    """One scorecard per vendor (all vendors by default), in two queries.

    Escalations are read from REPEAT_WINDOW before `since`, so a case just inside the period can
    be recognised as a repeat of one just before it; only cases opened inside the period count.
    """
    now = now or timezone.now()
    vendors = list(vendors) if vendors is not None else list(Vendor.objects.order_by("name"))
    cards = {vendor.pk: Scorecard(vendor=vendor) for vendor in vendors}
    rows = (
        _in_period(
            VendorEscalation.objects.filter(vendor__in=list(cards)),
            since - REPEAT_WINDOW if since is not None else None,
            until,
        )
        .annotate(pushback_notes=Count("notes", filter=Q(notes__pushback=True)))
        .order_by("opened_at", "pk")
        .values(
            "vendor_id",
            "ticket__organization_id",
            "incident_id",
            "status",
            "opened_at",
            "acknowledged_at",
            "acknowledge_by",
            "resolved_at",
            "rca_requested",
            "rca_received",
            "pushback_notes",
        )
    )
    last_seen: dict[tuple[int, int | str], datetime] = {}
    with_deadline: dict[int, int] = defaultdict(int)
    for row in rows:
        # A repeat is the same vendor failing the same customer again; an incident's case
        # stands for many customers, so it repeats only another case of that incident.
        customer = row["ticket__organization_id"] or f"incident-{row['incident_id']}"
        key = (row["vendor_id"], customer)
        previous = last_seen.get(key)
        last_seen[key] = row["opened_at"]
        if since is not None and row["opened_at"] < since:
            continue
        card = cards[row["vendor_id"]]
        card.escalations += 1
        if previous is not None and row["opened_at"] - previous <= REPEAT_WINDOW:
            card.repeat_incidents += 1
        if row["acknowledged_at"] is not None:
            card.acknowledge_minutes.append(_minutes(row["opened_at"], row["acknowledged_at"]))
        if row["resolved_at"] is not None:
            card.resolve_minutes.append(_minutes(row["opened_at"], row["resolved_at"]))
        deadline = row["acknowledge_by"]
        if deadline is not None:
            with_deadline[row["vendor_id"]] += 1
            acknowledged = row["acknowledged_at"]
            if (acknowledged is not None and acknowledged > deadline) or (
                acknowledged is None and deadline < now
            ):
                card.breached_expected_response += 1
            if (
                acknowledged is None
                and deadline < now
                and row["status"] not in ("resolved", "closed")
            ):
                card.acknowledgement_overdue += 1
        card.pushbacks += row["pushback_notes"]
        card.rca_requested += row["rca_requested"]
        card.rca_received += row["rca_received"]
    for vendor_pk, card in cards.items():
        card.median_minutes_to_acknowledge = _median(card.acknowledge_minutes)
        card.p90_minutes_to_acknowledge = percentile(card.acknowledge_minutes, 0.9)
        card.median_minutes_to_resolve = _median(card.resolve_minutes)
        card.p90_minutes_to_resolve = percentile(card.resolve_minutes, 0.9)
        if with_deadline[vendor_pk]:
            card.breached_expected_response_share = round(
                card.breached_expected_response / with_deadline[vendor_pk], 3
            )
    return list(cards.values())


def vendor_scorecard(
    vendor: Vendor, since: datetime | None = None, until: datetime | None = None
) -> dict[str, Any]:
    """The API's scorecard (GET /api/v1/vendors/{id}/scorecard/): exactly the contract's keys.

    escalations (count), median_minutes_to_acknowledge and median_minutes_to_resolve (minutes,
    one decimal, null without data), breached_expected_response (the number of cases that missed
    the vendor's expected response time) and pushbacks (notes flagged as pushback).
    """
    (card,) = vendor_scorecards(since=since, until=until, vendors=[vendor])
    return card.api_figures()


def sort_scorecards(cards: list[Scorecard], key: str, *, descending: bool) -> list[Scorecard]:
    """Sort by a figure; vendors without that figure (no data) always come last."""
    if key == "name":
        return sorted(cards, key=lambda card: card.vendor.name.casefold(), reverse=descending)
    present = [card for card in cards if getattr(card, key) is not None]
    missing = [card for card in cards if getattr(card, key) is None]
    present.sort(
        key=lambda card: (getattr(card, key), card.vendor.name.casefold()), reverse=descending
    )
    return present + missing


# --- the API --------------------------------------------------------------------------------------


def vendors_for_staff() -> QuerySet[Vendor]:
    """Every vendor, active or not, by name (the API's vendor list)."""
    return Vendor.objects.order_by("name", "id")


def escalation_with_notes(pk: int) -> VendorEscalation:
    """One escalation with its vendor, ticket, opener and notes loaded (the API's detail);
    VendorEscalation.DoesNotExist when there is none."""
    return (
        VendorEscalation.objects.select_related("vendor", "ticket", "opened_by")
        .prefetch_related("notes")
        .get(pk=pk)
    )


def escalation_notes(escalation: VendorEscalation | int) -> QuerySet[EscalationNote]:
    """An escalation's notes, oldest first, with their authors."""
    return (
        EscalationNote.objects.filter(escalation=escalation)
        .select_related("author")
        .order_by("created_at", "id")
    )


# --- vendor waits (the manager dashboard's "waiting on a vendor longest") -----------------------


def longest_vendor_waits(tickets: QuerySet[Ticket] | None = None) -> QuerySet[Ticket]:
    """Tickets waiting on a vendor, longest first, each with `waiting_since`; `tickets` is the
    caller's queryset (its joins and deferred fields) to narrow.

    The wait starts at the latest status change into waiting_on_vendor, kept per waiting ticket
    in `VendorWait`, so the longest ones are read off its `since` index whatever the number of
    waiting tickets. A wait whose start the history does not record comes after the known ones,
    so it cannot crowd the real longest waits out of a short list."""
    tickets = Ticket.objects.all() if tickets is None else tickets
    return (
        tickets.filter(status=Status.WAITING_ON_VENDOR, vendor_wait__isnull=False)
        .annotate(waiting_since=F("vendor_wait__since"))
        .order_by(F("vendor_wait__since").asc(nulls_last=True), "vendor_wait__ticket_id")
    )


def stored_vendor_waits() -> dict[int, datetime | None]:
    """ticket id -> since, as `VendorWait` holds them."""
    return dict(VendorWait.objects.values_list("ticket_id", "since"))


def vendor_waits_from_timeline() -> dict[int, datetime | None]:
    """ticket id -> since, for every ticket waiting on a vendor now, read from the timeline:
    the latest status change into waiting_on_vendor (None when there is none). What
    `VendorWait` must hold."""
    since = (
        TimelineEntry.objects.filter(
            ticket=OuterRef("pk"),
            kind=EntryKind.EVENT,
            event="status_changed",
            data__new=Status.WAITING_ON_VENDOR,
        )
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    return dict(
        Ticket.objects.filter(status=Status.WAITING_ON_VENDOR)
        .annotate(since=Subquery(since))
        .values_list("pk", "since")
    )
