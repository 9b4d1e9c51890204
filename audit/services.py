"""Writing to the audit log: the one way in (``record``), callable from every app above accounts."""

from typing import Any

from django.db import models
from django.http import HttpRequest

from audit.models import AuditEvent


def client_ip(request: HttpRequest | None) -> str | None:
    """The address the request came from, as the web server gave it (proxies set REMOTE_ADDR)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    action: str,
    *,
    actor: Any = None,
    target: models.Model | tuple[str, Any] | None = None,
    request: HttpRequest | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. ``target`` is a model instance or a ``(type, id)`` pair; ``actor`` defaults
    to the request's signed-in user. Call it inside the transaction that makes the change, so the
    change and its record commit together or not at all."""
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
    target_type, target_id = "", ""
    if isinstance(target, models.Model):
        target_type, target_id = target._meta.model_name, str(target.pk)
    elif target is not None:
        target_type, target_id = target[0], str(target[1])
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=target_id,
        ip=client_ip(request),
        detail=detail or {},
    )
