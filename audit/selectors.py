"""Reading the audit log: the manager page, its CSV and the API share one filter."""

from datetime import datetime

from django.db.models import QuerySet

from audit.models import AuditEvent

# The actions the project records (API.md "Staff sign-in"); the filters offer these.
ACTIONS = [
    "sign_in",
    "sign_in_failed",
    "throttled",
    "two_factor_enabled",
    "token_created",
    "role_changed",
    "user_deactivated",
    "export",
    "settings_changed",
    "attachment_downloaded",
]


def events(
    *,
    action: str | None = None,
    actor: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEvent]:
    """Events newest first, with their actor's email loaded in the same query."""
    rows = AuditEvent.objects.select_related("actor").order_by("-at", "-id")
    if action:
        rows = rows.filter(action=action)
    if actor is not None:
        rows = rows.filter(actor_id=actor)
    if since is not None:
        rows = rows.filter(at__gte=since)
    if until is not None:
        rows = rows.filter(at__lt=until)
    return rows
