"""Validators the services share (tickets, vendors and the apps above): each checks one value a
caller passed, returns it cleaned, or raises a ValidationError keyed by the field it names, so a
bad value is refused before anything is written (DESIGN: bad input gets a clear error naming the
field and changes nothing).
"""

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from tickets.models import BODY_MAX_LENGTH


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
    if required and not value:
        raise ValidationError({field: missing})
    if len(value) > max_length:
        raise ValidationError(
            {field: f"At most {max_length:,} characters (this has {len(value):,})."}
        )
    return value


def future_moment(
    value: Any,
    field: str,
    *,
    now: datetime,
    longest: timedelta | None = None,
    too_far: str = "",
) -> datetime | None:
    """An aware datetime after `now` (and, with `longest`, no further than that from it); None
    stays None (nothing chosen)."""
    if value is None:
        return None
    if not isinstance(value, datetime) or timezone.is_naive(value):
        raise ValidationError({field: "Give a date and time with its time zone."})
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
