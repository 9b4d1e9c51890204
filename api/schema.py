"""OpenAPI details shared by the API views: error responses and schema post-processing."""

from typing import Any

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
