"""Plain-Python formatting for long lists of times (the staff ticket page formats two times for
each of its 50 timeline entries, the portal up to a hundred moments a page), where a template
filter per value is measurable, and the one way staff pages write a duration."""

from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache

from django.utils import timezone, translation
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR


def local_time(value: datetime, zone: tzinfo | None = None) -> datetime:
    """`value` in `zone` (the active time zone by default). A stored moment that zone cannot
    show (near year 1 or 9999, written before every input was bounded) is shown in UTC rather
    than failing the whole page."""
    try:
        return value.astimezone(zone or timezone.get_current_timezone())
    except (OverflowError, ValueError):
        return value.astimezone(UTC)


@lru_cache(maxsize=16)
def _names(language: str | None) -> tuple[list[str], list[str]]:
    """Weekday and month abbreviations in this language, as the `date` filter's D and M say
    them; looked up once per language rather than per value."""
    with translation.override(language):
        weekdays = [str(WEEKDAYS_ABBR[day]) for day in range(7)]
        months = [""] + [str(MONTHS_3[month]).title() for month in range(1, 13)]
    return weekdays, months


def day_and_month(local: datetime) -> str:
    """`date:"D j M"` of an already local time: "Tue 1 Dec"."""
    weekdays, months = _names(translation.get_language())
    return f"{weekdays[local.weekday()]} {local.day} {months[local.month]}"


class DatetimeText:
    """Formats times in the current time zone, looked up once for a whole list.

    `short(value)` is the text of the template filter `date:"D j M, H:i"` ("Tue 1 Dec, 09:05"),
    "" for None; `iso(value)` that of `date:"c"`."""

    def __init__(self) -> None:
        self.tz = timezone.get_current_timezone()

    def short(self, value: datetime | None) -> str:
        if value is None:
            return ""
        local = local_time(value, self.tz)
        return f"{day_and_month(local)}, {local.hour:02d}:{local.minute:02d}"

    def iso(self, value: datetime) -> str:
        return local_time(value, self.tz).isoformat()


def duration_text(minutes: float) -> str:
    """The one way staff pages write a duration: "45 min", "3 h 20 min", "4 days" (whole days
    from 48 hours on). Countdowns, waits, scorecard figures and the dashboard all use it, and
    static/js/workspace.js ticks countdowns with the same rules."""
    minutes = max(0, round(minutes))
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    return f"{hours // 24} days"


def elapsed_text(start: datetime, end: datetime) -> str:
    """The time from `start` to `end` in whole minutes (counted down), as duration_text writes it."""
    return duration_text((end - start) // timedelta(minutes=1))
