"""Staff sign-in (docs/sign-in.md): password, then the two-factor code; enrolment; the signed-in
browsers page; the emailed password reset."""

import time

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from accounts import sessions, throttle, two_factor
from accounts.decorators import manager_required, staff_required
from accounts.forms import CodeForm, StaffAuthenticationForm, StaffPasswordResetForm
from accounts.models import User
from accounts.oidc import PENDING_KEY
from accounts.services import deactivate_user

# The password step is good for this long; then the code page sends them back to it.
PENDING_SECONDS = 300


class StaffLoginView(auth_views.LoginView):
    """Step one. Someone with two-factor on is not signed in yet: the session remembers who gave
    the right password, and the code page finishes the sign-in."""

    template_name = "accounts/login.html"
    authentication_form = StaffAuthenticationForm
    redirect_authenticated_user = True
    extra_context = {"single_sign_on": lambda: bool(settings.OIDC_RP_CLIENT_ID)}

    def form_valid(self, form):
        user = form.get_user()
        if not user.two_factor_enabled:
            return super().form_valid(form)
        self.request.session[PENDING_KEY] = {
            "user": user.pk,
            "backend": user.backend,
            "next": self.get_success_url(),
            "at": time.time(),
        }
        return redirect("login-code")


def _pending_user(request: HttpRequest) -> tuple[User | None, dict]:
    pending = request.session.get(PENDING_KEY) or {}
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None, {}
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    return user, pending


@require_http_methods(["GET", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponse:
    """Step two: a current code from the app or an unused recovery code (field ``code``)."""
    user, pending = _pending_user(request)
    if user is None:
        request.session.pop(PENDING_KEY, None)
        messages.info(request, "Sign in with your email and password first.")
        return redirect("login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = two_factor.verify_code_at_sign_in(request, user, form.cleaned_data["code"])
        if device is not None:
            del request.session[PENDING_KEY]
            user.backend = pending["backend"]
            login(request, user, backend=pending["backend"])
            otp_login(request, device)
            next_url = pending.get("next") or settings.LOGIN_REDIRECT_URL
            if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
                next_url = settings.LOGIN_REDIRECT_URL
            return redirect(next_url)
        form.add_error(
            "code",
            "That code is not right. Enter the six digits your app shows now, or one of your "
            "unused recovery codes.",
        )
    return render(
        request,
        "accounts/sign_in_code.html",
        {"form": form, "email": user.email},
        status=400 if form.errors else 200,
    )


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=10)
    svg = image.to_string(encoding="unicode")
    # The QR code is named for screen readers; the URI below it is the same secret as text.
    return svg.replace(
        "<svg ", '<svg role="img" aria-label="QR code for your authenticator app" class="qr" ', 1
    )


@require_http_methods(["GET", "POST"])
@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: QR code, the otpauth URI as text, and a code to confirm."""
    user = request.user
    if not user.is_helpdesk_staff:
        raise PermissionDenied("Two-factor sign-in is for helpdesk staff.")
    device = two_factor.pending_totp_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.confirm_enrolment(
            user, device, form.cleaned_data["code"], request=request
        )
        if codes is not None:
            device.refresh_from_db()
            otp_login(request, device)
            # Other browsers signed in before two-factor was on must sign in again with it.
            sessions.sign_out(user, keep=request.session.session_key)
            return render(request, "accounts/recovery_codes.html", {"codes": codes})
        form.add_error(
            "code",
            "That code does not match. Check the app shows this account and enter the six "
            "digits it shows now.",
        )
    return render(
        request,
        "accounts/two_factor.html",
        {
            "form": form,
            "uri": device.config_url,
            "qr": mark_safe(_qr_svg(device.config_url)),
            "required": two_factor.required_for(user),
            "enabled": user.two_factor_enabled,
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@staff_required
def my_sessions(request: HttpRequest) -> HttpResponse:
    """The signed-in browsers of the person looking, with "sign out" for each and for all
    others."""
    current = request.session.session_key
    if request.method == "POST":
        which = request.POST.get("session", "")
        if which == "others":
            ended = sessions.sign_out(request.user, keep=current)
        elif which.isdigit() and len(which) < 19:
            ended = sessions.sign_out(request.user, keep=current, only=int(which))
        else:
            ended = 0
        messages.success(request, f"Signed out {ended} other browser{'s' if ended != 1 else ''}.")
        return redirect("my-sessions")
    return render(
        request,
        "accounts/sessions.html",
        {
            "rows": [
                (row, sessions.describe(row.user_agent), row.session_key == current)
                for row in sessions.active_sessions(request.user)
            ],
            "two_factor_enabled": request.user.two_factor_enabled,
        },
    )


@require_POST
@manager_required
def person_sign_out(request: HttpRequest, pk: int) -> HttpResponse:
    """A manager signs someone out everywhere, and may switch the account off too."""
    person = get_object_or_404(User, pk=pk)
    if request.POST.get("deactivate") == "1":
        deactivate_user(person, actor=request.user, request=request)
        messages.success(request, f"{person.display_name} is switched off and signed out.")
    else:
        ended = sessions.sign_out(person)
        messages.success(request, f"Signed {person.display_name} out of {ended} browsers.")
    return redirect(reverse("person-sessions", args=[person.pk]))


@require_http_methods(["GET"])
@manager_required
def person_sessions(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    return render(
        request,
        "accounts/person_sessions.html",
        {
            "person": person,
            "rows": [
                (row, sessions.describe(row.user_agent)) for row in sessions.active_sessions(person)
            ],
        },
    )


class StaffPasswordResetView(auth_views.PasswordResetView):
    form_class = StaffPasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        # The same allowance as the portal's emails (accounts.throttle): an address cannot be
        # flooded with reset emails, and the answer is the same whether or not it has an account.
        if not throttle.allow_email_request(
            self.request, email=form.cleaned_data["email"], purpose="password_reset"
        ):
            form.add_error("email", throttle.refusal_message())
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        # Links in emails use SITE_URL, never the Host header of whoever asked.
        self.extra_email_context = {"site_url": settings.SITE_URL}
        return super().form_valid(form)


class StaffPasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class StaffPasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Single use (the token dies with the old password). It never signs in: the next sign-in
    still asks for the two-factor code."""

    template_name = "accounts/password_reset_confirm.html"
    post_reset_login = False
    success_url = reverse_lazy("password_reset_complete")


class StaffPasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
