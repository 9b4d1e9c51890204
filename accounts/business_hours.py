"""Business-hours arithmetic for SLA clocks.

A :class:`BusinessCalendar` says when an organisation's support clock runs: a daily
opening window in a local timezone, on chosen weekdays, minus public holidays.  It can
answer "is the clock running now?", "when does it next start?", "when is a deadline that
needs N hours of business time?", "when is N business hours before a deadline?" and "how much business time passed between A and B?".

DST policy (the one non-obvious choice): each business day's window is built from the
*local date plus the configured wall-clock times* and the clock counts *real elapsed
time* between those two instants.  On a day whose DST change falls inside business
hours the window is therefore an hour shorter or longer than :attr:`day_length` (for
example 08:00-18:00 is 9h or 11h of real time).  That is what a customer sees on the
wall clock - the desk opens at 08:00 and shuts at 18:00 local time - and it keeps every
result an honest UTC instant.  Wall times that fall in a DST gap or fold are resolved
the PEP 495 way (``fold=0``): a skipped time uses the offset from before the change and
a repeated time means its first occurrence.  If that makes a window empty (only possible
when opening or closing lies inside a gap) the day simply contributes no business time.

Everything here is pure Python with no Django or database access, so it can be used
from models, services and tests alike.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

__all__ = ["BusinessCalendar"]

_UTC = UTC
_ONE_DAY = timedelta(days=1)

# A calendar that never opens would otherwise make the deadline search spin forever;
# three years comfortably covers any real holiday cluster and still bounds the work.
_MAX_DAYS_WITHOUT_BUSINESS = 3 * 366
# Days of windows one calendar keeps (a few years); bounded so a long-lived calendar stays small.
_WINDOW_CACHE_DAYS = 2048


@functools.lru_cache(maxsize=512)
def _holiday_dates(country: str, subdivision: str, year: int) -> frozenset[date]:
    """Public holidays for one country/subdivision/year.

    Cached at module level because building a ``holidays`` calendar is far slower than a
    set lookup and deadline searches ask about the same year many times.  A frozenset is
    returned (rather than the ``holidays`` dict) so a cached value can never be mutated
    by the library's auto-expansion when asked about another year.
    """
    calendar = holidays.country_holidays(country, subdiv=subdivision or None, years=year)
    return frozenset(calendar.keys())


@functools.lru_cache(maxsize=1024)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _is_weekday_number(value: object) -> bool:
    # bool is an int subclass; True/False as weekdays is almost certainly a bug.
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6


def _require_aware(moment: datetime, name: str) -> datetime:
    """Return ``moment`` in UTC, rejecting naive datetimes.

    A naive datetime has no defined instant, so guessing a zone would silently shift
    SLA deadlines by hours; refusing loudly is safer.
    """
    if not isinstance(moment, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive datetime {moment!r}")
    return moment.astimezone(_UTC)


@dataclass(frozen=True)
class BusinessCalendar:
    """When a customer organisation's support clock runs.

    Business hours are ``[opens, closes)`` local time in ``timezone`` on each day whose
    weekday (Monday=0) is in ``weekdays`` and which is not a public holiday of
    ``holiday_country``/``holiday_subdivision`` (per the ``holidays`` library, observed
    substitute days included).  A calendar cannot run past midnight: ``opens`` must be
    strictly before ``closes`` on the same day.

    All returned datetimes are aware and expressed in the calendar's timezone; input
    datetimes may be in any timezone but must be aware.
    """

    timezone: str
    opens: time = time(8, 0)
    closes: time = time(18, 0)
    weekdays: frozenset[int] = field(default=frozenset({0, 1, 2, 3, 4}))
    holiday_country: str = ""
    holiday_subdivision: str = ""

    def __post_init__(self) -> None:
        """Validate eagerly so a bad calendar fails when configured, not mid-deadline."""
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
            raise ValueError(f"Unknown timezone {self.timezone!r}: use an IANA name") from exc

        for label, value in (("opens", self.opens), ("closes", self.closes)):
            if not isinstance(value, time):
                raise ValueError(f"{label} must be a datetime.time, got {value!r}")
            if value.tzinfo is not None:
                # The calendar's own timezone is the only one that applies.
                raise ValueError(f"{label} must be a naive wall-clock time, got {value!r}")
        if not self.opens < self.closes:
            raise ValueError(
                f"opens ({self.opens.isoformat()}) must be before closes "
                f"({self.closes.isoformat()}); overnight windows are not supported"
            )

        # Accept any iterable of ints so callers can pass a set or list, but store a
        # frozenset to keep the dataclass hashable and immutable.
        try:
            weekdays = frozenset(self.weekdays)
        except TypeError as exc:
            raise ValueError(
                f"weekdays must be a collection of ints, got {self.weekdays!r}"
            ) from exc
        if not weekdays:
            raise ValueError("weekdays must not be empty: the calendar would never open")
        bad = sorted(
            (d for d in weekdays if not _is_weekday_number(d)),
            key=repr,
        )
        if bad:
            raise ValueError(f"weekdays must be ints in 0..6 (Monday=0), got invalid {bad!r}")
        object.__setattr__(self, "weekdays", weekdays)

        if self.holiday_subdivision and not self.holiday_country:
            raise ValueError("holiday_subdivision requires holiday_country")
        if self.holiday_country:
            try:
                # Any year will do to validate the codes; the current one is surely supported.
                year = datetime.now(_UTC).year
                _holiday_dates(self.holiday_country, self.holiday_subdivision, year)
            except NotImplementedError as exc:
                raise ValueError(
                    f"Unknown holiday country/subdivision "
                    f"{self.holiday_country!r}/{self.holiday_subdivision!r} for the "
                    f"'holidays' library (country codes are upper-case ISO 3166, "
                    f"e.g. 'GB' with subdivision 'ENG'): {exc}"
                ) from exc

    @property
    def tzinfo(self) -> ZoneInfo:
        """The calendar's timezone (held here: ZoneInfo's own cache keeps only a few zones that
        nothing references, so a loop over many organisations would read the files again)."""
        return _zone(self.timezone)

    @property
    def day_length(self) -> timedelta:
        """Nominal length of a business day (``closes - opens``) in wall-clock time.

        On a day with a DST change inside business hours the real length differs by the
        size of the change; see the module docstring.
        """
        return datetime.combine(date.min, self.closes) - datetime.combine(date.min, self.opens)

    def is_business_day(self, d: date) -> bool:
        """Whether the clock runs at all on local date ``d``."""
        if isinstance(d, datetime):
            # datetime never equals a date, so a holiday lookup would silently miss;
            # and which local date an instant falls on depends on the calendar's zone.
            raise TypeError(
                "is_business_day takes a date; use moment.astimezone(calendar.tzinfo).date()"
            )
        if d.weekday() not in self.weekdays:
            return False
        if self.holiday_country:
            return d not in _holiday_dates(self.holiday_country, self.holiday_subdivision, d.year)
        return True

    def is_open(self, moment: datetime) -> bool:
        """Whether the clock is running at ``moment`` (opening inclusive, closing exclusive)."""
        instant = _require_aware(moment, "moment")
        local_day = instant.astimezone(self.tzinfo).date()
        # Neighbouring days are checked too because a gap/fold near midnight can put part
        # of one day's window on an instant whose local date is the next or previous day.
        for day in (local_day - _ONE_DAY, local_day, local_day + _ONE_DAY):
            window = self._window(day)
            if window is not None and window[0] <= instant < window[1]:
                return True
        return False

    def next_opening(self, moment: datetime) -> datetime:
        """``moment`` itself if the clock is running, else the instant it next starts."""
        instant = _require_aware(moment, "moment")
        if self.is_open(instant):
            return instant.astimezone(self.tzinfo)
        for opens_at, _closes_at in self._windows_from(self._local_date(instant) - _ONE_DAY):
            if opens_at > instant:
                return opens_at.astimezone(self.tzinfo)
        raise AssertionError("unreachable: _windows_from is infinite or raises")  # pragma: no cover

    def add_business_time(self, start: datetime, duration: timedelta) -> datetime:
        """The instant at which ``duration`` of business time has elapsed after ``start``.

        Counting starts at ``start`` if the clock is running, otherwise at the next
        opening.  For a positive duration the result always lies inside business hours,
        with a deadline exactly at closing time counted as inside (Mon 08:00 + 10h is
        Mon 18:00, not Tue 08:00) so deadlines never jump over a night needlessly.  A zero
        duration returns ``start`` itself (as the same instant, in the calendar's zone),
        never a later opening, so "no SLA time" means "due immediately".
        """
        instant = _require_aware(start, "start")
        if not isinstance(duration, timedelta):
            raise TypeError(f"duration must be a timedelta, got {type(duration).__name__}")
        if duration < timedelta(0):
            raise ValueError(f"duration must not be negative, got {duration!r}")
        if not duration:
            return instant.astimezone(self.tzinfo)

        remaining = duration
        for opens_at, closes_at in self._windows_from(self._local_date(instant) - _ONE_DAY):
            if closes_at <= instant:
                continue
            begin = max(opens_at, instant)
            available = closes_at - begin
            if remaining <= available:
                return (begin + remaining).astimezone(self.tzinfo)
            remaining -= available
        raise AssertionError("unreachable: _windows_from is infinite or raises")  # pragma: no cover

    def subtract_business_time(self, end: datetime, duration: timedelta) -> datetime:
        """The latest instant from which ``duration`` of business time runs until ``end``.

        The mirror of :meth:`add_business_time`: counting backwards starts at ``end`` if the
        clock is running, otherwise at the previous closing.  For a positive duration the
        result always lies inside business hours, with a result exactly at opening time
        counted as inside (Mon 18:00 - 10h is Mon 08:00, not Fri 18:00).  A zero duration
        returns ``end`` itself.  Used for "remind two business hours before the deadline".
        """
        instant = _require_aware(end, "end")
        if not isinstance(duration, timedelta):
            raise TypeError(f"duration must be a timedelta, got {type(duration).__name__}")
        if duration < timedelta(0):
            raise ValueError(f"duration must not be negative, got {duration!r}")
        if not duration:
            return instant.astimezone(self.tzinfo)

        remaining = duration
        for opens_at, closes_at in self._windows_before(self._local_date(instant) + _ONE_DAY):
            if opens_at >= instant:
                continue
            finish = min(closes_at, instant)
            available = finish - opens_at
            if remaining <= available:
                return (finish - remaining).astimezone(self.tzinfo)
            remaining -= available
        raise AssertionError(
            "unreachable: _windows_before is infinite or raises"
        )  # pragma: no cover

    def business_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Business time elapsed from ``start`` to ``end``; zero if ``end <= start``.

        The inverse of :meth:`add_business_time`: for a positive duration ``d``,
        ``business_time_between(s, add_business_time(s, d)) == d``.
        """
        begin = _require_aware(start, "start")
        finish = _require_aware(end, "end")
        total = timedelta(0)
        if finish <= begin:
            return total
        day = self._local_date(begin) - _ONE_DAY
        last = self._local_date(finish) + _ONE_DAY
        while day <= last:
            window = self._window(day)
            if window is not None:
                overlap = min(window[1], finish) - max(window[0], begin)
                if overlap > timedelta(0):
                    total += overlap
            day += _ONE_DAY
        return total

    def windows_between(self, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        """Every business window (UTC ``(opens, closes)``) of the local days from ``start`` to
        ``end``, one day either side included: an instant in that span is open exactly when a
        window holds it (what :meth:`is_open` checks), so a query can test many at once."""
        day = self._local_date(_require_aware(start, "start")) - _ONE_DAY
        last = self._local_date(_require_aware(end, "end")) + _ONE_DAY
        windows = []
        while day <= last:
            window = self._window(day)
            if window is not None:
                windows.append(window)
            day += _ONE_DAY
        return windows

    def _local_date(self, instant: datetime) -> date:
        return instant.astimezone(self.tzinfo).date()

    def _window(self, day: date) -> tuple[datetime, datetime] | None:
        """UTC ``(opens, closes)`` instants for local date ``day``, or None if closed.

        Built from wall-clock times with fold=0 (see module docstring), so the real
        length follows DST changes inside business hours. Cached per calendar (it is
        immutable): pricing a month of time entries asks about the same days thousands of times.
        """
        cache = self.__dict__.setdefault("_window_cache", {})
        if day not in cache:
            if len(cache) > _WINDOW_CACHE_DAYS:
                cache.clear()
            cache[day] = self._compute_window(day)
        return cache[day]

    def _compute_window(self, day: date) -> tuple[datetime, datetime] | None:
        if not self.is_business_day(day):
            return None
        tz = self.tzinfo
        opens_at = datetime.combine(day, self.opens.replace(fold=0), tzinfo=tz).astimezone(_UTC)
        closes_at = datetime.combine(day, self.closes.replace(fold=0), tzinfo=tz).astimezone(_UTC)
        if closes_at <= opens_at:
            return None
        return opens_at, closes_at

    def _windows_before(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        """Business windows in reverse chronological order from local date ``day`` backwards."""
        idle_days = 0
        while True:
            window = self._window(day)
            if window is None:
                idle_days += 1
                if idle_days > _MAX_DAYS_WITHOUT_BUSINESS:
                    raise ValueError(
                        f"{self!r} has no business hours in the {_MAX_DAYS_WITHOUT_BUSINESS} "
                        f"days after {day.isoformat()}; check its weekdays and holidays"
                    )
            else:
                idle_days = 0
                yield window
            day -= _ONE_DAY

    def _windows_from(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        """Business windows in chronological order from local date ``day`` onwards."""
        idle_days = 0
        while True:
            window = self._window(day)
            if window is None:
                idle_days += 1
                if idle_days > _MAX_DAYS_WITHOUT_BUSINESS:
                    raise ValueError(
                        f"{self!r} has no business hours in the {_MAX_DAYS_WITHOUT_BUSINESS} "
                        f"days before {day.isoformat()}; check its weekdays and holidays"
                    )
            else:
                idle_days = 0
                yield window
            day += _ONE_DAY
