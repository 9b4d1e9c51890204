"""The promise keeper's own rows: reminders due, the outbox of messages, the sweep's heartbeat
and the triage digest."""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from tickets.models import Ticket
from updates.models.timeline import Promise, PromiseOutcome, TimelineEntry


class AlertStage(models.TextChoices):
    """The reminders and escalations of one promise (DESIGN rule 6), in the order they fire."""

    DUE_SOON = "due_soon", "Update due soon"
    BREACHED = "breached", "Promise breached"
    STILL_BREACHED = "still_breached", "Promise still breached"


class AlertStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    FIRED = "fired", "Fired (handed to the outbox)"
    CANCELLED = "cancelled", "Cancelled (the promise was kept or moved)"
    SKIPPED = "skipped", "Skipped (no longer meaningful when its turn came)"


class PromiseAlert(models.Model):
    """One stage of the reminders owed for one promise, written with the promise itself.

    The sweep claims pending alerts whose `due_at` has passed (by the database clock), records
    them as fired and hands delivery to the outbox; keeping or moving the promise cancels the
    alerts still pending. The unique constraint makes each stage exist once per promise.
    """

    # No index of its own: one_alert_per_promise_stage leads with it.
    promise = models.ForeignKey(
        Promise, on_delete=models.CASCADE, related_name="alerts", db_index=False
    )
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(max_length=20, choices=AlertStage.choices)
    due_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=AlertStatus.choices, default=AlertStatus.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    settled_at = models.DateTimeField(
        null=True, blank=True, help_text="When it fired, was cancelled or was skipped."
    )

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            # The sweep's claim and idle check; the status page's oldest due alert.
            models.Index(
                fields=["due_at"],
                condition=models.Q(status="pending"),
                name="alert_pending_due",
            ),
        ]
        constraints = [
            # Also cancelling a promise's alerts and the reconcile's probe for a breach alert.
            models.UniqueConstraint(
                fields=["promise", "stage"], name="one_alert_per_promise_stage"
            ),
            models.CheckConstraint(
                condition=models.Q(stage__in=["due_soon", "breached", "still_breached"]),
                name="alert_stage_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} for {self.ticket.reference} at {self.due_at:%Y-%m-%d %H:%M}"

    def is_worth_sending(self, now: datetime) -> bool:
        """Whether this alert still says something true at `now`. The sweep asks when it fires
        the alert, delivery again just before each message; this is the one place that decides.

        - Its promise must still be pending (kept, moved or withdrawn: nothing to say).
        - A due-soon reminder is judged by when it fired: fired before the deadline, its
          messages go out even if delivery comes after it (a worker died mid-send), and their
          wording says how late it is, so an email is never silently dropped while its in-app
          half may already be read. Not fired by the deadline (beat was down, an orphan repaired
          late), it is skipped: the breach alert, due at that same deadline, speaks for it.
        """
        promise = self.promise
        if promise.outcome != PromiseOutcome.PENDING:
            return False
        if self.stage != AlertStage.DUE_SOON:
            return True
        fired_at = self.settled_at if self.status == AlertStatus.FIRED and self.settled_at else now
        return fired_at < promise.due_at


class OutboxChannel(models.TextChoices):
    IN_APP = "in_app", "In-app notification"
    EMAIL = "email", "Email"


class OutboxKind(models.TextChoices):
    DUE_SOON = "due_soon", "Update due soon"
    BREACHED = "breached", "Promise breached"
    STILL_BREACHED = "still_breached", "Promise still breached"
    CUSTOMER_ACKNOWLEDGEMENT = "customer_acknowledgement", "Customer: request received"
    CUSTOMER_UPDATE = "customer_update", "Customer: public update"
    CUSTOMER_RESOLUTION = "customer_resolution", "Customer: resolved"
    VENDOR_CHASE = "vendor_chase", "Vendor chase due"
    CUSTOMER_REPLY = "customer_reply", "Staff: the customer replied"
    HANDOVER = "handover", "Staff: handed over to them"
    NEW_TICKET = "new_ticket", "Staff: new unowned ticket"
    NEW_TICKET_DIGEST = "new_ticket_digest", "Staff: new unowned tickets (digest)"
    MENTION = "mention", "Staff: mentioned in a note"
    INCIDENT_DUE_SOON = "incident_due_soon", "Incident update due soon"
    INCIDENT_BREACHED = "incident_breached", "Incident update late"
    CUSTOMER_MERGED = "customer_merged", "Customer: merged into another request"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending (claimed by a worker)"
    SENT = "sent", "Sent"
    SKIPPED = "skipped", "Skipped (no longer true when its turn came)"
    DEAD = "dead", "Dead letter (gave up after bounded attempts)"
    HELD = "held", "Held back (the send cap for this address and ticket was reached)"


class OutboxMessage(models.Model):
    """One message to one person on one channel, written in the transaction that decided it.

    Delivery tasks claim messages (compare-and-set on `status`), re-check that the message is
    still true, deliver, and record the outcome; failures back off until `next_attempt_at` and
    become dead letters after a bounded number of attempts. `key` makes each message unique.
    """

    key = models.CharField(max_length=120, unique=True)
    channel = models.CharField(max_length=10, choices=OutboxChannel.choices)
    kind = models.CharField(max_length=30, choices=OutboxKind.choices)
    # Empty for a message about something else than one ticket: a registered promise source's
    # (updates.keeper.sources), e.g. a major incident's own next update; `data` says what.
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    alert = models.ForeignKey(
        PromiseAlert, on_delete=models.CASCADE, null=True, blank=True, related_name="messages"
    )
    entry = models.ForeignKey(
        TimelineEntry,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The public update a customer email carries.",
    )
    data = models.JSONField(
        default=dict,
        blank=True,
        help_text="What the registered wording of this kind needs (ids of another app's records).",
    )
    status = models.CharField(
        max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    enqueued_at = models.DateTimeField(
        null=True, blank=True, help_text="When a delivery task was last queued for it."
    )
    lease_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="While sending: when another worker may take it over."
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    email_message_id = models.CharField(
        max_length=255,
        blank=True,
        help_text="An email's Message-ID, made once when the message is written (the same on "
        "every retry); replies name it in In-Reply-To or References.",
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # Inbound mail finds the ticket a reply answers by the Message-ID it names.
            models.Index(
                fields=["email_message_id"],
                condition=~models.Q(email_message_id=""),
                name="outbox_email_message_id",
            ),
            # The send cap and the References of a new email: a ticket's emails to one person.
            models.Index(
                fields=["ticket", "recipient", "created_at"],
                condition=models.Q(channel="email"),
                name="outbox_ticket_recipient_email",
            ),
            # Delivery's claim and the status page's backlog.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status__in=["pending", "sending"]),
                name="outbox_unsent",
            ),
            # The status page's dead letters.
            models.Index(
                fields=["created_at"],
                condition=models.Q(status="dead"),
                name="outbox_dead_letters",
            ),
            # The next three: the sweep's idle check for lost messages (one statement reads the
            # first entry of each), its re-queue of them, and marking a sending group sent.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending", enqueued_at__isnull=True),
                name="outbox_unqueued_due",
            ),
            models.Index(
                fields=["enqueued_at"],
                include=["next_attempt_at"],
                condition=models.Q(status="pending", enqueued_at__isnull=False),
                name="outbox_queued_since",
            ),
            models.Index(
                fields=["lease_expires_at"],
                condition=models.Q(status="sending"),
                name="outbox_sending_lease",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.channel}) to {self.recipient_id}: {self.status}"


class SweepHeartbeat(models.Model):
    """When the promise sweep last ran and what it did; the health page reads it."""

    name = models.CharField(max_length=40, unique=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    fired = models.PositiveIntegerField(default=0)
    requeued = models.PositiveIntegerField(default=0)
    duration_ms = models.PositiveIntegerField(default=0)
    # The reconcile watermark: every pending promise due at or before this has been checked for
    # its breach alert, so the next sweep checks only those that fell due after it.
    reconciled_until = models.DateTimeField(null=True, blank=True)
    full_reconciled_at = models.DateTimeField(
        null=True, blank=True, help_text="When every overdue pending promise was last checked."
    )

    def __str__(self) -> str:
        return f"{self.name} at {self.finished_at:%Y-%m-%d %H:%M:%S}"


class TriageDigestItem(models.Model):
    """A new unowned P3/P4 ticket that one person on triage duty is to hear of by email in their
    next digest (at most one every NOTIFICATION_DIGEST_MINUTES). Written with the ticket; the
    digest task claims the pending ones (SKIP LOCKED, like the sweep) and writes one outbox email
    per person in the same transaction as `digested_at`, so a killed worker loses nothing and
    two beats send nothing twice."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    digested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # The digest task's claim and idle check: what is still waiting.
            models.Index(
                fields=["created_at"],
                condition=models.Q(digested_at__isnull=True),
                name="digest_item_pending",
            ),
            # When a person's last digest went: no second one within the interval.
            models.Index(fields=["recipient", "digested_at"], name="digest_item_recipient_sent"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "ticket"], name="one_digest_item_per_ticket"
            )
        ]

    def __str__(self) -> str:
        return f"Digest item {self.ticket_id} for {self.recipient_id}"
