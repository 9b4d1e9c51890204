"""Rows streamed into PostgreSQL with COPY: one buffer per table, in COPY's text format."""

import io
import json
from datetime import datetime

from django.core.management.base import CommandError
from django.db import connection
from django.db.models import JSONField, Model


def _escape(value: str) -> str:
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return (
            value.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return value


def _json(value) -> str:
    return _escape(json.dumps(value))


# By exact type first: a dict lookup per value is the cheapest dispatch for millions of values.
_FORMATTERS = {
    str: _escape,
    int: str,
    bool: lambda value: "t" if value else "f",
    type(None): lambda value: "\\N",
    datetime: datetime.isoformat,
    dict: _json,
    list: _json,
    float: repr,
}


def copy_text(value) -> str:
    """A value in COPY's text format."""
    formatter = _FORMATTERS.get(type(value))
    if formatter is None:
        if isinstance(value, str):  # TextChoices members
            return _escape(str(value))
        if isinstance(value, datetime):
            return value.isoformat()
        return _escape(json.dumps(value) if isinstance(value, (dict, list)) else str(value))
    return formatter(value)


class Table:
    """A COPY buffer for one model's table: `add` takes the given columns in order; every other
    column gets its model default, so a column added later with a default needs no change here.
    The primary key is left to its sequence when not given."""

    def __init__(self, model: type[Model], columns: list[str]):
        self.name = model._meta.db_table
        fields = list(model._meta.concrete_fields)
        missing = set(columns) - {f.column for f in fields}
        if missing:
            raise CommandError(f"{self.name} has no columns {sorted(missing)}")
        rest = [f for f in fields if f.column not in columns and not f.primary_key]
        self.columns = list(columns) + [f.column for f in rest]
        defaults = "".join("\t" + copy_text(self._default(f)) for f in rest)
        self.suffix = defaults + "\n"
        self.buffer = io.StringIO()
        self.rows = 0
        self.total = 0

    @staticmethod
    def _default(field):
        # A JSON default is written as JSON text; the database adapter's wrapper has no COPY form.
        if isinstance(field, JSONField):
            return field.get_default()
        return field.get_db_prep_save(field.get_default(), connection)

    def add(self, *values) -> None:
        self.buffer.write("\t".join(map(copy_text, values)) + self.suffix)
        self.rows += 1

    def flush(self, cursor) -> None:
        if not self.rows:
            return
        self.buffer.seek(0)
        columns = ", ".join(f'"{c}"' for c in self.columns)
        cursor.copy_expert(f'COPY "{self.name}" ({columns}) FROM STDIN', self.buffer)
        self.total += self.rows
        self.rows = 0
        self.buffer = io.StringIO()
