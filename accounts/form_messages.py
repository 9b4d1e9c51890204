"""Form errors in our own words: Django's stock messages ("This field is required.", "Ensure this
value is greater than or equal to 1.") replaced by short plain ones in the voice of the rest of
the product, on every form that mixes in PlainErrors (the portal's and the staff workspace's).

A message a form sets itself in a field's `error_messages` is kept: only the ones still equal to
Django's defaults are replaced. It lives in accounts, the
lowest app, so every app's forms can use it.
"""

import functools
from typing import Any

from django import forms
from django.utils.translation import get_language

# Per error code, by the kind of field it is on (the first class in the field's MRO that is here).
FIELD_MESSAGES: dict[str, dict[type[forms.Field], str]] = {
    "required": {
        forms.ChoiceField: "Choose one.",
        forms.MultipleChoiceField: "Choose at least one.",
        forms.BooleanField: "Tick this box to go on.",
        forms.Field: "Fill this in.",
    },
    "invalid": {
        forms.EmailField: "Write an email address, such as name@example.com.",
        forms.IntegerField: "Write a whole number, such as 3.",
        forms.DecimalField: "Write a number, such as 2.5.",
        forms.FloatField: "Write a number, such as 2.5.",
        forms.DateTimeField: "Pick a date and time, or write one such as 2026-03-02 14:30.",
        forms.DateField: "Pick a day, or write one such as 2026-03-02.",
        forms.TimeField: "Write a time such as 14:30.",
        forms.URLField: "Write a web address, such as https://example.com.",
    },
    "invalid_choice": {
        forms.ModelChoiceField: "That choice is no longer there; choose another.",
        forms.Field: "Choose one of the options.",
    },
}
# Django's length and range validators (the form field's own, and the model field's that a ModelForm
# runs) are worded by the field's error_messages under their codes.
LIMIT_MESSAGES = {
    "max_length": "Keep it to %(limit_value)d characters or fewer (this has %(show_value)d).",
    "min_length": "Write at least %(limit_value)d characters (this has %(show_value)d).",
    "max_value": "Use a number no bigger than %(limit_value)s.",
    "min_value": "Use a number of at least %(limit_value)s.",
}


def _django_default(field_class: type[forms.Field], code: str) -> str | None:
    """What Django's own classes (not ours) say for `code` on a field of this class."""
    return _django_default_in(field_class, code, get_language())


# Read on every form drawn (the ticket page draws several): worked out once per class, code and
# language, since Django's class-level messages do not change while a process runs.
@functools.cache
def _django_default_in(
    field_class: type[forms.Field], code: str, language: str | None
) -> str | None:
    message = None
    for cls in reversed(field_class.__mro__):
        if cls.__module__.startswith("django.") and code in getattr(
            cls, "default_error_messages", {}
        ):
            message = cls.default_error_messages[code]
    return None if message is None else str(message)


def _ours(field: forms.Field, code: str) -> str | None:
    by_class = FIELD_MESSAGES[code]
    for cls in type(field).__mro__:
        if cls in by_class:
            return by_class[cls]
    return None


def plain_errors(field: forms.Field) -> None:
    """Replace the stock messages of one (per-form copy of a) field."""
    for code in FIELD_MESSAGES:
        current = field.error_messages.get(code)
        ours = _ours(field, code)
        # Absent: Django's validator speaks (EmailField, URLField); a message set here wins.
        if ours and (current is None or str(current) == _django_default(type(field), code)):
            field.error_messages[code] = ours
    for code, message in LIMIT_MESSAGES.items():
        field.error_messages.setdefault(code, message)


class PlainErrors:
    """Mix into a form (before forms.Form) so its fields speak in our words."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            plain_errors(field)
