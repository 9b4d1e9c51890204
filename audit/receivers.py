"""What the audit log hears about without being called: sign-ins and failures (Django's auth
signals), the accounts app's security events (accounts.signals: accounts sits below audit and
cannot call it), and every change made through the admin (its LogEntry rows)."""

from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts import signals
from accounts.models import User
from audit.services import record


@receiver(user_logged_in, dispatch_uid="audit.sign_in")
def sign_in(sender, request, user: User, **kwargs: Any) -> None:
    verified = bool(getattr(getattr(request, "user", None), "otp_device", None))
    record(
        "sign_in",
        actor=user,
        target=user,
        request=request,
        detail={"role": user.role, "two_factor": verified or user.two_factor_enabled},
    )


@receiver(user_login_failed, dispatch_uid="audit.sign_in_failed")
def sign_in_failed(sender, credentials: dict, request=None, **kwargs: Any) -> None:
    email = str(credentials.get("username") or credentials.get("email") or "")[:254]
    user = User.objects.filter(email__iexact=email).only("pk").first() if email else None
    record(
        "sign_in_failed",
        actor=None,
        target=user,
        request=request,
        detail={"username": email, "reason": credentials.get("reason", "password")},
    )


@receiver(signals.email_request_throttled, dispatch_uid="audit.throttled")
def throttled(
    sender, request, purpose: str, email: str, client: str, over=(), **kwargs: Any
) -> None:
    """A sign-in link or password reset refused for flooding. Like sign_in_failed, the address as
    typed is kept, but no user is named as the target: the log does not look the address up."""
    record(
        "throttled",
        actor=None,
        request=request,
        detail={"kind": purpose, "email": email[:254], "client": client, "over": list(over)},
    )


@receiver(signals.two_factor_enabled, dispatch_uid="audit.two_factor_enabled")
def two_factor_enabled(sender, user: User, request=None, **kwargs: Any) -> None:
    record("two_factor_enabled", actor=user, target=user, request=request)


@receiver(signals.role_changed, dispatch_uid="audit.role_changed")
def role_changed(sender, user: User, actor=None, request=None, old="", new="", **kwargs) -> None:
    record(
        "role_changed",
        actor=actor,
        target=user,
        request=request,
        detail={"from": old, "to": new},
    )


@receiver(signals.user_deactivated, dispatch_uid="audit.user_deactivated")
def user_deactivated(sender, user: User, actor=None, request=None, **kwargs: Any) -> None:
    record("user_deactivated", actor=actor, target=user, request=request)


@receiver(signals.settings_changed, dispatch_uid="audit.settings_changed")
def settings_changed(sender, target, actor=None, request=None, fields=(), **kwargs) -> None:
    record(
        "settings_changed",
        actor=actor,
        target=target,
        request=request,
        detail={"fields": list(fields), "via": "api" if request is not None else "app"},
    )


@receiver(post_save, sender=LogEntry, dispatch_uid="audit.admin_change")
def admin_change(sender, instance: LogEntry, created: bool, **kwargs: Any) -> None:
    """Every add, change and deletion made in the admin (support plans, organisations, people,
    vendors, ...) is a configuration change."""
    if not created or instance.content_type is None:
        return
    record(
        "settings_changed",
        actor=instance.user,
        target=(instance.content_type.model, instance.object_id or ""),
        detail={
            "via": "admin",
            "object": instance.object_repr,
            "action": {1: "added", 2: "changed", 3: "deleted"}.get(instance.action_flag, ""),
            "change": instance.get_change_message(),
        },
    )
