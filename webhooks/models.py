"""Webhook subscriptions, the events they get and one delivery row per event and subscription.

Events and deliveries are written in the transaction of the change they announce (a transactional
outbox): a delivery exists if and only if its change committed, and it stays pending until a
worker has had a 2xx for it or given up after a day.
"""

import base64
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Organization
from tickets.models import Ticket

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """`whsec_` + base64 of 24 random bytes (Standard Webhooks' secret format)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def new_event_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


class Format(models.TextChoices):
    JSON = "json", "JSON (signed)"
    SLACK = "slack", "Slack incoming webhook"
    TEAMS = "teams", "Microsoft Teams workflow"


class Subscription(models.Model):
    url = models.URLField(max_length=2000)
    events = models.JSONField(default=list, help_text='Event types, or ["*"] for all.')
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.JSON)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    priorities = models.JSONField(default=list, blank=True)
    internal = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    secret = models.CharField(max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    paused_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.url

    def wants(self, event_type: str) -> bool:
        return "*" in self.events or event_type in self.events


class Event(models.Model):
    """Something that happened, once, whatever number of subscriptions hear of it."""

    event_id = models.CharField(max_length=40, unique=True, default=new_event_id)
    type = models.CharField(max_length=40)
    ticket = models.ForeignKey(
        Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    occurred_at = models.DateTimeField()
    # The object as the API shows it to staff, and as the ticket's customer sees it (None for
    # internal-only events).
    staff_data = models.JSONField()
    customer_data = models.JSONField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class Delivery(models.Model):
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    # Copied from the event: the per-ticket order is checked on this table alone.
    ticket_id_for_order = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        indexes = [
            # The list of a subscription's deliveries, newest first.
            models.Index(fields=["subscription", "-id"], name="webhook_delivery_list"),
            # What is due: the claim and the sweep's idle check read its first entries.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="webhook_delivery_due",
            ),
            # The order check: an earlier pending delivery of the same ticket and subscription.
            models.Index(
                fields=["subscription", "ticket_id_for_order", "id"],
                condition=Q(status="pending"),
                name="webhook_delivery_order",
            ),
        ]

    def __str__(self) -> str:
        return f"delivery {self.pk} of {self.event_id}"
