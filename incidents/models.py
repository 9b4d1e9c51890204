"""Major incidents: one outage, many tickets, one voice.

An incident is staff-side: its title, its count of tickets and its customers never reach a
customer. What a customer sees is the incident's updates posted as public updates on their own
ticket (`IncidentDelivery` records each one, so a fan-out resumed after a crash never doubles).
"""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone

from tickets.models import BODY_MAX_LENGTH, Ticket

TITLE_MAX_LENGTH = 200
SUMMARY_MAX_LENGTH = 2000


class IncidentStatus(models.TextChoices):
    INVESTIGATING = "investigating", "Investigating"
    IDENTIFIED = "identified", "Identified"
    MONITORING = "monitoring", "Monitoring"
    RESOLVED = "resolved", "Resolved"


class Incident(models.Model):
    title = models.CharField(max_length=TITLE_MAX_LENGTH, help_text="Staff only.")
    summary = models.TextField(
        blank=True,
        validators=[MaxLengthValidator(SUMMARY_MAX_LENGTH)],
        help_text="What customers may read in the portal banner.",
    )
    status = models.CharField(
        max_length=20, choices=IncidentStatus.choices, default=IncidentStatus.INVESTIGATING
    )
    commander = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    next_update_due = models.DateTimeField(null=True, blank=True)
    # The promise keeper's next reminder about next_update_due (incidents.reminders): which stage
    # and when. Set with next_update_due; the sweep claims it and moves it on, once per stage.
    reminder_stage = models.CharField(max_length=20, blank=True, default="", db_default="")
    reminder_due_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="incident_status_created"),
            # The sweep's idle check reads the first entry; its claim walks the due ones.
            models.Index(
                fields=["reminder_due_at"],
                condition=models.Q(reminder_due_at__isnull=False),
                name="incident_reminder_due",
            ),
        ]

    def __str__(self) -> str:
        return f"INC-{self.pk}: {self.title}"

    @property
    def reference(self) -> str:
        return f"INC-{self.pk}"

    @property
    def is_resolved(self) -> bool:
        return self.status == IncidentStatus.RESOLVED


class IncidentLink(models.Model):
    """A ticket affected by an incident. `incident_open` mirrors the incident's state so that the
    database itself refuses a ticket in two unresolved incidents."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="links")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="incident_links")
    incident_open = models.BooleanField(default=True)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["linked_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "ticket"], name="incident_link_once"),
            models.UniqueConstraint(
                fields=["ticket"],
                condition=models.Q(incident_open=True),
                name="ticket_in_one_open_incident",
            ),
        ]

    def __str__(self) -> str:
        return f"INC-{self.incident_id} <- ticket {self.ticket_id}"


class IncidentEntryKind(models.TextChoices):
    UPDATE = "update", "Update"
    NOTE = "note", "Internal note"
    RESOLUTION = "resolution", "Resolution"


class IncidentEntry(models.Model):
    """The incident's own timeline. Updates and the resolution go out to every linked open
    ticket; notes stay with staff."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(max_length=20, choices=IncidentEntryKind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(validators=[MaxLengthValidator(BODY_MAX_LENGTH)])
    next_update_due = models.DateTimeField(
        null=True, blank=True, help_text="The time the author gave for the next update, if any."
    )
    confirmed_vendor_mention = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "incident entries"

    def __str__(self) -> str:
        return f"INC-{self.incident_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def goes_to_tickets(self) -> bool:
        return self.kind != IncidentEntryKind.NOTE


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"
    POSTED = "posted", "Posted"
    SKIPPED = "skipped", "Skipped"


class IncidentDelivery(models.Model):
    """One incident update (or the resolution) on one ticket: the fan-out's idempotent key.
    Posting the ticket's public update and marking this row posted commit together."""

    entry = models.ForeignKey(IncidentEntry, on_delete=models.CASCADE, related_name="deliveries")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    timeline_entry = models.ForeignKey(
        "updates.TimelineEntry", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True, help_text="Why it was skipped.")
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "ticket"], name="incident_delivery_once")
        ]
        indexes = [
            models.Index(
                fields=["entry"],
                condition=models.Q(state="pending"),
                name="incident_delivery_pending",
            )
        ]

    def __str__(self) -> str:
        return f"entry {self.entry_id} -> ticket {self.ticket_id}: {self.state}"
