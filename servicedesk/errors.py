"""Error answers for the whole site, chosen by where the request went: under /api/ the API's JSON
error format (api.errors), elsewhere the site's HTML pages. Django's error handlers
(servicedesk.urls), the CSRF failure view and the sign-in lockout all come through here, so no
path under /api/ ever answers with an HTML page."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import defaults
from django.views.csrf import csrf_failure as html_csrf_failure

from api import errors as api_errors
from portal.lockout import lockout_response

API_PREFIX = "/api/"


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def bad_query_parameter(request: HttpRequest, name: str, message: str) -> HttpResponse:
    """A query parameter refused before any view ran (servicedesk.middleware)."""
    if is_api(request):
        return api_errors.field_error_response(name, message)
    return render(request, "400.html", {"problem": f"{name}: {message}"}, status=400)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return api_errors.error_response(400, "Bad request.", "bad_request")
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return api_errors.error_response(
            403, "You do not have permission to perform this action.", "permission_denied"
        )
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_contact:
        # A customer who followed a staff link: say where their own pages are.
        return render(request, "portal/staff_only.html", status=403)
    return render(request, "403.html", {"reason": str(exception)}, status=403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return api_errors.error_response(404, "Not found.", "not_found")
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api(request):
        return api_errors.error_response(500, "Server error.", "server_error")
    return defaults.server_error(request)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if is_api(request):
        return api_errors.error_response(
            403, "CSRF check failed: send a token (Authorization: Token ...).", "csrf_failed"
        )
    return html_csrf_failure(request, reason)


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """django-axes' lockout (settings.AXES_LOCKOUT_CALLABLE): 429 either way, so scripts can
    tell it from a wrong password, with when to try again."""
    if not is_api(request):
        return lockout_response(request, original_response, credentials)
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    response = api_errors.error_response(
        429,
        f"Too many failed sign-in attempts for this address; try again in {seconds // 60} minutes.",
        "throttled",
    )
    response["Retry-After"] = str(seconds)
    return response
