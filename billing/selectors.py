"""Reads of time and billing. Usage is always recomputed from the entries (nothing derived is
stored), and every list here runs a fixed number of queries whatever its length: the month's
entries of every organisation are read in one query over a UTC window wide enough for every time
zone, then each entry is placed in its own organisation's month."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from accounts.models import Organization, User
from billing.models import (
    ClosedMonth,
    Contract,
    EntryFacts,
    TimeEntry,
    Usage,
    WorkType,
    month_bounds,
)
from billing.month_groups import billable_entries, month_groups
from tickets.models import Ticket

ENTRY_COLUMNS = ("id", "started_at", "minutes", "billable", "work_type_id")


def work_types(*, active_only: bool = False) -> QuerySet[WorkType]:
    queryset = WorkType.objects.order_by("name")
    return queryset.filter(active=True) if active_only else queryset


def contract_for(organization: Organization) -> Contract:
    """The organisation's contract, or the default one (nothing included, no rates) unsaved."""
    contract = Contract.objects.filter(organization=organization).first()
    return contract or Contract(organization=organization)


def closed_months() -> set[date]:
    return set(ClosedMonth.objects.values_list("month", flat=True))


def entries_for_ticket(ticket: Ticket) -> list[TimeEntry]:
    return list(
        TimeEntry.objects.filter(ticket=ticket)
        .select_related("agent", "work_type")
        .order_by("-started_at", "-id")
    )


def ticket_minutes(ticket: Ticket) -> int:
    return TimeEntry.objects.filter(ticket=ticket).aggregate(total=Sum("minutes"))["total"] or 0


def organization_usage(organization: Organization, month: date, *, lines: bool = False) -> Usage:
    """The organisation's usage of the month; with ``lines`` (the drill-down) priced entry by
    entry with one line each, else from the month's entry groups (the same figures, fast)."""
    contract = contract_for(organization)
    if not lines:
        groups = month_groups(month, [organization]).get(organization.pk, [])
        return contract.price_groups(groups)
    start, end = month_bounds(month, organization.timezone)
    rows = TimeEntry.objects.filter(
        ticket__organization=organization, started_at__gte=start, started_at__lt=end
    ).values_list(*ENTRY_COLUMNS)
    return contract.price([EntryFacts(*row) for row in rows], organization.calendar())


@dataclass
class OrganizationMonth:
    organization: Organization
    usage: Usage
    contract: Contract

    @property
    def is_over(self) -> bool:
        """Past the hours its contract includes (pay as you go includes none to exceed)."""
        return self.usage.included_minutes > 0 and self.usage.over_minutes > 0


def billing_overview(month: date) -> list[OrganizationMonth]:
    """Every organisation's usage of the month: those past their included hours first, then the
    rest, each by amount (largest first), then by name. Three queries whatever the number of
    organisations: the month's entries arrive folded into a few groups per organisation
    (billing.month_groups)."""
    organizations = list(Organization.objects.order_by("name"))
    contracts = {contract.organization_id: contract for contract in Contract.objects.all()}
    groups = month_groups(month, organizations)
    rows = []
    for organization in organizations:
        contract = contracts.get(organization.pk) or Contract(organization=organization)
        usage = contract.price_groups(groups.get(organization.pk, []))
        rows.append(OrganizationMonth(organization, usage, contract))
    rows.sort(key=lambda row: (not row.is_over, -row.usage.amount))  # stable: then by name
    return rows


@dataclass(frozen=True)
class MonthTotals:
    """The whole month's figures over every organisation (shown above one page of them)."""

    organizations: int
    over: int
    minutes_logged: int
    billable_minutes: Decimal
    over_minutes: Decimal
    amount: Decimal


def month_totals(rows: list[OrganizationMonth]) -> MonthTotals:
    return MonthTotals(
        organizations=len(rows),
        over=sum(1 for row in rows if row.is_over),
        minutes_logged=sum(row.usage.minutes_logged for row in rows),
        billable_minutes=sum((row.usage.billable_minutes for row in rows), Decimal(0)),
        over_minutes=sum((row.usage.over_minutes for row in rows), Decimal(0)),
        amount=sum((row.usage.amount for row in rows), Decimal(0)),
    )


@dataclass(frozen=True)
class ExportLine:
    organization: str
    ticket: str
    date: date
    agent: str
    work_type: str
    minutes: int
    billable_minutes: Decimal
    rate: Decimal
    amount: Decimal


def export_lines(month: date, organization_id: int | None = None) -> Iterator[ExportLine]:
    """One line per billable entry of the month, organisation by organisation (by name), in the
    order the included minutes are used up. Four queries whatever the size: the month's billable
    entries come through one server-side cursor in organisation order, each already tested
    against its organisation's business hours in SQL, and only one organisation's entries are in
    memory at a time, so the export streams."""
    organizations = Organization.objects.order_by("name", "pk")
    if organization_id is not None:
        organizations = organizations.filter(pk=organization_id)
    ordered = list(organizations)
    by_id = {organization.pk: organization for organization in ordered}
    contracts = {
        contract.organization_id: contract
        for contract in Contract.objects.filter(organization__in=list(by_id))
    }
    names = dict(WorkType.objects.values_list("pk", "name"))
    group: list[tuple] = []
    for row in billable_entries(month, ordered):
        if group and group[0][0] != row[0]:
            yield from _export_group(group, by_id[group[0][0]], contracts, names)
            group = []
        group.append(row)
    if group:
        yield from _export_group(group, by_id[group[0][0]], contracts, names)


def _export_group(
    rows: list[tuple],
    organization: Organization,
    contracts: dict[int, Contract],
    names: dict[int, str],
) -> Iterator[ExportLine]:
    zone = ZoneInfo(organization.timezone)
    extra = {entry.id: rest for _org, entry, _ooh, *rest in rows}
    contract = contracts.get(organization.pk) or Contract(organization=organization)
    usage = contract.price(
        [row[1] for row in rows], None, out_of_hours={row[1].id for row in rows if row[2]}
    )
    for line in usage.lines:
        ticket_id, agent_name, agent_email = extra[line.entry.id]
        yield ExportLine(
            organization=organization.name,
            ticket=f"SD-{ticket_id}",
            date=line.entry.started_at.astimezone(zone).date(),
            agent=User.display_name_for(agent_name, agent_email),
            work_type=names.get(line.entry.work_type_id, ""),
            minutes=line.entry.minutes,
            billable_minutes=line.billable_minutes,
            rate=line.rate,
            amount=line.amount,
        )


@dataclass(frozen=True)
class TicketMonth:
    ticket_id: int
    reference: str
    subject: str
    minutes: int
    entries: int


def organization_tickets(organization: Organization, month: date) -> list[TicketMonth]:
    """The drill-down: the organisation's tickets with time in the month, most time first."""
    start, end = month_bounds(month, organization.timezone)
    rows = (
        TimeEntry.objects.filter(
            ticket__organization=organization, started_at__gte=start, started_at__lt=end
        )
        .values("ticket_id", "ticket__subject")
        .annotate(minutes=Sum("minutes"), entries=Count("id"))
        .order_by("-minutes", "ticket_id")
    )
    return [
        TicketMonth(
            row["ticket_id"],
            f"SD-{row['ticket_id']}",
            row["ticket__subject"],
            row["minutes"],
            row["entries"],
        )
        for row in rows
    ]


def organization_entries(organization: Organization, month: date) -> QuerySet[TimeEntry]:
    start, end = month_bounds(month, organization.timezone)
    return (
        TimeEntry.objects.filter(
            ticket__organization=organization, started_at__gte=start, started_at__lt=end
        )
        .select_related("agent", "work_type", "ticket")
        .order_by("started_at", "id")
    )


def minutes_per_day(agent: User, *, days: int = 14) -> list[tuple[date, int]]:
    """The agent's logged minutes per day in their own time zone, the last ``days`` days, newest
    first (days without time show 0)."""
    zone = ZoneInfo(agent.effective_timezone)
    today = timezone.now().astimezone(zone).date()
    first = today - timedelta(days=days - 1)
    since = datetime(first.year, first.month, first.day, tzinfo=zone)
    totals: dict[date, int] = defaultdict(int)
    for started_at, minutes in TimeEntry.objects.filter(
        agent=agent, started_at__gte=since
    ).values_list("started_at", "minutes"):
        totals[started_at.astimezone(zone).date()] += minutes
    return [
        (today - timedelta(days=n), totals.get(today - timedelta(days=n), 0)) for n in range(days)
    ]


def minutes_per_organization(month: date) -> list[tuple[Organization, int]]:
    """(organisation, minutes logged) in the month (in UTC, for a dashboard glance; the billing
    page has the exact months), most first; organisations without time are left out."""
    start, end = month_bounds(month, "UTC")
    rows = (
        TimeEntry.objects.filter(started_at__gte=start, started_at__lt=end)
        .values("ticket__organization_id")
        .annotate(minutes=Sum("minutes"))
        .order_by("-minutes")
    )
    totals = {row["ticket__organization_id"]: row["minutes"] for row in rows}
    organizations = Organization.objects.in_bulk(list(totals))
    return [(organizations[pk], minutes) for pk, minutes in totals.items() if pk in organizations]
