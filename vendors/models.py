"""Suppliers we escalate to, the cases we open with them, and what they did with them.

Everything here is internal (DESIGN rule 7): no customer-facing code reads these models. The
customer hears that *we* are working on the problem; the vendor's case, its status and our notes
about it stay with the helpdesk.
"""

import re
from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from incidents.models import Incident
from tickets.models import Ticket

SUMMARY_MAX_LENGTH = 2000
NOTE_MAX_LENGTH = 50_000


class Vendor(models.Model):
    """A supplier whose product or service our customers depend on, and how to reach its support."""

    name = models.CharField(max_length=200, unique=True)
    aliases = models.TextField(
        blank=True,
        help_text="Other names staff may write for this vendor (product names, abbreviations), "
        "one per line or separated by commas. The vendor-mention guard looks for these too.",
    )
    support_email = models.EmailField(blank=True)
    support_phone = models.CharField(max_length=50, blank=True)
    portal_url = models.URLField(blank=True, help_text="Where we open and follow cases.")
    account_number = models.CharField(max_length=100, blank=True)
    contract_reference = models.CharField(max_length=100, blank=True)
    support_hours = models.CharField(
        max_length=200,
        blank=True,
        help_text="As the contract states them, e.g. 24x7 or Mon-Fri 9-17 CET.",
    )
    expected_response_minutes = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="How soon the vendor promises to acknowledge a case; blank if unknown.",
    )
    notes = models.TextField(blank=True, validators=[MaxLengthValidator(NOTE_MAX_LENGTH)])
    is_active = models.BooleanField(
        default=True, help_text="Inactive vendors keep their history but take no new escalations."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def alias_list(self) -> list[str]:
        return [alias.strip() for alias in re.split(r"[\n,;]", self.aliases) if alias.strip()]

    @property
    def names(self) -> list[str]:
        """The name and every alias: what the vendor-mention guard looks for."""
        return [self.name, *self.alias_list]


class EscalationStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    AWAITING_VENDOR = "awaiting_vendor", "Awaiting vendor"
    VENDOR_NEEDS_INFO = "vendor_needs_info", "Vendor needs info"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


ESCALATION_DONE_STATUSES = frozenset({EscalationStatus.RESOLVED, EscalationStatus.CLOSED})
ESCALATION_ACTIVE_STATUSES = frozenset(EscalationStatus) - ESCALATION_DONE_STATUSES

# Open is only ever the first status; a closed case is final (open a new escalation instead).
ESCALATION_TRANSITIONS: dict[str, frozenset[str]] = {
    status: frozenset(EscalationStatus) - {EscalationStatus.OPEN, status}
    for status in EscalationStatus
}
ESCALATION_TRANSITIONS[EscalationStatus.CLOSED] = frozenset()


class VendorEscalationQuerySet(models.QuerySet):
    def active(self) -> "VendorEscalationQuerySet":
        return self.exclude(status__in=ESCALATION_DONE_STATUSES)

    def acknowledgement_overdue(self, now: datetime | None = None) -> "VendorEscalationQuerySet":
        """Cases the vendor has not acknowledged within its own expected response time."""
        return self.filter(
            acknowledged_at__isnull=True,
            acknowledge_by__isnull=False,
            acknowledge_by__lt=now or timezone.now(),
        ).exclude(status__in=ESCALATION_DONE_STATUSES)

    def chase_due(self, now: datetime | None = None) -> "VendorEscalationQuerySet":
        return self.filter(next_chase_at__isnull=False, next_chase_at__lte=now or timezone.now())


class VendorEscalation(models.Model):
    """A case we opened with a vendor on behalf of a ticket, or of a major incident (one case
    for every ticket the outage touches): exactly one of the two (DESIGN rule 7).

        `acknowledged_at` is stamped by the first status other than open; `resolved_at` by resolved
        or closed. `acknowledge_by` is fixed when the case opens from the vendor's expected response
        time, so later contract changes do not rewrite history.
    """

    ticket = models.ForeignKey(
        Ticket,
        on_delete=models.CASCADE,
        related_name="vendor_escalations",
        null=True,
        blank=True,
    )
    incident = models.ForeignKey(
        Incident,
        on_delete=models.CASCADE,
        related_name="vendor_escalations",
        null=True,
        blank=True,
        help_text="Set instead of the ticket when the case is about a major incident.",
    )
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="escalations")
    vendor_reference = models.CharField(
        max_length=100, blank=True, help_text="The vendor's own case or ticket number."
    )
    summary = models.TextField(validators=[MaxLengthValidator(SUMMARY_MAX_LENGTH)])
    status = models.CharField(
        max_length=20, choices=EscalationStatus.choices, default=EscalationStatus.OPEN
    )
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    acknowledge_by = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Opened at plus the vendor's expected response time (null if it has none).",
    )
    next_chase_at = models.DateTimeField(
        null=True, blank=True, help_text="When the ticket owner is reminded to chase the vendor."
    )
    last_chase_due_at = models.DateTimeField(
        null=True, blank=True, help_text="The chase time the owner was last reminded of."
    )
    rca_requested = models.BooleanField("root-cause analysis requested", default=False)
    rca_received = models.BooleanField("root-cause analysis received", default=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VendorEscalationQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [
            # The chase sweep reads only escalations with a chase time set.
            models.Index(
                fields=["next_chase_at"],
                condition=models.Q(next_chase_at__isnull=False),
                name="escalation_chase_due",
            ),
            # A ticket's escalations, newest first (the ticket page).
            models.Index(fields=["ticket", "-opened_at"], name="escalation_ticket_recent"),
            # An incident's escalations (the incident page, the incident update's guard).
            models.Index(
                fields=["incident"],
                condition=models.Q(incident__isnull=False),
                name="escalation_incident",
            ),
            # A vendor's escalations in a period (the vendor page and the vendor list's figures).
            models.Index(fields=["vendor", "opened_at"], name="escalation_vendor_opened"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ticket__isnull=False, incident__isnull=True)
                | models.Q(ticket__isnull=True, incident__isnull=False),
                name="escalation_ticket_or_incident",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=EscalationStatus.values),
                name="escalation_status_known",
            ),
            models.CheckConstraint(
                condition=models.Q(status="open") | models.Q(acknowledged_at__isnull=False),
                name="escalation_acknowledged_once_past_open",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["resolved", "closed"])
                | models.Q(resolved_at__isnull=False),
                name="escalation_resolved_has_time",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["resolved", "closed"])
                | models.Q(next_chase_at__isnull=True),
                name="escalation_done_not_chased",
            ),
        ]

    def __str__(self) -> str:
        reference = f" {self.vendor_reference}" if self.vendor_reference else ""
        return f"{self.vendor}{reference} for {self.about_reference}"

    @property
    def about_reference(self) -> str:
        """SD-12 or INC-3: what the case was opened for."""
        return self.ticket.reference if self.ticket_id else f"INC-{self.incident_id}"

    @property
    def accountable(self):
        """Who chases the vendor: the ticket's owner, or the incident's commander."""
        return self.ticket.owner if self.ticket_id else self.incident.commander

    @property
    def is_active(self) -> bool:
        return self.status in ESCALATION_ACTIVE_STATUSES

    def can_move_to(self, status: str) -> bool:
        return status in ESCALATION_TRANSITIONS.get(self.status, frozenset())

    def acknowledgement_overdue(self, now: datetime | None = None) -> bool:
        """The vendor has not acknowledged within its expected response time (still waiting)."""
        return (
            self.acknowledged_at is None
            and self.is_active
            and self.acknowledge_by is not None
            and self.acknowledge_by < (now or timezone.now())
        )

    def breached_expected_response(self, now: datetime | None = None) -> bool:
        """Acknowledged late, or not acknowledged and already past the expected response time."""
        if self.acknowledge_by is None:
            return False
        if self.acknowledged_at is not None:
            return self.acknowledged_at > self.acknowledge_by
        return self.acknowledge_by < (now or timezone.now())

    def chase_overdue(self, now: datetime | None = None) -> bool:
        return self.next_chase_at is not None and self.next_chase_at <= (now or timezone.now())

    def age(self, now: datetime | None = None) -> timedelta:
        end = self.resolved_at or now or timezone.now()
        return end - self.opened_at

    @property
    def pushback_count(self) -> int:
        """Uses prefetched notes when the caller loaded them."""
        return sum(1 for note in self.notes.all() if note.pushback)


class EscalationNote(models.Model):
    """An internal note on a vendor case; `pushback` marks the vendor passing work back to us
    or to the customer (asking the customer to run diagnostics the vendor should run, ...)."""

    escalation = models.ForeignKey(VendorEscalation, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    body = models.TextField(validators=[MaxLengthValidator(NOTE_MAX_LENGTH)])
    pushback = models.BooleanField(
        default=False, help_text="The vendor pushed work back to us or to the customer."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        # An escalation's notes in order.
        indexes = [models.Index(fields=["escalation", "created_at"], name="escalation_note_time")]

    def __str__(self) -> str:
        return f"Note on {self.escalation_id} ({'pushback' if self.pushback else 'note'})"


class VendorChase(models.Model):
    """One chase reminder that was sent: the unique (escalation, due_at) pair makes a reminder for
    a given chase time impossible to send twice, whatever the sweep does."""

    escalation = models.ForeignKey(
        VendorEscalation, on_delete=models.CASCADE, related_name="chases"
    )
    due_at = models.DateTimeField()
    claimed_at = models.DateTimeField()

    class Meta:
        ordering = ["-due_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["escalation", "due_at"], name="one_chase_per_chase_time"
            )
        ]

    def __str__(self) -> str:
        return f"Chase of escalation {self.escalation_id} due {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def outbox_key(self) -> str:
        """The key of its outbox messages (`vendor_chase:<id>:<recipient>:<channel>`)."""
        return f"vendor_chase:{self.pk}"

    def outbox_messages(self):
        """Its in-app and email messages in the promise keeper's outbox."""
        from updates.models import OutboxMessage

        return OutboxMessage.objects.filter(key__startswith=f"{self.outbox_key}:")


class BlamePhrase(models.Model):
    """An extra phrase the vendor-mention guard holds back (on top of VENDOR_BLAME_PHRASES)."""

    phrase = models.CharField(max_length=100, unique=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["phrase"]

    def __str__(self) -> str:
        return self.phrase


class VendorWait(models.Model):
    """A ticket waiting on a vendor now, and since when: the dashboard's "waiting on a vendor
    longest" panel reads the longest waits off the `since` index instead of looking up every
    waiting ticket's timeline.

    The status-change receiver (vendors.receivers) writes the row when a ticket moves into
    waiting_on_vendor and deletes it when it leaves, in the same transaction; `since` is the
    moment of that status change (the same moment its timeline event records). Null when the
    ticket's history does not say (data loaded without its status changes).
    """

    ticket = models.OneToOneField(
        Ticket, on_delete=models.CASCADE, primary_key=True, related_name="vendor_wait"
    )
    since = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The dashboard's "waiting on a vendor longest", longest first.
        indexes = [models.Index(fields=["since"], name="vendor_wait_since")]

    def __str__(self) -> str:
        return f"{self.ticket_id} waiting on a vendor since {self.since}"
