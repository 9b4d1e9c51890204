"""multipart/form-data on the endpoints that take files (API.md "Attachments"): every part is
text, so numbers and booleans arrive written out (`3`, `true`). `form_data` turns them into the
JSON types the strict serializers expect, and gathers the `attachments` file parts into a list.
Anything else stays as sent, for the serializer to refuse by name."""

import re
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict
from rest_framework import serializers

from api.fields import IdField, StrictBooleanField, StrictIntegerField

FILES = "attachments"
INTEGER = re.compile(r"-?[0-9]{1,19}")


def _typed(field: serializers.Field | None, text: str) -> Any:
    if field is None:
        return text
    if getattr(field, "allow_null", False) and text in ("", "null"):
        return None
    if isinstance(field, StrictBooleanField) and text in ("true", "false"):
        return text == "true"
    if isinstance(field, StrictIntegerField | IdField) and INTEGER.fullmatch(text):
        return int(text)
    return text


def form_data(data: Any, serializer_class: type[serializers.Serializer]) -> Any:
    """JSON bodies pass through untouched; a multipart body becomes a plain dict."""
    if not isinstance(data, QueryDict):
        return data
    declared = serializer_class._declared_fields
    result: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, values in data.lists():
        if name == FILES:
            if any(not isinstance(value, UploadedFile) for value in values):
                errors[name] = ["Send each file as a file part named attachments."]
            result[name] = values
        elif len(values) != 1 or isinstance(values[0], UploadedFile):
            errors[name] = ["Send one text value."]
        else:
            result[name] = _typed(declared.get(name), values[0])
    if errors:
        raise serializers.ValidationError(errors)
    return result


def attachments_field() -> serializers.ListField:
    return serializers.ListField(
        child=serializers.FileField(allow_empty_file=True, use_url=False),
        required=False,
        write_only=True,
        help_text="multipart/form-data only: up to 10 files, each at most ATTACHMENT_MAX_BYTES "
        "(10 MiB by default).",
    )
