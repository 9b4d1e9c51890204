"""Serializer fields that refuse what DRF would quietly coerce: "3" for an integer, "yes" for a
boolean, 7 for a string, a datetime without its offset, an id too large for the database."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tickets import validators

LARGEST_ID = 2**63 - 1


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class StrictIntegerField(serializers.IntegerField):
    def to_internal_value(self, data: Any) -> int:
        if not _is_int(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    default_error_messages = {"invalid": "Must be true or false."}

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class StrictCharField(serializers.CharField):
    default_error_messages = {"invalid": "Must be a string."}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class AwareDateTimeField(serializers.DateTimeField):
    """ISO 8601 with its offset (2026-03-02T14:30:00+00:00 or ...Z) within the years every
    moment is allowed, read by tickets.validators.parse_moment (the rule the forms share)."""

    def to_internal_value(self, value: Any):
        try:
            return validators.parse_moment(value, self.field_name or "value")
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None


class IdField(serializers.PrimaryKeyRelatedField):
    """An integer id of an object the caller can see; anything else is "does not exist"."""

    def to_internal_value(self, data: Any):
        if not _is_int(data):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 1 <= data <= LARGEST_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$",
    }
)
class WallClockTimeField(serializers.TimeField):
    """A local wall-clock time such as 08:00 or 18:30:00, without an offset (business hours are
    in the organisation's own time zone). OpenAPI's "time" format demands an offset, so the
    schema describes it by pattern instead."""

    def to_internal_value(self, value: Any):
        if not isinstance(value, str):
            self.fail("invalid", format="hh:mm[:ss]")
        return super().to_internal_value(value)
