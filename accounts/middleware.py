"""The staff sign-in gate (docs/sign-in.md), after django-otp's OTPMiddleware.

- A session of someone with two-factor on that did not pass the code (signed in through a form
  that skips it, such as the admin's own) is signed out: no page, admin view or API call opens.
- Someone whose role must use two-factor (STAFF_2FA_REQUIRED_ROLES) and has not enrolled reaches
  only the enrolment page and signing out; the API answers 403 ``enrolment_required``.

It reads only the user row every request loads anyway (``two_factor_enabled``).
"""

from collections.abc import Callable

from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from accounts import sessions
from accounts.two_factor import must_enrol

# Reachable while enrolment is pending: the enrolment itself, signing out, and what pages load.
OPEN_WHILE_ENROLLING = ("/account/two-factor/", "/logout/", "/static/", "/csp-report/")


class StaffSignInGate:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = self.refuse(request)
        if refusal is not None:
            return refusal
        return self.get_response(request)

    def refuse(self, request: HttpRequest) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated:
            return None
        api = request.path_info.startswith("/api/")
        if user.two_factor_enabled and not user.is_verified():
            logout(request)
            if api:
                return JsonResponse(
                    {"detail": "Sign in again with your two-factor code.", "code": "otp_required"},
                    status=401,
                )
            return redirect_to_login(request.get_full_path())
        sessions.touch(request)
        if must_enrol(user) and not request.path_info.startswith(OPEN_WHILE_ENROLLING):
            if api:
                return JsonResponse(
                    {
                        "detail": "Set up two-factor sign-in at /account/two-factor/ first.",
                        "code": "enrolment_required",
                    },
                    status=403,
                )
            return redirect(reverse("two-factor"))
        return None
