"""The timeline of a ticket and the ledger of every "next update by" promise made on it."""

from datetime import datetime

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone

from tickets.models import BODY_MAX_LENGTH, Ticket


class EntryKind(models.TextChoices):
    PUBLIC_UPDATE = "public_update", "Public update"
    INTERNAL_NOTE = "internal_note", "Internal note"
    CUSTOMER_REPLY = "customer_reply", "Customer reply"
    EVENT = "event", "System event"


class TimelineEntry(models.Model):
    """One thing that happened on a ticket. `is_public` decides whether the customer ever sees it."""

    # No index of its own: timeline_ticket_time leads with it.
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="timeline", db_index=False
    )
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    is_public = models.BooleanField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    body = models.TextField(blank=True, validators=[MaxLengthValidator(BODY_MAX_LENGTH)])
    event = models.CharField(
        max_length=40,
        blank=True,
        help_text="For system events: what happened (status_changed, ...).",
    )
    data = models.JSONField(default=dict, blank=True)
    next_update_due = models.DateTimeField(
        null=True, blank=True, help_text="The promise this update made, as the customer was told."
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The ticket this entry was written on before that ticket was merged into this entry's
    # ticket (updates.merging); null on a ticket's own entries. No index: read with its ticket.
    merged_from = models.ForeignKey(
        Ticket, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "timeline entries"
        # One line per index: the query it serves (docs/indexes.md has the plans).
        indexes = [
            # A ticket's timeline in order: ticket page, portal, API; deleting a ticket's entries.
            models.Index(fields=["ticket", "created_at"], name="timeline_ticket_time"),
            # Rebuilding the vendor-wait read model: when each ticket last began waiting on one.
            models.Index(
                fields=["ticket", "-created_at"],
                condition=models.Q(
                    kind="event", event="status_changed", data__new="waiting_on_vendor"
                ),
                name="timeline_vendor_wait_start",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="internal_note") | models.Q(is_public=False),
                name="internal_note_never_public",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind__in=["public_update", "customer_reply"])
                | models.Q(is_public=True),
                name="updates_and_replies_public",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.ticket.reference}"


class PromiseOutcome(models.TextChoices):
    PENDING = "pending", "Pending"
    KEPT = "kept", "Kept"
    BREACHED = "breached", "Breached"
    WITHDRAWN = "withdrawn", "Withdrawn (nothing owed any more)"


class Promise(models.Model):
    """A "next update by" time told to the customer, and what became of it (DESIGN rule 3).

    Kept: a public update or the resolution was posted at or before `due_at`. Breached: the
    deadline passed first. Withdrawn: before the deadline the ticket stopped owing updates
    (waiting on the customer) or a sooner promise replaced it.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="promises")
    made_at = models.DateTimeField()
    due_at = models.DateTimeField()
    is_first_response = models.BooleanField(default=False)
    priority = models.PositiveSmallIntegerField(help_text="The ticket's priority when promised.")
    outcome = models.CharField(
        max_length=10, choices=PromiseOutcome.choices, default=PromiseOutcome.PENDING
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    kept_by = models.ForeignKey(
        TimelineEntry, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    made_by = models.ForeignKey(
        TimelineEntry, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Who was accountable and for which customer, copied from the ticket when the promise is made
    # (and the owner again on a handover while it is pending), so the dashboard's figures by owner
    # and by customer read the promise index alone instead of joining a million tickets.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # read through promise_came_due_by, never looked up alone
        help_text="The ticket's owner while the promise was pending.",
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        help_text="The ticket's customer organisation.",
    )

    class Meta:
        ordering = ["made_at", "id"]
        indexes = [
            # The dashboard's promise-kept figures for a period, by owner or customer (index-only).
            models.Index(
                fields=["due_at"],
                include=["outcome", "priority", "owner", "organization", "id"],
                condition=~models.Q(outcome="withdrawn"),
                name="promise_came_due_by",
            ),
            # The dashboard's first-response times for a period.
            models.Index(
                fields=["made_at"],
                include=["closed_at", "outcome", "ticket"],
                condition=models.Q(is_first_response=True),
                name="promise_first_response",
            ),
            # The sweep's idle check and its reconcile of overdue pending promises (index-only).
            models.Index(
                fields=["due_at", "id"],
                condition=models.Q(outcome="pending"),
                name="scale_promise_pending_due",
            ),
        ]
        constraints = [
            # Also the ledger's lookup of a ticket's pending promise on every update.
            models.UniqueConstraint(
                fields=["ticket"],
                condition=models.Q(outcome="pending"),
                name="one_pending_promise_per_ticket",
            ),
            models.CheckConstraint(
                condition=models.Q(due_at__gt=models.F("made_at")), name="promise_due_after_made"
            ),
            models.CheckConstraint(
                condition=models.Q(outcome="pending", closed_at__isnull=True)
                | (~models.Q(outcome="pending") & models.Q(closed_at__isnull=False)),
                name="promise_closed_iff_not_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket.reference}: update by {self.due_at:%Y-%m-%d %H:%M} ({self.outcome})"

    def save(self, *args, **kwargs) -> None:
        if self._state.adding and self.organization_id is None:
            # make_promise passes the locked ticket, so this reads no extra row.
            self.organization_id = self.ticket.organization_id
            self.owner_id = self.ticket.owner_id
        super().save(*args, **kwargs)

    @property
    def is_pending(self) -> bool:
        return self.outcome == PromiseOutcome.PENDING

    def outcome_if_closed_at(self, moment) -> str:
        """Kept when answered at or before the deadline; breached after it."""
        return PromiseOutcome.KEPT if moment <= self.due_at else PromiseOutcome.BREACHED


class PromiseTally(models.Model):
    """How many promises fell due in one UTC hour at one priority, and how many were kept: the
    dashboard's incrementally maintained promise figures (docs/dashboard.md, "Performance").

    `due` counts every promise not withdrawn (pending ones too: once the hour has passed they
    are broken whatever happens next), `kept` the kept ones; broken = due - kept. The promise
    ledger (updates.promises) adjusts the row in the transaction that records each outcome;
    `manage.py rebuild_dashboard_tallies` recomputes the table from the ledger.
    """

    hour = models.DateTimeField(help_text="The start of the UTC hour the deadlines fell in.")
    priority = models.PositiveSmallIntegerField()
    due = models.IntegerField(default=0)
    kept = models.IntegerField(default=0)

    class Meta:
        verbose_name_plural = "promise tallies"
        constraints = [
            # The upsert's conflict target, and the dashboard's trends for a period (index-only
            # on PostgreSQL; SQLite has no INCLUDE, see updates/0002_prune_overlapping_indexes).
            models.UniqueConstraint(
                fields=["hour", "priority"],
                include=["due", "kept"],
                name="promise_tally_hour_priority",
            )
        ]

    def __str__(self) -> str:
        return f"P{self.priority} {self.hour:%Y-%m-%d %H}:00 UTC: {self.kept} kept of {self.due}"


class NotificationKind(models.TextChoices):
    DUE_SOON = "due_soon", "Update due soon"
    BREACHED = "breached", "Promise breached"
    STILL_BREACHED = "still_breached", "Promise still breached"
    VENDOR_CHASE = "vendor_chase", "Vendor chase due"
    # The agent-speed kinds (API.md): each also by email unless in the person's
    # notification_email_off (updates.notify).
    CUSTOMER_REPLY = "customer_reply", "Customer replied"
    HANDOVER = "handover", "Handed over to you"
    NEW_TICKET = "new_ticket", "New unowned ticket"
    MENTION = "mention", "Mentioned in a note"
    INCIDENT_DUE_SOON = "incident_due_soon", "Incident update due soon"
    INCIDENT_BREACHED = "incident_breached", "Incident update late"
    WEBHOOK_FAILED = "webhook_failed", "Webhook paused"


# The kinds a staff member may take by email or in the app only (the preferences page).
EMAIL_OPTIONAL_KINDS = (
    NotificationKind.CUSTOMER_REPLY,
    NotificationKind.HANDOVER,
    NotificationKind.NEW_TICKET,
    NotificationKind.MENTION,
)


class Notification(models.Model):
    """An in-app notification for one staff member (the bell). Written by the promise keeper."""

    # No index of its own: notification_inbox leads with it.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    kind = models.CharField(max_length=30, choices=NotificationKind.choices)
    # Empty for a notification about something else than one ticket (a major incident's own
    # promise): `link` and `label` then say where it leads.
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    # Database defaults too: bulk loads (demo.scale's COPY) name only the ticket columns.
    link = models.CharField(
        max_length=200,
        blank=True,
        default="",
        db_default="",
        help_text="A staff path, when it is not about one ticket.",
    )
    label = models.CharField(
        max_length=40,
        blank=True,
        default="",
        db_default="",
        help_text="What `link` leads to (INC-7), shown in the bell.",
    )
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    alert = models.ForeignKey(
        "updates.PromiseAlert",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        db_index=False,  # one_notification_per_alert_recipient leads with it
        help_text="The promise alert this notification delivers (at most one per recipient).",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The bell's list and GET /api/v1/notifications/, newest first.
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            # The unread count on every staff page.
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]
        constraints = [
            # DESIGN rule 6: in-app delivery of an alert happens at most once per person
            # (delivery's exactly-once insert; deleting an alert's notifications).
            models.UniqueConstraint(
                fields=["alert", "recipient"],
                condition=models.Q(alert__isnull=False),
                name="one_notification_per_alert_recipient",
            )
        ]

    def __str__(self) -> str:
        about = self.ticket.reference if self.ticket_id else self.label
        return f"{self.get_kind_display()} for {self.recipient}: {about}"

    @property
    def read(self) -> bool:
        return self.read_at is not None


class LossCategory(models.TextChoices):
    MISUNDERSTOOD_PROBLEM = "misunderstood_problem", "Misunderstood problem"
    MISSED_UPDATE = "missed_update", "Missed update"
    SLOW_RESPONSE = "slow_response", "Slow response"
    WRONG_FIX = "wrong_fix", "Wrong fix"
    VENDOR_FAILURE = "vendor_failure", "Vendor failure"
    OTHER = "other", "Other"


class Feedback(models.Model):
    """The customer's two ratings after resolution (DESIGN rule 10); one per ticket."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="feedback")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kept_informed = models.PositiveSmallIntegerField()
    resolved = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True, validators=[MaxLengthValidator(BODY_MAX_LENGTH)])
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "feedback"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kept_informed__gte=1, kept_informed__lte=5)
                & models.Q(resolved__gte=1, resolved__lte=5),
                name="feedback_scores_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return f"Feedback on {self.ticket.reference}: {self.kept_informed}/{self.resolved}"


class Loss(models.Model):
    """A dissatisfaction event: what went wrong for the customer and why (DESIGN rule 10)."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, null=True, blank=True, related_name="losses"
    )
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="losses"
    )
    category = models.CharField(max_length=30, choices=LossCategory.choices)
    description = models.TextField(blank=True, validators=[MaxLengthValidator(BODY_MAX_LENGTH)])
    lessons = models.TextField(blank=True, help_text="What we learned and will do differently.")
    feedback = models.OneToOneField(
        Feedback, on_delete=models.CASCADE, null=True, blank=True, related_name="loss"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "losses"
        # The losses log and the API list, newest first.
        indexes = [models.Index(fields=["-created_at"], name="loss_recent")]

    def __str__(self) -> str:
        return f"{self.get_category_display()} ({self.organization})"


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
