"""How many sign-in and password-reset emails one address, and one client, may ask for.

Each request for an email (a sign-in link, a password reset) counts against two allowances in a
window of SIGN_IN_EMAILS_WINDOW_MINUTES: the address asked for (SIGN_IN_EMAILS_PER_ADDRESS) and
the client asking (SIGN_IN_EMAILS_PER_CLIENT). Past either, nothing is sent and the visitor is
told to check the inbox or wait. Every well-formed request counts, whether or not the address
has an account, so the answer says nothing about who is a customer. Each refusal is announced
(accounts.signals.email_request_throttled) and the audit log records it as `throttled`.

The counters live in Django's default cache, which production shares between processes
(CACHE_URL, Redis), so every gunicorn worker counts against the same allowance. If the cache is
unreachable the request is let through (and logged): an outage of the counter store must not
stop customers signing in.
"""

import hashlib
import logging

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from accounts import signals
from accounts.models import User

logger = logging.getLogger(__name__)

KEY_PREFIX = "sign-in-emails"


def _window_seconds() -> int:
    return settings.SIGN_IN_EMAILS_WINDOW_MINUTES * 60


def _count(key: str) -> int:
    """This request's number in the window that started with the first one."""
    if cache.add(key, 1, timeout=_window_seconds()):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # the window ended between add and incr
        cache.set(key, 1, timeout=_window_seconds())
        return 1


def allow_email_request(request: HttpRequest, *, email: str, purpose: str) -> bool:
    """Count one request for an email to `email` (`purpose`: "sign_in_link", "password_reset")
    and say whether it may be sent."""
    address = email.strip().lower()
    client = get_client_ip_address(request) or "unknown"
    digest = hashlib.sha256(address.encode()).hexdigest()
    try:
        by_address = _count(f"{KEY_PREFIX}:address:{digest}")
        by_client = _count(f"{KEY_PREFIX}:client:{client}")
    except Exception:  # the cache backend's own connection errors vary by backend
        logger.warning(
            "Sign-in email counter unreachable; letting the request through", exc_info=True
        )
        return True
    if by_address <= settings.SIGN_IN_EMAILS_PER_ADDRESS and (
        by_client <= settings.SIGN_IN_EMAILS_PER_CLIENT
    ):
        return True
    over = [
        name
        for name, count, allowance in (
            ("address", by_address, settings.SIGN_IN_EMAILS_PER_ADDRESS),
            ("client", by_client, settings.SIGN_IN_EMAILS_PER_CLIENT),
        )
        if count > allowance
    ]
    logger.warning(
        "Refused a %s email: %s requests for %s and %s from client %s in %s minutes",
        purpose,
        by_address,
        address,
        by_client,
        client,
        settings.SIGN_IN_EMAILS_WINDOW_MINUTES,
    )
    # The audit log (above accounts) hears of it through a signal; the visitor's answer is the
    # same whatever it does.
    signals.email_request_throttled.send(
        sender=User, request=request, purpose=purpose, email=email, client=client, over=over
    )
    return False


def refusal_message() -> str:
    minutes = settings.SIGN_IN_EMAILS_WINDOW_MINUTES
    return (
        "We have sent several emails for this address or from your network recently. Check your "
        f"inbox (and spam folder) for them, or try again in {minutes} minutes."
    )
