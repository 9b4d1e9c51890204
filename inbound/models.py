"""Inbound email: every message as received, stored before anything is decided about it."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from tickets.models import Ticket


class Outcome(models.TextChoices):
    PENDING = "pending", "Stored, not acted on yet"
    TICKET_CREATED = "ticket_created", "Opened a ticket"
    REPLY_ADDED = "reply_added", "Added to a ticket"
    IGNORED_AUTOMATIC = "ignored_automatic", "Automatic mail, ignored"
    QUARANTINED = "quarantined", "Quarantined"
    DUPLICATE = "duplicate", "Duplicate delivery"
    DISCARDED = "discarded", "Discarded by staff"


class Reason(models.TextChoices):
    UNKNOWN_SENDER = "unknown_sender", "Unknown sender"
    STAFF_SENDER = "staff_sender", "Staff sender"
    WRONG_ORGANIZATION = "wrong_organization", "Sender of another organisation"
    UNAUTHENTICATED = "unauthenticated", "Sender authentication failed"
    TOO_LARGE = "too_large", "Too large"
    UNPARSEABLE = "unparseable", "Unparseable"


class InboundMessage(models.Model):
    """One message as it arrived (pipe or IMAP), then what became of it.

    `dedupe_key` is the Message-ID of the first delivery of a message, else "sha256:" and a hash
    of its bytes: a second row with the same one cannot be written, so a repeated delivery is
    stored as its own `duplicate` row instead (with a null key).
    """

    received_at = models.DateTimeField(default=timezone.now)
    via = models.CharField(max_length=10, default="pipe")
    raw = models.BinaryField(help_text="The message's bytes as received.")
    size = models.PositiveIntegerField()
    message_id = models.CharField(max_length=998, null=True, blank=True)
    dedupe_key = models.CharField(max_length=998, null=True, blank=True, unique=True)
    sender = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=998, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.PENDING)
    reason = models.CharField(max_length=20, choices=Reason.choices, blank=True)
    detail = models.CharField(max_length=300, blank=True, help_text="Why, in a sentence.")
    ticket = models.ForeignKey(
        Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acted_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who released or discarded it.",
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            # Stored messages still to act on (the retry task).
            models.Index(
                fields=["received_at"],
                condition=models.Q(outcome="pending"),
                name="inbound_pending",
            ),
            # The quarantine page and GET /api/v1/inbound/?outcome=quarantined.
            models.Index(fields=["outcome", "-received_at"], name="inbound_outcome_time"),
        ]

    def __str__(self) -> str:
        return f"{self.sender or '?'}: {self.subject[:60]} ({self.outcome})"


class MailboxState(models.Model):
    """Where the IMAP poller is in one mailbox folder: UIDs are only meaningful under one
    UIDVALIDITY, so a changed UIDVALIDITY starts the folder over (stored Message-IDs keep a
    message from being acted on twice)."""

    mailbox = models.CharField(max_length=300, unique=True)
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)
    polled_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.mailbox} (UIDVALIDITY {self.uidvalidity}, last UID {self.last_uid})"
