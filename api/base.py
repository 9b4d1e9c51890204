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


# Fields whose output depends on the value alone (no request, no context), safe to reuse.
_PLAIN_FIELDS = (
    serializers.BooleanField,
    serializers.CharField,
    serializers.ChoiceField,
    serializers.DateField,
    serializers.DateTimeField,
    serializers.FloatField,
    serializers.IntegerField,
)


class ReadListSerializer(serializers.ListSerializer):
    """A list of read-only rows in the child serializer's exact output, without DRF's per-row,
    per-field machinery (`Meta.list_serializer_class`).

    DRF builds the child's fields on every request and, per row and field, walks the source,
    wraps related ids in PKOnlyObject and checks for None; for a page of 25 tickets of 27 fields
    that was most of the API list's CPU time. Here the plan (each field's getter and its own
    `to_representation`) is made once per serializer class and process, and each value goes
    through a field object of the same class and arguments DRF would use, so the output is the
    same, field for field (tests/api check the schema and the values). Method fields call the
    request's own serializer (they may read its context). A serializer with any other kind of
    field (hyperlinks, nested serializers) is drawn by DRF as usual.
    """

    _plans: dict[type, list | None] = {}

    @classmethod
    def _plan(cls, serializer_class: type) -> list | None:
        if serializer_class in cls._plans:
            return cls._plans[serializer_class]
        plan: list | None = []
        for field in serializer_class().fields.values():
            if field.write_only:
                continue
            if isinstance(field, serializers.SerializerMethodField):
                plan.append((field.field_name, field.method_name, None, True))
                continue
            attrs = list(field.source_attrs)
            if isinstance(field, serializers.PrimaryKeyRelatedField) and len(attrs) == 1:
                # The id column itself: what PKOnlyObject would carry.
                plan.append((field.field_name, None, (attrs[0] + "_id",), True))
                continue
            if not isinstance(field, _PLAIN_FIELDS) or field.source == "*":
                plan = None
                break
            plan.append((field.field_name, field.to_representation, tuple(attrs), field.allow_null))
        cls._plans[serializer_class] = plan
        return plan

    def to_representation(self, data) -> list[dict]:
        plan = self._plan(type(self.child))
        if plan is None:
            return super().to_representation(data)
        rows = []
        for instance in data.all() if hasattr(data, "all") else data:
            row = {}
            for name, represent, attrs, allow_null in plan:
                if attrs is None:  # a method field: the request's serializer's get_<name>
                    row[name] = getattr(self.child, represent)(instance)
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
