"""Shared building blocks for API serializers."""

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not accept, naming each one, instead of silently ignoring them: a
    typo such as "stauts" must not look like a successful change."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            writable = sorted(name for name, field in self.fields.items() if not field.read_only)
            errors = {}
            for name in sorted(set(data) - set(writable), key=str):
                if name in self.fields:
                    errors[name] = ["This field is read-only."]
                else:
                    errors[name] = [
                        f"Unknown field; this accepts: {', '.join(writable) or 'none'}."
                    ]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class StrictModelSerializer(StrictSerializer, serializers.ModelSerializer):
    pass


class EmptySerializer(StrictSerializer):
    """For actions that take no body: `{}` or nothing at all."""
