"""What people are told in the app (notifications) and what customers tell us back (feedback, losses)."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone

from tickets.models import BODY_MAX_LENGTH, Ticket


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
