"""A ticket's timeline and the ledger of every "next update by" promise made on it."""

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
