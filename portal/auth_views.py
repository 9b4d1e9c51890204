"""Signing customers in: password, password reset by email, and a one-time emailed link.

Failed password sign-ins are throttled by django-axes (settings.AXES_*); requests for an email
(a link, a reset) by accounts.throttle; the emailed link is a django-sesame token, valid once and
for SESAME_MAX_AGE seconds.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from sesame import settings as sesame_settings

from accounts import throttle
from accounts.services import set_contacts_sign_in_by_link_only
from portal.decorators import contact_required
from portal.forms import (
    ContactPasswordResetForm,
    PortalAuthenticationForm,
    PortalSetPasswordForm,
    SignInLinkForm,
    SignInPolicyForm,
)
from portal.services import SIGN_IN_SCOPE, send_sign_in_link
from portal.visibility import is_portal_user

PORTAL_HOME = reverse_lazy("portal:tickets")


class PortalLoginView(auth_views.LoginView):
    template_name = "portal/login.html"
    authentication_form = PortalAuthenticationForm
    next_page = PORTAL_HOME

    def dispatch(self, request, *args, **kwargs):
        if is_portal_user(request.user):
            return redirect(self.get_success_url())
        return super().dispatch(request, *args, **kwargs)


class PortalLogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("portal:login")


class PortalPasswordResetView(auth_views.PasswordResetView):
    form_class = ContactPasswordResetForm
    template_name = "portal/registration/password_reset_form.html"
    email_template_name = "portal/email/password_reset.txt"
    subject_template_name = "portal/email/password_reset_subject.txt"
    success_url = reverse_lazy("portal:password_reset_done")

    def form_valid(self, form):
        if not throttle.allow_email_request(
            self.request, email=form.cleaned_data["email"], purpose="password_reset"
        ):
            form.add_error("email", throttle.refusal_message())
            return self.render_to_response(self.get_context_data(form=form), status=429)
        # Links in emails use SITE_URL, never the Host header of whoever asked.
        self.extra_email_context = {"site_url": settings.SITE_URL}
        return super().form_valid(form)


class PortalPasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "portal/registration/password_reset_done.html"


class PortalPasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "portal/registration/password_reset_confirm.html"
    form_class = PortalSetPasswordForm
    success_url = reverse_lazy("portal:password_reset_complete")


class PortalPasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "portal/registration/password_reset_complete.html"


@require_http_methods(["GET", "POST"])
def request_sign_in_link(request: HttpRequest) -> HttpResponse:
    """Ask for a sign-in link. The answer is the same whether or not the address has an account."""
    form = SignInLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if not throttle.allow_email_request(request, email=email, purpose="sign_in_link"):
            form.add_error("email", throttle.refusal_message())
            return render(request, "portal/sign_in_link.html", {"form": form}, status=429)
        send_sign_in_link(email=email)
        return render(
            request,
            "portal/sign_in_link_sent.html",
            {"email": form.cleaned_data["email"], "minutes": settings.SESAME_MAX_AGE // 60},
        )
    return render(
        request, "portal/sign_in_link.html", {"form": form}, status=400 if form.errors else 200
    )


def _token_user(request: HttpRequest, token: str):
    user = authenticate(request, sesame=token, scope=SIGN_IN_SCOPE)
    return user if user is not None and is_portal_user(user) else None


@require_http_methods(["GET", "POST"])
def sign_in_with_link(request: HttpRequest) -> HttpResponse:
    """Follow the emailed link.

    1. GET checks the token and shows a "Continue" button; it signs nobody in and does not use
       the token up, so a mail scanner that opens the link cannot spend it.
    2. POST signs the contact in. Signing in moves their last-login time, which is what makes
       the token one-time (SESAME_ONE_TIME).
    """
    token = request.POST.get("token") or request.GET.get(sesame_settings.TOKEN_NAME, "")
    user = _token_user(request, token) if token else None
    if user is None:
        return render(request, "portal/sign_in_link_invalid.html", status=400)
    next_url = request.POST.get("next") or request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    if request.method == "POST":
        login(request, user)
        return redirect(next_url or PORTAL_HOME)
    return render(
        request,
        "portal/sign_in_with_link.html",
        {"token": token, "next": next_url, "email": user.email},
    )


@contact_required
@require_http_methods(["GET", "POST"])
def sign_in_policy(request: HttpRequest) -> HttpResponse:
    """An organisation admin may require the emailed link (no passwords) for all its contacts."""
    organization = request.user.organization
    if not request.user.sees_organization_tickets:
        raise PermissionDenied("Only your organisation's admin decides how everyone signs in.")
    # An unticked box posts nothing: the form is bound on any POST.
    form = SignInPolicyForm(
        request.POST if request.method == "POST" else None,
        initial={"link_only": organization.contacts_sign_in_by_link_only},
    )
    if request.method == "POST" and form.is_valid():
        set_contacts_sign_in_by_link_only(
            organization, form.cleaned_data["link_only"], actor=request.user, request=request
        )
        messages.success(
            request,
            "Everyone now signs in with an emailed link."
            if form.cleaned_data["link_only"]
            else "Everyone may sign in with a password or an emailed link.",
        )
        return redirect("portal:sign_in_policy")
    return render(
        request, "portal/sign_in_policy.html", {"form": form, "organization": organization}
    )
