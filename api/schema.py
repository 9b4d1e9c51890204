"""OpenAPI details shared by the API views: error responses and schema post-processing."""

from datetime import timedelta
from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, inline_serializer
from rest_framework import serializers

ErrorSerializer = inline_serializer(
    "Error",
    fields={"detail": serializers.CharField(), "code": serializers.CharField()},
)

ERRORS_400 = {
    400: OpenApiResponse(
        response=OpenApiTypes.OBJECT,
        description='Bad input: `{"field": ["message"]}`, or for a public update that names a '
        'vendor `{"code": "vendor_mention", "detail": "...", "matches": ["..."]}`.',
        examples=[
            OpenApiExample(
                "A field is wrong",
                value={"subject": ["Ensure this field has no more than 200 characters."]},
                response_only=True,
                status_codes=["400"],
            ),
            OpenApiExample(
                "Public update held back",
                value={
                    "code": "vendor_mention",
                    "detail": "This update names a supplier or blames a third party. ...",
                    "matches": ["Microsoft"],
                },
                response_only=True,
                status_codes=["400"],
            ),
        ],
    )
}
ERRORS_403 = {
    403: OpenApiResponse(ErrorSerializer, description="The caller may not do this."),
}
ERRORS_409 = {
    409: OpenApiResponse(
        ErrorSerializer,
        description="`expected_updated_at` is stale: someone else changed it; nothing was written.",
    ),
}
ERRORS_404 = {
    404: OpenApiResponse(
        ErrorSerializer, description="No such object, or the caller may not see it."
    ),
}


def forbid_unknown_request_fields(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Request bodies are closed objects: the API answers 400 for a field it does not know, and
    the schema says so (which also keeps generated test data honest)."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request") and component.get("type") == "object":
            component["additionalProperties"] = False
    return result


COMMON_ERRORS = {
    "400": 'Bad input (a field, a filter or a query parameter): `{"field": ["message"]}`.',
    "401": "Not signed in: send `Authorization: Token <token>`.",
    "403": "The caller may not do this.",
    "404": "No such object (or page), or the caller may not see it.",
    "413": "The request body is too large.",
    "415": "Send JSON (`Content-Type: application/json`).",
    "429": "Too many requests; retry after the `Retry-After` seconds.",
}
BODY_ONLY_ERRORS = frozenset({"413", "415"})


def document_common_errors(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Every operation can answer these, whatever its view says (authentication, unknown or
    invisible ids, a page past the end, throttling, oversized or non-JSON bodies), all in the
    API's one error format; the schema says so, so clients and schemathesis can rely on it."""
    error_ref = {"$ref": "#/components/schemas/Error"}
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(
        "Error",
        {
            "type": "object",
            "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
            "required": ["detail", "code"],
        },
    )
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            has_body = "requestBody" in operation
            for code, description in COMMON_ERRORS.items():
                if code in operation["responses"] or (code in BODY_ONLY_ERRORS and not has_body):
                    continue
                schema = {"type": "object"} if code == "400" else error_ref
                operation["responses"][code] = {
                    "description": description,
                    "content": {"application/json": {"schema": schema}},
                }
    return result


# Fields a customer contact's view of a component leaves out (their serializers drop them), so
# the shared component cannot call them required.
STAFF_ONLY_FIELDS = {
    "Ticket": ("priority_override", "priority_override_reason"),
    "TimelineEntry": ("data",),
}


def staff_only_fields_are_optional(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    schemas = result.get("components", {}).get("schemas", {})
    for name, fields in STAFF_ONLY_FIELDS.items():
        component = schemas.get(name)
        if not component:
            continue
        component["required"] = [f for f in component.get("required", []) if f not in fields]
        for field in fields:
            if field in component.get("properties", {}):
                note = "Staff only: left out of a customer contact's view."
                prop = component["properties"][field]
                prop["description"] = f"{prop.get('description', '')} {note}".strip()
    return result


# Example fields that name a moment to come, and how far ahead of the schema's generation each
# example puts it: the API refuses a past time (and a promise or chase too far ahead), so a fixed
# date in an example would turn invalid as the calendar moves on.
FUTURE_EXAMPLE_FIELDS = {
    "needed_by": timedelta(days=7),
    "next_update_due": timedelta(hours=2),
    "next_chase_at": timedelta(days=1),
    "eta": timedelta(days=1),
}


def examples_in_the_future(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Request examples' future moments are set relative to now, whole hours, in UTC."""
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            for content in operation.get("requestBody", {}).get("content", {}).values():
                for example in content.get("examples", {}).values():
                    value = example.get("value")
                    if not isinstance(value, dict):
                        continue
                    for field, ahead in FUTURE_EXAMPLE_FIELDS.items():
                        if field in value:
                            value[field] = (hour + ahead).isoformat()
    return result


# Any query parameter with a NUL character is a 400 (servicedesk.middleware: PostgreSQL cannot
# store or compare it), so free-text parameters say they exclude it.
NO_NUL = r"^[^\u0000]*$"


def query_text_excludes_nul(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if (
                    parameter.get("in") == "query"
                    and schema.get("type") == "string"
                    and not {"enum", "format", "pattern"} & set(schema)
                ):
                    schema["pattern"] = NO_NUL
    return result
