"""Time and billing: work types, time entries, contracts per organisation and closed months.

The money rules are pure functions here (``round_up``, ``BillableLine``, ``Contract.price``) so a
total can always be recomputed from the entries: nothing derived is stored. Money is ``Decimal``
throughout, never float.
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from accounts.business_hours import BusinessCalendar

MAX_ENTRY_MINUTES = 1440
CENT = Decimal("0.01")
ZERO = Decimal("0")
ONE = Decimal("1")
MINUTES_PER_HOUR = Decimal("60")
# Bounds a manager can type; they keep every amount inside the columns and far from overflow.
MAX_RATE = Decimal("100000")
MAX_MULTIPLIER = Decimal("100")
MAX_INCLUDED_MINUTES = 1_000_000
MAX_ROUNDING_MINUTES = 1440


class WorkType(models.Model):
    """What kind of work an entry was (remote, on site, ...): a contract prices each one."""

    name = models.CharField(max_length=80, unique=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TimeEntry(models.Model):
    """Minutes an agent worked on a ticket, starting at ``started_at``."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="time_entries"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="time_entries"
    )
    started_at = models.DateTimeField()
    minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_ENTRY_MINUTES)]
    )
    billable = models.BooleanField(default=True)
    work_type = models.ForeignKey(WorkType, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(
        blank=True, max_length=2000, help_text="Internal: never shown to customers."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name_plural = "time entries"
        indexes = [
            # The month's entries of every organisation (billing page, export, close), with
            # what their queries read, so a month is an index-only scan, not ~30k heap pages.
            models.Index(
                fields=["started_at", "id"],
                include=["ticket", "minutes", "billable", "work_type", "agent"],
                name="time_entry_month",
            ),
            models.Index(fields=["ticket", "started_at"], name="time_entry_ticket"),
            models.Index(fields=["agent", "started_at"], name="time_entry_agent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minutes__gte=1, minutes__lte=MAX_ENTRY_MINUTES),
                name="time_entry_minutes_1_to_1440",
            )
        ]

    def __str__(self) -> str:
        return f"{self.minutes} min on ticket {self.ticket_id}"

    def editable_by_author_until(self) -> datetime:
        return self.created_at + timedelta(days=settings.TIME_EDIT_DAYS)

    def is_locked(self, now: datetime | None = None) -> bool:
        """Past its author's editing window (managers may still change it, with a reason)."""
        return (now or timezone.now()) >= self.editable_by_author_until()


class Contract(models.Model):
    """What an organisation's support plan includes and what the rest costs."""

    organization = models.OneToOneField(
        "accounts.Organization", on_delete=models.CASCADE, related_name="contract"
    )
    included_minutes = models.PositiveIntegerField(
        default=0, validators=[MaxValueValidator(MAX_INCLUDED_MINUTES)]
    )
    # {"<work type id>": "<amount per hour>"}; a work type without a rate is charged 0.
    rates = models.JSONField(default=dict, blank=True)
    rounding_minutes = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(MAX_ROUNDING_MINUTES)]
    )
    out_of_hours_multiplier = models.DecimalField(
        max_digits=6,
        decimal_places=3,
        default=ONE,
        validators=[MinValueValidator(ZERO), MaxValueValidator(MAX_MULTIPLIER)],
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Contract of organisation {self.organization_id}"

    def rate_for(self, work_type_id: int) -> Decimal:
        value = (self.rates or {}).get(str(work_type_id))
        return Decimal(value) if value is not None else ZERO

    def billable_minutes(self, minutes: int, *, out_of_hours: bool) -> Decimal:
        """Rounded up to the contract's step, then (out of hours) multiplied; never rounded after."""
        rounded = Decimal(round_up(minutes, self.rounding_minutes))
        return rounded * self.out_of_hours_multiplier if out_of_hours else rounded

    def price(
        self,
        entries: Iterable[EntryFacts],
        calendar: BusinessCalendar | None,
        *,
        out_of_hours: Container[int] = frozenset(),
    ) -> Usage:
        """The month's usage from its entries (any order: sorted here by started_at, then id),
        with one line per billable entry. An entry is out of hours when ``calendar`` is closed
        at its start; without a calendar, when its id is in ``out_of_hours`` (tested already
        against the calendar's windows, billing.month_groups)."""
        usage = Usage(included_minutes=self.included_minutes)
        remaining = Decimal(self.included_minutes)
        rates = self._rates()
        for entry in sorted(entries, key=lambda e: (e.started_at, e.id)):
            group = EntryGroup(
                minutes=entry.minutes,
                billable=entry.billable,
                work_type_id=entry.work_type_id,
                out_of_hours=entry.billable
                and (
                    not calendar.is_open(entry.started_at)
                    if calendar is not None
                    else entry.id in out_of_hours
                ),
            )
            remaining, charges = self._add_group(usage, group, remaining, rates)
            for _count, billable, charged, rate in charges:
                usage.lines.append(BillableLine(entry, billable, charged, rate))
        return usage

    def price_groups(self, groups: Iterable[EntryGroup]) -> Usage:
        """The same usage (without lines) from groups of entries priced alike, given in the
        order the included minutes are used up (groups of entries wholly before, the one entry
        across the last included minute, then the rest; any order inside each part)."""
        usage = Usage(included_minutes=self.included_minutes)
        remaining = Decimal(self.included_minutes)
        rates = self._rates()
        for group in groups:
            remaining, _charges = self._add_group(usage, group, remaining, rates)
        return usage

    def _rates(self) -> dict[int, Decimal]:
        items = (self.rates or {}).items()
        return {int(key): Decimal(value) for key, value in items if str(key).isdigit()}

    def _add_group(
        self, usage: Usage, group: EntryGroup, remaining: Decimal, rates: dict[int, Decimal]
    ) -> tuple[Decimal, list[tuple[int, Decimal, Decimal, Decimal]]]:
        """The one pricing step: adds ``group`` to ``usage``; returns the included minutes left
        and (entries, billable, charged minutes, rate) for each part of the group, in order."""
        usage.minutes_logged += group.logged
        if not group.billable:
            return remaining, []
        billable = self.billable_minutes(group.minutes, out_of_hours=group.out_of_hours)
        rate = rates.get(group.work_type_id, ZERO)
        count = group.count
        if not remaining:  # the included minutes are used up: charged in full (most groups)
            usage.billable_minutes += billable * count
            usage.amount += count * line_amount(billable, rate)
            return remaining, [(count, billable, billable, rate)]
        covered = count if not billable else min(count, int(remaining // billable))
        remaining -= covered * billable
        charges = [(covered, billable, ZERO, rate)] if covered else []
        if covered < count and remaining > 0:
            # The one entry across the last included minute is charged for the rest of it.
            charges.append((1, billable, billable - remaining, rate))
            remaining, covered = ZERO, covered + 1
        if covered < count:
            charges.append((count - covered, billable, billable, rate))
        usage.billable_minutes += billable * count
        for number, _billable, charged, _rate in charges:
            usage.amount += number * line_amount(charged, rate)
        return remaining, charges


def round_up(minutes: int, step: int) -> int:
    """``minutes`` rounded up to a whole multiple of ``step`` (0 = no rounding)."""
    if step <= 0:
        return minutes
    return -(-minutes // step) * step


def money(value: Decimal) -> Decimal:
    """To the cent, half up (the rule for every invoice line)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@lru_cache(maxsize=4096)  # a month repeats the same few (minutes, rate) pairs thousands of times
def line_amount(charged_minutes: Decimal, rate: Decimal) -> Decimal:
    """The minutes beyond the included ones at the hourly rate, pro rata, to the cent."""
    return money(charged_minutes * rate / MINUTES_PER_HOUR)


@dataclass(frozen=True)
class EntryFacts:
    """What pricing needs of an entry (a model instance or a row read with values())."""

    id: int
    started_at: datetime
    minutes: int
    billable: bool
    work_type_id: int


class EntryGroup(NamedTuple):
    """``count`` entries that price alike: the same billable flag, work type, out-of-hours flag
    and (rounded) minutes. ``minutes`` may be already rounded to the contract's step (rounding
    again changes nothing); ``minutes_logged`` is then their raw minutes in all. (A named tuple:
    a month folds into tens of thousands of them.)"""

    minutes: int
    billable: bool
    work_type_id: int
    out_of_hours: bool
    count: int = 1
    minutes_logged: int | None = None

    @property
    def logged(self) -> int:
        return self.minutes * self.count if self.minutes_logged is None else self.minutes_logged


@dataclass(frozen=True)
class BillableLine:
    entry: EntryFacts
    billable_minutes: Decimal
    charged_minutes: Decimal
    rate: Decimal

    @property
    def amount(self) -> Decimal:
        return line_amount(self.charged_minutes, self.rate)


@dataclass
class Usage:
    included_minutes: int = 0
    minutes_logged: int = 0
    billable_minutes: Decimal = ZERO
    amount: Decimal = ZERO
    lines: list[BillableLine] = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.lines is None:
            self.lines = []

    @property
    def over_minutes(self) -> Decimal:
        return max(ZERO, self.billable_minutes - self.included_minutes)

    @property
    def percent_used(self) -> int | None:
        if not self.included_minutes:
            return None
        return int(self.billable_minutes * 100 / self.included_minutes)


class ClosedMonth(models.Model):
    """A month whose entries are locked for everyone (after invoicing)."""

    month = models.DateField(unique=True, help_text="The first day of the month.")
    closed_at = models.DateTimeField(default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} closed"


def month_of(moment: datetime, tz: str) -> date:
    """The calendar month (its first day) ``moment`` belongs to in the time zone ``tz``."""
    local = moment.astimezone(ZoneInfo(tz))
    return date(local.year, local.month, 1)


def month_bounds(month: date, tz: str) -> tuple[datetime, datetime]:
    """[start, end) of a calendar month in the time zone ``tz``, as aware datetimes."""
    zone = ZoneInfo(tz)
    following = next_month(month)
    return (
        datetime(month.year, month.month, 1, tzinfo=zone),
        datetime(following.year, following.month, 1, tzinfo=zone),
    )


def next_month(month: date) -> date:
    return date(month.year + 1, 1, 1) if month.month == 12 else date(month.year, month.month + 1, 1)


def widest_bounds(month: date) -> tuple[datetime, datetime]:
    """A UTC window holding the month in every time zone (UTC-12 to UTC+14), for one query that
    reads all organisations' entries; each entry is then placed in its own zone's month."""
    start, end = month_bounds(month, "UTC")
    return start - timedelta(hours=14), end + timedelta(hours=12)
