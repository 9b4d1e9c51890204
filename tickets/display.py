"""Plain-Python formatting for the staff pages' long lists, where a template filter per value
is measurable (the ticket page formats two times for each of its 50 timeline entries)."""

from datetime import datetime

from django.utils import timezone
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR


class DatetimeText:
    """Formats times in the current time zone and language, looked up once for a whole list.

    `short(value)` is the text of the template filter `date:"D j M, H:i"` ("Tue 1 Dec, 09:05"),
    "" for None; `iso(value)` that of `date:"c"`."""

    def __init__(self) -> None:
        self.tz = timezone.get_current_timezone()
        self.weekdays = [str(WEEKDAYS_ABBR[day]) for day in range(7)]
        self.months = [""] + [str(MONTHS_3[month]).title() for month in range(1, 13)]

    def short(self, value: datetime | None) -> str:
        if value is None:
            return ""
        local = value.astimezone(self.tz)
        return (
            f"{self.weekdays[local.weekday()]} {local.day} {self.months[local.month]}, "
            f"{local.hour:02d}:{local.minute:02d}"
        )

    def iso(self, value: datetime) -> str:
        return value.astimezone(self.tz).isoformat()


def short_datetime(value: datetime | None) -> str:
    """One `date:"D j M, H:i"` text; use DatetimeText for a list."""
    return DatetimeText().short(value)
