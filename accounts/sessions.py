"""Signed-in browsers: listed on the sessions page, ended one by one or everywhere at once.

A browser is recorded when a sign-in completes (Django's ``user_logged_in``, after the second
factor); its "last seen" is refreshed at most every SESSION_SEEN_EVERY_SECONDS by the gate
middleware, so an ordinary page costs no write.
"""

from importlib import import_module

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.models import Session
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User, UserSession

SEEN_KEY = "_seen_at"


def _store(session_key: str | None = None):
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key)


def _address(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


@receiver(user_logged_in, dispatch_uid="accounts.sessions.remember")
def remember(sender, request: HttpRequest | None, user: User, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    if request.session.session_key is None:
        request.session.save()
    now = timezone.now()
    UserSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={
            "user": user,
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
            "ip": _address(request),
            "last_seen_at": now,
        },
    )
    request.session[SEEN_KEY] = now.timestamp()


def touch(request: HttpRequest) -> None:
    """Refresh this browser's "last seen" if the last refresh is older than the setting."""
    seen = request.session.get(SEEN_KEY)
    now = timezone.now()
    if seen is not None and now.timestamp() - seen < settings.SESSION_SEEN_EVERY_SECONDS:
        return
    request.session[SEEN_KEY] = now.timestamp()
    key = request.session.session_key
    if key:
        UserSession.objects.filter(session_key=key, user=request.user).update(
            last_seen_at=now, ip=_address(request)
        )


def active_sessions(user: User) -> list[UserSession]:
    """This person's signed-in browsers whose Django session still exists, latest first."""
    rows = list(UserSession.objects.filter(user=user))
    live = set(
        Session.objects.filter(
            session_key__in=[row.session_key for row in rows], expire_date__gt=timezone.now()
        ).values_list("session_key", flat=True)
    )
    return [row for row in rows if row.session_key in live]


def sign_out(user: User, *, keep: str | None = None, only: int | None = None) -> int:
    """End this person's sessions (all, all but ``keep``, or the one row ``only``). Returns how
    many were ended."""
    rows = UserSession.objects.filter(user=user)
    if only is not None:
        rows = rows.filter(pk=only)
    if keep:
        rows = rows.exclude(session_key=keep)
    keys = list(rows.values_list("session_key", flat=True))
    with transaction.atomic():
        for key in keys:
            _store(key).delete()
        UserSession.objects.filter(session_key__in=keys).delete()
    return len(keys)


def describe(user_agent: str) -> str:
    """A short "browser on system" from a User-Agent header, for people, not for decisions."""
    agent = user_agent or ""
    browser = next(
        (
            name
            for token, name in (
                ("Edg/", "Edge"),
                ("Firefox/", "Firefox"),
                ("Chrome/", "Chrome"),
                ("Safari/", "Safari"),
                ("curl/", "curl"),
            )
            if token in agent
        ),
        "Unknown browser",
    )
    system = next(
        (
            name
            for token, name in (
                ("Windows", "Windows"),
                ("Android", "Android"),
                ("iPhone", "iPhone"),
                ("Mac OS", "macOS"),
                ("Linux", "Linux"),
            )
            if token in agent
        ),
        "",
    )
    return f"{browser} on {system}" if system else browser
