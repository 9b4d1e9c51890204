"""Plumbing shared by the staff workspace views (tickets.views, updates.views)."""

from collections.abc import Callable
from datetime import datetime
from functools import lru_cache, wraps
from zoneinfo import ZoneInfo

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone

from accounts.decorators import staff_required
from tickets import validators
from tickets.display import local_time

CONFLICT = "conflict"
DATETIME_INPUT_FORMAT = "%Y-%m-%dT%H:%M"


def staff_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Staff only (anonymous visitors sign in, customers get 403), times shown and typed in the
    agent's own time zone."""

    @staff_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        with timezone.override(ZoneInfo(request.user.effective_timezone)):
            return view(request, *args, **kwargs)

    return wrapper


def hidden_staff_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A staff page whose existence is staff business (vendors, major incidents): agents and
    managers see it, anonymous visitors sign in, anyone else gets 404 rather than 403."""
    staff_only = staff_view(view)

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_helpdesk_staff:
            raise Http404("No such page.")
        return staff_only(request, *args, **kwargs)

    return wrapper


def _field_error(error: ValidationError) -> ValidationError:
    """A validator's {field: message} error as a form field's own error."""
    return ValidationError(
        [message for messages in error.message_dict.values() for message in messages]
    )


class MomentField(forms.DateTimeField):
    """A date and time read in the active time zone, within the years every moment is allowed
    (tickets.validators.moment_in_range); a year such as 9999 is a form error, never a crash."""

    def to_python(self, value) -> datetime | None:
        try:
            moment = super().to_python(value)
        except OverflowError:
            raise ValidationError(validators.OUT_OF_RANGE, code="invalid") from None
        try:
            return validators.moment_in_range(moment, "moment")
        except ValidationError as error:
            raise _field_error(error) from None

    def prepare_value(self, value):
        # Stored data drawn back into the picker: shown in the active zone, or as stored when
        # that zone cannot show it.
        return local_time(value) if isinstance(value, datetime) else value


class DayField(forms.DateField):
    """A calendar day within the years every date is allowed (a report period)."""

    def to_python(self, value):
        day = super().to_python(value)
        if day is None:
            return None
        try:
            return validators.day_in_range(day, "day")
        except ValidationError as error:
            raise _field_error(error) from None


class DateTimeLocalField(MomentField):
    """A browser date-and-time picker, read in the agent's time zone (the active one)."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT_FORMAT)
    input_formats = [DATETIME_INPUT_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


class ExpectedVersionField(forms.CharField):
    """The ticket's `updated_at` when the form was drawn: the optimistic concurrency check."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value) -> datetime | None:
        value = super().to_python(value)
        if not value:
            return None
        try:
            return validators.parse_moment(value, "expected_updated_at")
        except ValidationError:
            raise ValidationError("This form is out of date; reload the page.") from None

    def prepare_value(self, value):
        return value.isoformat() if isinstance(value, datetime) else value


def is_conflict(error: ValidationError) -> bool:
    """The optimistic check of tickets.services.update_ticket failed (code "conflict")."""
    items = (
        [item for items in error.error_dict.values() for item in items]
        if hasattr(error, "error_dict")
        else error.error_list
    )
    return any(getattr(item, "code", None) == CONFLICT for item in items)


def apply_service_error(
    form: forms.Form, error: ValidationError, aliases: dict[str, str] | None = None
) -> bool:
    """Show a service's ValidationError on the form: on the field it names when the form has one
    (or on the form field `aliases` gives for a service field name), else above the form. True
    when it was the optimistic-concurrency conflict."""
    conflict = is_conflict(error)
    aliases = aliases or {}
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            field = aliases.get(field, field)
            target = field if field in form.fields and field != "__all__" else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)
    return conflict


def minute(value: datetime | None) -> datetime | None:
    """Times typed into a picker have minute precision; compare stored times the same way."""
    return value.replace(second=0, microsecond=0) if value else None


# A sample id, split out of the reversed URL to leave the route's text around it.
_SAMPLE_PK = 987654321


@lru_cache(maxsize=64)
def _pk_url_parts(name: str, script_prefix: str, urlconf: str | None) -> tuple[str, str]:
    prefix, suffix = reverse(name, args=[_SAMPLE_PK], urlconf=urlconf).split(str(_SAMPLE_PK))
    return prefix, suffix


def pk_url(name: str) -> Callable[[int], str]:
    """The URL of a route with one id in it, for many rows: reverse() once per name, script
    prefix and URLconf, then each id filled in. Long lists (the queue's 25 rows, the
    dashboard's 250, a timeline's files) spent a sixth of their time in reverse()."""
    prefix, suffix = _pk_url_parts(name, get_script_prefix(), get_urlconf())
    return lambda pk: f"{prefix}{int(pk)}{suffix}"
