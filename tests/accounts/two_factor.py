"""Helpers for the sign-in tests: enrol someone and compute the codes their app would show."""

import time
from base64 import b32encode

import pyotp

from accounts import two_factor
from accounts.models import User


def secret_of(user: User) -> str:
    device = two_factor.pending_totp_device(user)
    return b32encode(device.bin_key).decode()


def code(secret: str, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows now (or ``steps_ahead`` 30-second steps later; the
    server accepts one step of drift, and each step's code only once)."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


def enrol(user: User) -> tuple[str, list[str]]:
    """Two-factor on for ``user``: their app's secret and their ten recovery codes. The code used
    to enrol is the current step's, so the next sign-in uses ``code(secret, 1)``."""
    secret = secret_of(user)
    device = two_factor.pending_totp_device(user)
    codes = two_factor.confirm_enrolment(user, device, code(secret))
    assert codes is not None
    user.refresh_from_db()
    return secret, codes
