"""Writes of the webhooks app: subscriptions (managers), redelivery and ping."""

import base64
import binascii
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Organization, User
from audit.services import record as audit
from webhooks import events, guard
from webhooks.models import (
    SECRET_PREFIX,
    Delivery,
    DeliveryStatus,
    Format,
    Subscription,
    new_secret,
)

EDITABLE = {"url", "events", "format", "organization", "priorities", "internal", "active"}


def _manager(user: User) -> User:
    if not (user and user.is_authenticated and user.is_manager):
        raise ValidationError({"by": "Only managers manage webhooks."})
    return user


def clean_url(url: Any) -> str:
    if not isinstance(url, str) or not url.strip():
        raise ValidationError({"url": "Enter the receiver's http or https URL."})
    url = url.strip()
    if len(url) > 2000:
        raise ValidationError({"url": "Use a URL of at most 2,000 characters."})
    try:
        guard.check(url)
    except guard.UrlRefused as refused:
        raise ValidationError({"url": str(refused)}) from refused
    return url


def clean_events(value: Any) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ValidationError({"events": 'Give a list of event types, or ["*"] for all.'})
    if value == ["*"]:
        return value
    unknown = sorted(set(value) - set(events.EVENT_TYPES))
    if unknown:
        raise ValidationError(
            {"events": f"Unknown event types: {', '.join(unknown)}. Use the listed types or *."}
        )
    return sorted(set(value), key=events.EVENT_TYPES.index)


def clean_priorities(value: Any) -> list[int]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(type(v) is int and 1 <= v <= 4 for v in value):
        raise ValidationError({"priorities": "Give a list of priorities from 1 to 4."})
    return sorted(set(value))


def clean_secret(value: Any) -> str:
    if value is None or value == "":
        return new_secret()
    if not isinstance(value, str) or not value.startswith(SECRET_PREFIX):
        raise ValidationError({"secret": f"A secret starts with {SECRET_PREFIX}."})
    try:
        key = base64.b64decode(value.removeprefix(SECRET_PREFIX), validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValidationError({"secret": "After whsec_ comes base64."}) from error
    if not 24 <= len(key) <= 64:
        raise ValidationError({"secret": "The secret must decode to 24 to 64 bytes."})
    return value


def _clean(changes: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    if "url" in changes:
        cleaned["url"] = clean_url(changes["url"])
    if "events" in changes:
        cleaned["events"] = clean_events(changes["events"])
    if "format" in changes:
        if changes["format"] not in Format.values:
            raise ValidationError({"format": f"Use one of: {', '.join(Format.values)}."})
        cleaned["format"] = changes["format"]
    if "organization" in changes:
        organization = changes["organization"]
        if organization is not None and not isinstance(organization, Organization):
            raise ValidationError({"organization": "Choose an organisation."})
        cleaned["organization"] = organization
    if "priorities" in changes:
        cleaned["priorities"] = clean_priorities(changes["priorities"])
    for flag in ("internal", "active"):
        if flag in changes:
            if not isinstance(changes[flag], bool):
                raise ValidationError({flag: "Give true or false."})
            cleaned[flag] = changes[flag]
    return cleaned


def create_subscription(*, by: User, secret: str | None = None, **fields: Any) -> Subscription:
    """A new subscription; its secret is generated unless given (and shown once by the caller)."""
    _manager(by)
    unknown = set(fields) - EDITABLE
    if unknown:
        raise ValidationError({name: "Unknown field." for name in sorted(unknown)})
    for required in ("url", "events"):
        if required not in fields:
            raise ValidationError({required: "This field is required."})
    cleaned = _clean(fields)
    with transaction.atomic():
        subscription = Subscription.objects.create(
            secret=clean_secret(secret), created_by=by, **cleaned
        )
        audit(
            "settings_changed",
            actor=by,
            target=subscription,
            detail={"webhook": "created", "url": subscription.url},
        )
    return subscription


def change_subscription(
    subscription: Subscription, *, by: User, changes: dict[str, Any]
) -> Subscription:
    """Edit a subscription. Setting it active again retries its pending deliveries now, each with
    a fresh day before it gives up."""
    _manager(by)
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ValidationError({name: "This field cannot be changed." for name in sorted(unknown)})
    cleaned = _clean(changes)
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
        resumed = cleaned.get("active") is True and not subscription.active
        for name, value in cleaned.items():
            setattr(subscription, name, value)
        if resumed:
            subscription.paused_at = None
            now = timezone.now()
            subscription.deliveries.filter(status=DeliveryStatus.PENDING).update(
                next_attempt_at=now, first_attempt_at=None, lease_expires_at=None
            )
            events.ring_on_commit()
        subscription.save()
        audit(
            "settings_changed",
            actor=by,
            target=subscription,
            detail={"webhook": "changed", "fields": sorted(cleaned)},
        )
    return subscription


def delete_subscription(subscription: Subscription, *, by: User) -> None:
    _manager(by)
    with transaction.atomic():
        audit(
            "settings_changed",
            actor=by,
            target=subscription,
            detail={"webhook": "deleted", "url": subscription.url},
        )
        subscription.delete()


def redeliver(delivery: Delivery, *, by: User) -> Delivery:
    """Send a delivery again (same webhook-id), whatever became of it, as soon as a worker can."""
    _manager(by)
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.PENDING,
            next_attempt_at=timezone.now(),
            first_attempt_at=None,
            lease_expires_at=None,
        )
        events.ring_on_commit()
    delivery.refresh_from_db()
    return delivery


def ping(subscription: Subscription, *, by: User) -> Delivery:
    """A webhook.ping event for this subscription alone, whatever its events and filters."""
    _manager(by)
    with transaction.atomic():
        event = events.record_for(
            "webhook.ping",
            [subscription],
            staff_data={"subscription": subscription.pk},
            customer_data={"subscription": subscription.pk},
            at=timezone.now(),
        )
    return event.deliveries.get()
