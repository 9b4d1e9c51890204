"""Two-factor sign-in for staff, through django-otp: a TOTP app and ten single-use recovery codes.

Who must use it: ``STAFF_2FA_REQUIRED_ROLES`` (superusers count as managers; empty: nobody). Each
TOTP code is accepted once (django-otp keeps the last time step used); a recovery code is deleted
when used. Wrong codes are counted by the caller under the django-axes lockout, like wrong
passwords, so django-otp's own per-device delay is off (settings.OTP_*_THROTTLE_FACTOR).
"""

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import HttpRequest
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from accounts import signals
from accounts.models import Role, User

RECOVERY_CODE_COUNT = 10
TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


def required_for(user: User) -> bool:
    """Whether this person's role obliges them to sign in with a second factor."""
    roles = set(settings.STAFF_2FA_REQUIRED_ROLES)
    if not user.is_helpdesk_staff or not roles:
        return False
    role = Role.MANAGER if user.is_superuser else user.role
    return role in roles


def must_enrol(user: User) -> bool:
    """Required to use two-factor and not enrolled yet: they reach nothing but the enrolment."""
    return required_for(user) and not user.two_factor_enabled


def pending_totp_device(user: User) -> TOTPDevice:
    """The unconfirmed device the enrolment page shows as a QR code (one per person, reused
    until confirmed so a reload does not change the secret under a half-done scan)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


@transaction.atomic
def confirm_enrolment(
    user: User, device: TOTPDevice, code: str, *, request: HttpRequest | None = None
) -> list[str] | None:
    """Confirm the TOTP device with a code from the app. Returns the ten recovery codes (shown
    once), or None when the code is wrong. Enabling two-factor revokes the person's API tokens:
    a token taken by password alone must not outlive the stronger sign-in."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
    if not device.verify_token(_digits(code)):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # Only the device just confirmed stays: an earlier app (a re-enrolment) stops working.
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    StaticDevice.objects.filter(user=user).delete()
    recovery = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=recovery, token=code) for code in codes])
    Token.objects.filter(user=user).delete()
    User.objects.filter(pk=user.pk).update(two_factor_enabled=True)
    user.two_factor_enabled = True
    signals.two_factor_enabled.send(sender=User, user=user, request=request)
    return codes


def verify_code(user: User, code: str) -> Device | None:
    """The device that accepts ``code`` (a current TOTP code, once, or an unused recovery code),
    or None."""
    code = (code or "").strip().replace(" ", "").lower()
    if not code or len(code) > 16:
        return None
    with transaction.atomic():
        for device in devices_for_user(user, for_verify=True):
            token = _digits(code) if isinstance(device, TOTPDevice) else code
            if token and device.verify_token(token):
                return device
    return None


def _digits(code: str) -> str:
    code = (code or "").strip().replace(" ", "")
    return code if code.isdigit() and len(code) <= 8 else ""


def verify_code_at_sign_in(request: HttpRequest, user: User, code: str) -> Device | None:
    """``verify_code`` under the django-axes lockout shared with wrong passwords (per email and
    client address). A locked-out pair gets None without the code being tried, and the request is
    marked so AxesMiddleware answers 429; a wrong code counts as a failed sign-in (which the audit
    log records as ``sign_in_failed``)."""
    credentials = {"username": user.email}
    if not AxesProxyHandler.is_allowed(request, credentials):
        request.axes_locked_out = True
        request.axes_credentials = credentials
        return None
    device = verify_code(user, code)
    if device is None:
        user_login_failed.send(
            sender=__name__, credentials={**credentials, "reason": "otp_invalid"}, request=request
        )
    return device
