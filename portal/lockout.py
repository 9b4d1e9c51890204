"""How django-axes throttled sign-ins look and whom they count (settings.AXES_*)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def username_from_request(request: HttpRequest, credentials: dict | None = None) -> str:
    """Emails are case-insensitive logins, so failures count per lower-cased address (otherwise
    PRIYA@ and priya@ would each get their own five tries)."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(username).strip().lower()


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """A friendly "too many attempts" page: the portal's look under /portal/, the staff one
    elsewhere. 429 so scripts can tell it from a wrong password."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    template = (
        "portal/locked_out.html"
        if request.path.startswith("/portal/")
        else "accounts/locked_out.html"
    )
    return render(request, template, {"minutes": minutes}, status=429)
