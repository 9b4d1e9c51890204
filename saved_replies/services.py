"""Writing saved replies: who may, the checks (the body's variables at save time), and a use."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F

from accounts.models import User
from saved_replies.models import LONGEST_PROMISE_MINUTES, TITLE_MAX_LENGTH, SavedReply
from saved_replies.rendering import RenderError, check
from saved_replies.selectors import may_manage
from tickets.models import BODY_MAX_LENGTH, Status

FIELDS = ("title", "body", "shared", "status", "next_update_minutes")


def _clean(user: User, values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    if "title" in values:
        values["title"] = (values["title"] or "").strip()
        if not values["title"]:
            errors["title"] = "Give the reply a title."
        elif len(values["title"]) > TITLE_MAX_LENGTH:
            errors["title"] = f"At most {TITLE_MAX_LENGTH} characters."
    if "body" in values:
        body = values["body"] or ""
        if not body.strip():
            errors["body"] = "Write the text of the reply."
        elif len(body) > BODY_MAX_LENGTH:
            errors["body"] = f"At most {BODY_MAX_LENGTH} characters."
        else:
            try:
                check(body)
            except RenderError as error:
                errors["body"] = str(error)
    if values.get("shared") and not user.is_manager:
        errors["shared"] = "Only managers share replies with everyone."
    if "status" in values:
        values["status"] = values["status"] or ""
        if values["status"] and values["status"] not in Status.values:
            errors["status"] = "Not a status."
    minutes = values.get("next_update_minutes")
    if minutes is not None and not 1 <= minutes <= LONGEST_PROMISE_MINUTES:
        errors["next_update_minutes"] = f"Between 1 and {LONGEST_PROMISE_MINUTES} minutes."
    if errors:
        raise ValidationError(errors)
    return values


def create_reply(*, author: User, **values: Any) -> SavedReply:
    if not author.is_helpdesk_staff:
        raise PermissionDenied("Saved replies are for staff.")
    values = _clean(author, {name: values[name] for name in FIELDS if name in values})
    for required in ("title", "body"):
        if required not in values:
            raise ValidationError({required: "This field is required."})
    return SavedReply.objects.create(author=author, **values)


def update_reply(reply: SavedReply, *, by: User, **values: Any) -> SavedReply:
    if not may_manage(by, reply):
        raise PermissionDenied("Managers manage the shared replies; agents their own.")
    values = _clean(by, {name: values[name] for name in FIELDS if name in values})
    for name, value in values.items():
        setattr(reply, name, value)
    reply.save()
    return reply


def delete_reply(reply: SavedReply, *, by: User) -> None:
    if not may_manage(by, reply):
        raise PermissionDenied("Managers manage the shared replies; agents their own.")
    reply.delete()


def count_use(reply: SavedReply) -> None:
    """One use, in the caller's transaction (the update that posted it)."""
    SavedReply.objects.filter(pk=reply.pk).update(usage_count=F("usage_count") + 1)
