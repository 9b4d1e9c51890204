"""Reads for the manager dashboard: who is left without an update now, and how well promises are
kept over a period. Each function runs a fixed number of aggregate queries, whatever the data size.

Promise-kept rate counts promises that came due in the period: kept ones, breached ones, and pending
ones already past their deadline (they are breached now, whatever happens next). Withdrawn promises
(the ticket paused or was re-prioritised before the deadline) are neither kept nor broken.
The filters of a `Period` (owner, customer organisation, priority) narrow every trend figure; for
promises they are the ones recorded on the promise (the owner accountable while it was pending, the
priority in force when it was made), for tickets the ticket's current ones.
docs/dashboard.md explains every figure.
"""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from math import ceil

from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import ExtractHour, TruncWeek
from django.utils import timezone

from accounts.models import Organization, User
from tickets.models import OPEN_STATUSES, TRIAGED_OPEN_STATUSES, Status, Ticket
from updates.dashboard_tally import tally_hour
from updates.models import (
    Loss,
    LossCategory,
    Promise,
    PromiseOutcome,
    PromiseTally,
)
from vendors import selectors as vendor_selectors

NOW_PANEL_LENGTH = 50

KEPT = Q(outcome=PromiseOutcome.KEPT)
BROKEN = Q(outcome=PromiseOutcome.BREACHED) | Q(outcome=PromiseOutcome.PENDING)


@dataclass(frozen=True)
class Period:
    """The half-open time window [since, until) of the trends, and the optional filters."""

    since: datetime
    until: datetime
    owner_id: int | None = None
    organization_id: int | None = None
    priority: int | None = None

    @classmethod
    def last_days(cls, days: int, now: datetime | None = None) -> "Period":
        now = now or timezone.now()
        return cls(since=now - timedelta(days=days), until=now)

    def narrowed(self, **filters) -> "Period":
        return replace(self, **filters)

    def promise_filter(self) -> Q:
        condition = Q()
        if self.owner_id is not None:
            condition &= Q(owner_id=self.owner_id)
        if self.organization_id is not None:
            condition &= Q(organization_id=self.organization_id)
        if self.priority is not None:
            condition &= Q(priority=self.priority)
        return condition

    def ticket_filter(self) -> Q:
        condition = Q()
        if self.owner_id is not None:
            condition &= Q(owner_id=self.owner_id)
        if self.organization_id is not None:
            condition &= Q(organization_id=self.organization_id)
        if self.priority is not None:
            condition &= Q(priority=self.priority)
        return condition


# The ticket texts no panel shows; the search texts alone can be tens of kilobytes a ticket.
UNSHOWN_TICKET_FIELDS = (
    "description",
    "problem_statement",
    "priority_override_reason",
    "public_search_text",
    "internal_search_text",
)


def _tickets() -> QuerySet[Ticket]:
    return Ticket.objects.select_related("organization", "owner").defer(*UNSHOWN_TICKET_FIELDS)


def breached_now(now: datetime) -> QuerySet[Ticket]:
    """Open tickets whose promise has passed, most late first."""
    return _tickets().update_overdue(now).order_by("next_update_due")


def due_within_the_hour(now: datetime) -> QuerySet[Ticket]:
    return _tickets().due_within(timedelta(hours=1), now).order_by("next_update_due")


def unowned(now: datetime | None = None) -> QuerySet[Ticket]:
    """New tickets nobody has taken yet, oldest first (a new ticket may have its owner and still
    wait for our understanding: that one is not unowned)."""
    return _tickets().filter(status=Status.NEW, owner__isnull=True).order_by("created_at")


def understanding_unconfirmed() -> QuerySet[Ticket]:
    """Triaged open tickets whose customer has not confirmed our understanding (rule 9)."""
    return (
        _tickets()
        .filter(status__in=TRIAGED_OPEN_STATUSES, understanding_confirmed_at__isnull=True)
        .order_by("created_at")
    )


def waiting_on_vendor_longest() -> QuerySet[Ticket]:
    """Tickets in waiting_on_vendor, longest first, with `waiting_since` (None when unknown:
    those come last); vendors maintains the waits (vendors.selectors.longest_vendor_waits)."""
    return vendor_selectors.longest_vendor_waits(_tickets())


def _came_due(period: Period, now: datetime) -> QuerySet[Promise]:
    """Promises whose deadline fell in the period and has passed, excluding withdrawn ones."""
    return (
        Promise.objects.filter(due_at__gte=period.since, due_at__lt=min(period.until, now))
        .filter(period.promise_filter())
        .exclude(outcome=PromiseOutcome.WITHDRAWN)
    )


def _rate(kept: int, total: int) -> float | None:
    return round(100 * kept / total, 1) if total else None


def kept_rate_by(period: Period, now: datetime, group: str | None) -> list[dict]:
    """Promise-kept rate grouped by `group` (a Promise lookup such as "owner__name"),
    or by week of the deadline when group is None."""
    promises = _came_due(period, now)
    key = "week" if group is None else group
    if group is None:
        promises = promises.annotate(week=TruncWeek("due_at"))
    rows = (
        promises.values(key)
        .annotate(total=Count("id"), kept=Count("id", filter=KEPT))
        .order_by(key)
    )
    return [
        {
            "label": row[key],
            "kept": row["kept"],
            "total": row["total"],
            "rate": _rate(row["kept"], row["total"]),
        }
        for row in rows
    ]


def overall_kept_rate(period: Period, now: datetime) -> dict:
    totals = _came_due(period, now).aggregate(total=Count("id"), kept=Count("id", filter=KEPT))
    return totals | {"rate": _rate(totals["kept"], totals["total"])}


def _rate_rows(counts: dict, keys) -> list[dict]:
    return [
        {
            "label": key,
            "kept": counts[key][0],
            "total": counts[key][1],
            "rate": _rate(counts[key][0], counts[key][1]),
        }
        for key in keys
    ]


def _add(counts: dict, key, kept: int, total: int) -> None:
    old_kept, old_total = counts.get(key, (0, 0))
    counts[key] = (old_kept + kept, old_total + total)


def promise_figures(period: Period, now: datetime, tz) -> dict:
    """Every promise-kept figure of the dashboard page in three queries (two aggregates and the
    names of the owners and customers found), folded in Python.
    Same results as overall_kept_rate, kept_rate_by and breaches_by_hour, which stay the
    readable one-figure versions that read the ledger (tests check they agree).

    1. Overall, by week, by priority and breaches by hour: without an owner or customer filter,
       the whole UTC hours of the period come from the tally (updates.dashboard_tally: a row per
       hour and priority, about 2,900 rows for 30 days whatever the number of promises) and the
       two partial hours at its ends from the ledger's deadline index; one UNION ALL query.
       Filtered by owner or customer, or in a time zone whose offset is not whole hours (the
       tally's hours would straddle the zone's), they come from the ledger (`promise_came_due_by`).
    2. By owner and by customer: one scan of the ledger's covering index grouped by owner id
       and, separately, by customer id (GROUPING SETS), so a few thousand rows reach Python
       rather than every owner x customer pair; then one query for their names.
    """
    weeks, priorities, hours, kept_total = {}, {}, [0] * 24, [0, 0]
    for cell in _week_priority_hour_cells(period, now, tz):
        if not cell["n_due"]:
            continue  # a tally row whose every promise was withdrawn
        _add(weeks, cell["week"], cell["n_kept"], cell["n_due"])
        _add(priorities, cell["priority"], cell["n_kept"], cell["n_due"])
        hours[cell["hour_of_day"]] += cell["n_due"] - cell["n_kept"]
        kept_total[0] += cell["n_kept"]
        kept_total[1] += cell["n_due"]
    owners, organizations = {}, {}
    for group in _owner_and_organization_groups(period, now):
        counts = owners if group["kind"] == "owner" else organizations
        _add(counts, group["label"], group["n_kept"], group["n_due"])
    kept, total = kept_total
    return {
        "overall": {"total": total, "kept": kept, "rate": _rate(kept, total)},
        "by_week": _rate_rows(weeks, sorted(weeks)),
        "by_priority": _rate_rows(priorities, sorted(priorities)),
        "by_owner": _rate_rows(owners, sorted(owners, key=lambda name: (name is None, name))),
        "by_organization": _rate_rows(organizations, sorted(organizations)),
        "breaches_by_hour": hours,
    }


def _ledger_cells(promises: QuerySet[Promise], tz) -> QuerySet:
    return (
        promises.annotate(week=TruncWeek("due_at"), hour_of_day=ExtractHour("due_at", tzinfo=tz))
        .values("week", "hour_of_day", "priority")
        .annotate(n_due=Count("id"), n_kept=Count("id", filter=KEPT))
        .order_by()
    )


def _whole_hours(tz, *moments: datetime) -> bool:
    """Whether the zone's offset is whole hours at these moments (UTC hours are its hours)."""
    return all(moment.astimezone(tz).utcoffset().total_seconds() % 3600 == 0 for moment in moments)


def tally_span(period: Period, now: datetime, tz) -> tuple[datetime, datetime] | None:
    """The whole UTC hours [start, stop) of the period that the tally answers for, or None
    when the tally cannot answer (an owner or customer filter, a zone with a part-hour
    offset, no whole hour passed in the period)."""
    if period.owner_id is not None or period.organization_id is not None:
        return None
    end = min(period.until, now)
    start = tally_hour(period.since)
    if start < period.since:
        start += timedelta(hours=1)
    stop = tally_hour(end)
    if stop <= start or not _whole_hours(tz, period.since, end):
        return None
    return start, stop


def _week_priority_hour_cells(period: Period, now: datetime, tz) -> list[dict]:
    span = tally_span(period, now, tz)
    if span is None:
        return list(_ledger_cells(_came_due(period, now), tz))
    start, stop = span
    tallies = PromiseTally.objects.filter(hour__gte=start, hour__lt=stop)
    if period.priority is not None:
        tallies = tallies.filter(priority=period.priority)
    tallied = (
        tallies.annotate(week=TruncWeek("hour"), hour_of_day=ExtractHour("hour", tzinfo=tz))
        .values("week", "hour_of_day", "priority")
        .annotate(n_due=Sum("due"), n_kept=Sum("kept"))
        .order_by()
    )
    edges = _came_due(period, now).filter(Q(due_at__lt=start) | Q(due_at__gte=stop))
    return list(tallied.union(_ledger_cells(edges, tz), all=True).order_by())


def _owner_and_organization_groups(period: Period, now: datetime) -> list[dict]:
    """Kept and due per owner and per customer, grouped by the ids the covering index holds (no
    join over the period's promises), then named.

    1. PostgreSQL: one scan of the period's promises grouped by GROUPING SETS ((owner),
       (customer)); elsewhere a UNION ALL of the two groupings.
    2. One more query names them: the owners found, and every customer (a plain read of the
       organisation table is cheaper than a list of two thousand ids). It runs even when
       nothing came due, so the page's query count never depends on the data.
    """
    promises = _came_due(period, now)
    if connection.vendor == "postgresql":
        inner, parameters = (
            promises.values("owner_id", "organization_id", "outcome")
            .order_by()
            .query.sql_with_params()
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT CASE WHEN GROUPING(owner_id) = 0 THEN 'owner' ELSE 'organization' END, "
                "CASE WHEN GROUPING(owner_id) = 0 THEN owner_id ELSE organization_id END, "
                "count(*), count(*) FILTER (WHERE outcome = %s) "
                f"FROM ({inner}) AS came_due GROUP BY GROUPING SETS ((owner_id), (organization_id))",
                [PromiseOutcome.KEPT.value, *parameters],
            )
            groups = [
                {"kind": kind, "key": key, "n_due": due, "n_kept": kept}
                for kind, key, due, kept in cursor.fetchall()
            ]
    else:
        counted = {"n_due": Count("due_at"), "n_kept": Count("due_at", filter=KEPT)}
        by_owner = (
            promises.annotate(kind=Value("owner"), key=F("owner_id"))
            .values("kind", "key")
            .annotate(**counted)
            .order_by()
        )
        by_organization = (
            promises.annotate(kind=Value("organization"), key=F("organization_id"))
            .values("kind", "key")
            .annotate(**counted)
            .order_by()
        )
        groups = list(by_owner.union(by_organization, all=True).order_by())
    owner_ids = sorted({g["key"] for g in groups if g["kind"] == "owner"} - {None})
    owners = User.objects.filter(pk__in=owner_ids or [0]).order_by()
    names = {"owner": {}, "organization": {}}
    for kind, pk, name in (
        owners.annotate(kind=Value("owner"))
        .values_list("kind", "pk", "name")
        .union(
            Organization.objects.order_by()
            .annotate(kind=Value("organization"))
            .values_list("kind", "pk", "name"),
            all=True,
        )
        .order_by()
    ):
        names[kind][pk] = name
    for group in groups:
        group["label"] = names[group["kind"]].get(group["key"])
    return groups


def breaches_by_hour(period: Period, now: datetime, tz) -> list[int]:
    """How many promises were broken at each hour of the day (in `tz`), 0-23."""
    counts = dict(
        _came_due(period, now)
        .filter(BROKEN)
        .annotate(hour=ExtractHour("due_at", tzinfo=tz))
        .values_list("hour")
        .annotate(n=Count("id"))
        .values_list("hour", "n")
    )
    return [counts.get(hour, 0) for hour in range(24)]


def first_response_minutes(period: Period) -> list[float]:
    """Minutes from opening to the first public update (or the resolution), for tickets whose
    first-response promise was made in the period, read from the promise ledger: the answered
    first-response promise closed at that moment. Unanswered tickets are left out, and so are
    tickets paused before any answer (their promise was withdrawn). One index scan, no
    per-ticket subquery. A first response re-promised because the priority rose counts from
    the re-promise."""
    rows = _answered_first_responses(period).values_list("made_at", "closed_at")
    return sorted((answered - opened).total_seconds() / 60 for opened, answered in rows)


def _answered_first_responses(period: Period) -> QuerySet[Promise]:
    return Promise.objects.filter(
        is_first_response=True,
        outcome__in=[PromiseOutcome.KEPT, PromiseOutcome.BREACHED],
        made_at__gte=period.since,
        made_at__lt=period.until,
    ).filter(period.promise_filter())


FIRST_RESPONSE_BUCKETS: list[tuple[str, float | None]] = [
    ("under 15 min", 15),
    ("15-60 min", 60),
    ("1-4 h", 240),
    ("4-24 h", 1440),
    ("over 1 day", None),
]


def percentile(sorted_values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile (the smallest value with at least `fraction` of values at or
    below it); None without values."""
    if not sorted_values:
        return None
    rank = max(ceil(fraction * len(sorted_values)), 1)
    return sorted_values[rank - 1]


def first_response_summary(minutes: list[float]) -> dict:
    """Count, median, 90th percentile and the bucket counts of sorted first-response minutes.
    A response at exactly a bucket's upper bound falls in that bucket (15 min is "under 15")."""
    buckets = []
    lower = None
    for label, upper in FIRST_RESPONSE_BUCKETS:
        n = sum(
            1
            for value in minutes
            if (lower is None or value > lower) and (upper is None or value <= upper)
        )
        buckets.append((label, n))
        lower = upper
    return {
        "count": len(minutes),
        "median": percentile(minutes, 0.5),
        "p90": percentile(minutes, 0.9),
        "buckets": buckets,
    }


class PercentilesDisc(Aggregate):
    """PostgreSQL's percentile_disc(ARRAY[fractions]) WITHIN GROUP (ORDER BY expression): for
    each fraction, the smallest value with at least that fraction of the values at or below it
    (the nearest rank), from a single sort."""

    function = "percentile_disc"
    template = "%(function)s(ARRAY[%(fractions)s]) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fractions: tuple[float, ...], output_field, **extra):
        listed = ", ".join(repr(float(fraction)) for fraction in fractions)
        super().__init__(expression, fractions=listed, output_field=output_field, **extra)


def first_response_figures(period: Period) -> dict:
    """first_response_summary(first_response_minutes(period)), computed in the database on
    PostgreSQL: one aggregate over the `promise_first_response` index returns the count, the
    nearest-rank median and 90th percentile, and the bucket counts, instead of every ticket's
    time (tens of thousands of rows a month at scale) travelling to Python to be sorted."""
    if connection.vendor != "postgresql":
        return first_response_summary(first_response_minutes(period))
    response = ExpressionWrapper(F("closed_at") - F("made_at"), output_field=DurationField())
    buckets, lower = {}, None
    for index, (_, upper) in enumerate(FIRST_RESPONSE_BUCKETS):
        condition = Q()
        if lower is not None:
            condition &= Q(response__gt=timedelta(minutes=lower))
        if upper is not None:
            condition &= Q(response__lte=timedelta(minutes=upper))
        # closed_at (never null here) rather than id: the index holds it, no table visits.
        buckets[f"bucket_{index}"] = Count("closed_at", filter=condition)
        lower = upper
    figures = (
        _answered_first_responses(period)
        .annotate(response=response)
        .aggregate(
            count=Count("closed_at"),
            percentiles=PercentilesDisc(
                "response", (0.5, 0.9), output_field=ArrayField(DurationField())
            ),
            **buckets,
        )
    )

    def minutes(value: timedelta | None) -> float | None:
        return None if value is None else value.total_seconds() / 60

    median, p90 = figures["percentiles"] or (None, None)
    return {
        "count": figures["count"],
        "median": minutes(median),
        "p90": minutes(p90),
        "buckets": [
            (label, figures[f"bucket_{index}"])
            for index, (label, _) in enumerate(FIRST_RESPONSE_BUCKETS)
        ],
    }


AGE_BUCKETS: list[tuple[str, timedelta | None]] = [
    ("under 1 day", timedelta(days=1)),
    ("1-3 days", timedelta(days=3)),
    ("3-7 days", timedelta(days=7)),
    ("1-4 weeks", timedelta(days=28)),
    ("over 4 weeks", None),
]


def open_tickets_by_age(now: datetime, period: Period | None = None) -> list[tuple[str, int]]:
    """Open tickets now (whatever the period), by time since they were opened; the period's
    owner, organisation and priority filters apply."""
    buckets = {}
    lower = None
    for index, (_, upper) in enumerate(AGE_BUCKETS):
        condition = Q()  # the WHERE clause already keeps open tickets only
        if upper is not None:
            condition &= Q(created_at__gt=now - upper)
        if lower is not None:
            condition &= Q(created_at__lte=now - lower)
        # created_at is never null and in the (status, created_at) index: an index-only count.
        buckets[f"bucket_{index}"] = Count("created_at", filter=condition)
        lower = upper
    scope = period.ticket_filter() if period else Q()
    counts = Ticket.objects.filter(scope, status__in=OPEN_STATUSES).aggregate(**buckets)
    return [(label, counts[f"bucket_{index}"]) for index, (label, _) in enumerate(AGE_BUCKETS)]


def _losses(period: Period) -> QuerySet[Loss]:
    losses = Loss.objects.filter(created_at__gte=period.since, created_at__lt=period.until)
    if period.organization_id is not None:
        losses = losses.filter(organization_id=period.organization_id)
    if period.owner_id is not None:
        losses = losses.filter(ticket__owner_id=period.owner_id)
    return losses


def losses_by_category(period: Period) -> list[tuple[str, int]]:
    counts = dict(
        _losses(period).values_list("category").annotate(n=Count("id")).values_list("category", "n")
    )
    return [(category.label, counts.get(category.value, 0)) for category in LossCategory]


LOSS_LOG_LENGTH = 200


def loss_log(period: Period, category: str | None = None) -> QuerySet[Loss]:
    """Dissatisfaction events in the period, newest first, with what the page shows joined."""
    losses = _losses(period).select_related(
        "ticket", "organization", "recorded_by", "feedback", "ticket__owner"
    )
    if category:
        losses = losses.filter(category=category)
    return losses.order_by("-created_at", "-id")


def losses_for_ticket(ticket: Ticket) -> QuerySet[Loss]:
    return Loss.objects.filter(ticket=ticket).select_related("recorded_by").order_by("-created_at")
