"""Access to portal pages: customer contacts only, each page in the contact's own time zone."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from portal.visibility import is_portal_user


def contact_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous visitors go to the portal sign-in; signed-in staff get a page that says where
    they belong (403). The view runs, and renders, in the contact's time zone."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), login_url=reverse("portal:login"))
        if not is_portal_user(request.user):
            return render(request, "portal/not_a_customer.html", status=403)
        with timezone.override(request.user.effective_timezone):
            return view(request, *args, **kwargs)

    return wrapper
