"""One error format for the whole API.

- Bad input: 400 ``{"field": ["message", ...]}``; problems not tied to one field are listed under
  ``non_field_errors``.
- A public update held back by a check (the vendor-mention guard): 400
  ``{"code": "vendor_mention", "detail": "...", "matches": ["..."]}``.
- Anything else: ``{"detail": "...", "code": "..."}`` with its status (401, 403, 404, 405, 409,
  413, 415, 429); 409 ``conflict`` when an ``expected_updated_at`` is stale.

Services raise ``django.core.exceptions.ValidationError`` keyed by field name; this handler turns
it into the 400 above, so API views call services without try/except.
"""

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from api.parsers import RequestTooLarge
from updates.services import PublicUpdateHeldBack

VENDOR_MENTION = "vendor_mention"


def django_errors_as_dict(error: DjangoValidationError) -> dict[str, list[str]]:
    """A service's ValidationError as DRF's ``{"field": ["message"]}``."""
    non_field = api_settings.NON_FIELD_ERRORS_KEY
    if hasattr(error, "error_dict"):
        return {
            (non_field if field == NON_FIELD_ERRORS else field): messages
            for field, messages in error.message_dict.items()
        }
    return {non_field: error.messages}


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Someone else changed this while you were editing; reload to see it."
    default_code = "conflict"


def _is_conflict(error: DjangoValidationError) -> bool:
    """A service's optimistic check failed (tickets.services.update_ticket's code="conflict")."""
    errors = error.error_dict.get(NON_FIELD_ERRORS, []) if hasattr(error, "error_dict") else []
    return any(getattr(item, "code", None) == "conflict" for item in errors)


def _as_api_exception(exc: Exception) -> Exception:
    if isinstance(exc, DjangoValidationError) and _is_conflict(exc):
        return Conflict(exc.error_dict[NON_FIELD_ERRORS][0].messages[0])
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(django_errors_as_dict(exc))
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, RequestDataTooBig):
        # DRF reads JSON through request.body, where Django enforces DATA_UPLOAD_MAX_MEMORY_SIZE.
        return RequestTooLarge()
    return exc


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, PublicUpdateHeldBack):
        set_rollback()
        return Response(
            {"code": VENDOR_MENTION, "detail": exc.messages[0], "matches": exc.matches},
            status=status.HTTP_400_BAD_REQUEST,
        )
    exc = _as_api_exception(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        if not isinstance(response.data, dict):
            response.data = {api_settings.NON_FIELD_ERRORS_KEY: response.data}
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        response.data = {
            "detail": str(exc.detail),
            "code": codes if isinstance(codes, str) else exc.default_code,
        }
    return response


def error_response(status_code: int, detail: str, code: str) -> JsonResponse:
    """An error outside DRF's views (Django's error handlers, middleware, the sign-in lockout) in
    the API's format."""
    return JsonResponse({"detail": detail, "code": code}, status=status_code)


def field_error_response(field: str, message: str) -> JsonResponse:
    """Bad input outside DRF's views (a query parameter refused by middleware): 400 as a
    serializer would answer it."""
    return JsonResponse({field: [message]}, status=400)


class JsonErrors:
    """For API views whose answer is not JSON (the schema, its viewer): their errors (a 405, a
    throttle) are JSON all the same, not YAML or a page."""

    def finalize_response(self, request, response, *args: Any, **kwargs: Any):
        if getattr(response, "exception", False):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


@csrf_exempt  # it writes nothing; a POST to a wrong path must get this 404, not an HTML 403
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Unknown paths under /api/ answer in the API's format, not with an HTML page."""
    return error_response(404, "Not found.", "not_found")
