"""Query filters that refuse what they cannot read, and whose OpenAPI schema states the bounds
they enforce: an id from 1, a priority from 1 to 4, a boolean that is exactly true or false.
Anything else is a 400 naming the parameter, never silently ignored (issue 16, item 4)."""

from typing import Any

import django_filters
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from api.fields import LARGEST_ID


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": LARGEST_ID})
class IdFilter(django_filters.Filter):
    """An id: a whole number from 1 to the largest id the database holds."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", LARGEST_ID)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 4})
class PriorityFilter(IdFilter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, max_value=4, **kwargs)


class TrueOrFalseField(forms.Field):
    def to_python(self, value: Any) -> bool | None:
        if value is None:
            return None
        if value in ("true", "false"):
            return value == "true"
        raise forms.ValidationError("Give true or false.")


@extend_schema_field(OpenApiTypes.BOOL)
class TrueOrFalseFilter(django_filters.BooleanFilter):
    """django-filter's BooleanFilter reads "maybe" as no filter at all; this one answers 400."""

    field_class = TrueOrFalseField
