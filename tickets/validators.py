"""Validators the services share (tickets, vendors and the apps above): each checks one value a
caller passed, returns it cleaned, or raises a ValidationError keyed by the field it names, so a
bad value is refused before anything is written (DESIGN: bad input gets a clear error naming the
field and changes nothing).
"""

from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from tickets.models import BODY_MAX_LENGTH

# Every moment and day a person can type or send lies in these years: far wider than any real
# deadline or report, and narrow enough that showing one in any time zone cannot overflow
# Python's datetime (years 1..9999) or PostgreSQL's range.
EARLIEST_YEAR = 2000
LATEST_YEAR = 2099
EARLIEST_MOMENT = datetime(EARLIEST_YEAR, 1, 1, tzinfo=UTC)
END_OF_RANGE = datetime(LATEST_YEAR + 1, 1, 1, tzinfo=UTC)
OUT_OF_RANGE = f"Give a date between {EARLIEST_YEAR} and {LATEST_YEAR}."
NUL_REFUSED = "Null characters are not allowed."


def text(
    value: Any,
    field: str,
    *,
    max_length: int,
    required: bool,
    missing: str = "This field is required.",
) -> str:
    """Text, stripped; None is blank. Required text must have something besides whitespace
    (`missing` says so otherwise)."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError({field: "Must be text."})
    value = value.strip()
    if "\x00" in value:
        # PostgreSQL cannot store NUL in text.
        raise ValidationError({field: NUL_REFUSED})
    if required and not value:
        raise ValidationError({field: missing})
    if len(value) > max_length:
        raise ValidationError(
            {field: f"At most {max_length:,} characters (this has {len(value):,})."}
        )
    return value


def moment_in_range(value: Any, field: str) -> datetime | None:
    """An aware datetime within EARLIEST_YEAR..LATEST_YEAR, returned in UTC (PostgreSQL refuses
    offsets beyond 15:59, which Python allows); None stays None."""
    if value is None:
        return None
    if not isinstance(value, datetime) or timezone.is_naive(value):
        raise ValidationError({field: "Give a date and time with its time zone."})
    try:
        value = value.astimezone(UTC)
    except OverflowError:
        raise ValidationError({field: OUT_OF_RANGE}) from None
    if not EARLIEST_MOMENT <= value < END_OF_RANGE:
        raise ValidationError({field: OUT_OF_RANGE})
    return value


def day_in_range(value: date, field: str) -> date:
    """A calendar day within EARLIEST_YEAR..LATEST_YEAR (a report period, a scorecard's dates)."""
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValidationError({field: OUT_OF_RANGE})
    return value


def parse_moment(value: Any, field: str) -> datetime:
    """ISO 8601 text with its offset (2026-03-02T14:30:00+00:00 or ...Z), as moment_in_range
    accepts it: what the API's fields, filters and cursors read. A bare local time is ambiguous
    by hours, so it is refused rather than guessed."""
    invalid = "Give a date and time in ISO 8601 with its offset, e.g. 2026-03-02T14:30:00Z."
    try:
        parsed = parse_datetime(value.strip()) if isinstance(value, str) else None
    except (ValueError, OverflowError):
        parsed = None
    if parsed is None:
        raise ValidationError({field: invalid})
    if timezone.is_naive(parsed):
        raise ValidationError({field: "Give the time zone offset, e.g. 2026-03-02T14:30:00+00:00."})
    return moment_in_range(parsed, field)


def future_moment(
    value: Any,
    field: str,
    *,
    now: datetime,
    longest: timedelta | None = None,
    too_far: str = "",
) -> datetime | None:
    """An aware datetime after `now` (and, with `longest`, no further than that from it); None
    stays None (nothing chosen). Within moment_in_range's years, in UTC."""
    value = moment_in_range(value, field)
    if value is None:
        return None
    if value <= now:
        raise ValidationError({field: "This time has already passed; choose a time in the future."})
    if longest is not None and value - now > longest:
        raise ValidationError({field: too_far or "This time is too far in the future."})
    return value


def boolean(value: Any, field: str) -> bool:
    """A real boolean: "false", 0 or None are refused rather than guessed at."""
    if not isinstance(value, bool):
        raise ValidationError({field: "Must be true or false."})
    return value


def message_body(value: Any, field: str = "body") -> str:
    """The body of a message on the timeline (a public update, an internal note, a customer
    reply): text with something besides whitespace, stripped, at most BODY_MAX_LENGTH
    characters. None and blank are refused as missing; anything that is not text is refused as
    such."""
    return text(
        value,
        field,
        max_length=BODY_MAX_LENGTH,
        required=True,
        missing="Write something: this field is required.",
    )


def promised_update_time(
    value: Any, *, now: datetime, longest_days: int, field: str = "next_update_due"
) -> datetime | None:
    """The time an author promises the customer's next update by: an aware datetime after `now`
    and less than `longest_days + 1` whole days from it (the same day count the promise itself
    is checked with, updates.promises.make_promise); None stays None (the cadence decides)."""
    value = future_moment(value, field, now=now)
    if value is not None and (value - now).days > longest_days:
        raise ValidationError({field: f"Promise an update within {longest_days} days."})
    return value
