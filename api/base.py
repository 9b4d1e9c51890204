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


class ReadListSerializer(serializers.ListSerializer):
    """A list of read-only rows in the child serializer's exact output, without DRF's per-row,
    per-field machinery (`Meta.list_serializer_class`).

    DRF builds the child's fields on every request and, per row and field, walks the source,
    wraps related ids in PKOnlyObject and checks for None; for a page of 25 tickets of 27 fields
    that was most of the API list's CPU time. Here the plan (each field's getter and its own
    `to_representation`) is made once per serializer class and process from a child instance,
    and each value goes through the very field object DRF would use, so the output is the
    same, field for field (tests/api check the schema and the values).
    Only for serializers whose every field is read-only and has no per-request state.
    """

    _plans: dict[type, list] = {}

    @classmethod
    def _plan(cls, serializer_class: type) -> list:
        plan = cls._plans.get(serializer_class)
        if plan is None:
            plan = []
            for field in serializer_class().fields.values():
                if field.write_only:
                    continue
                if isinstance(field, serializers.SerializerMethodField):
                    plan.append((field.field_name, field.to_representation, None, True))
                    continue
                attrs = list(field.source_attrs)
                if isinstance(field, serializers.PrimaryKeyRelatedField) and len(attrs) == 1:
                    # The id column itself: what PKOnlyObject would carry.
                    plan.append((field.field_name, None, (attrs[0] + "_id",), True))
                    continue
                plan.append(
                    (field.field_name, field.to_representation, tuple(attrs), field.allow_null)
                )
            cls._plans[serializer_class] = plan
        return plan

    def to_representation(self, data) -> list[dict]:
        plan = self._plan(type(self.child))
        rows = []
        for instance in data.all() if hasattr(data, "all") else data:
            row = {}
            for name, represent, attrs, allow_null in plan:
                if attrs is None:  # a method field: called with the instance
                    row[name] = represent(instance)
                    continue
                value, reached = instance, True
                for attr in attrs:
                    if value is None:  # a missing related object, as DRF's get_attribute
                        reached = False
                        break
                    value = getattr(value, attr)
                if not reached:
                    if allow_null:
                        row[name] = None
                    continue  # DRF skips a read-only field it cannot reach
                row[name] = value if value is None or represent is None else represent(value)
            rows.append(row)
        return rows
