"""The ticket: one customer problem with one accountable owner and a promised next update."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from tickets.priority import priority_for

ONE_TO_FOUR = [MinValueValidator(1), MaxValueValidator(4)]
SUBJECT_MAX_LENGTH = 200
BODY_MAX_LENGTH = 50_000


class Status(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    WAITING_ON_CUSTOMER = "waiting_on_customer", "Waiting on customer"
    WAITING_ON_VENDOR = "waiting_on_vendor", "Waiting on vendor"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


# DESIGN rule 5: the ball is with the customer, so nothing is owed; vendor waits still owe updates.
PAUSED_STATUSES = frozenset({Status.WAITING_ON_CUSTOMER})
DONE_STATUSES = frozenset({Status.RESOLVED, Status.CLOSED})
OPEN_STATUSES = frozenset(Status) - DONE_STATUSES
OWING_STATUSES = OPEN_STATUSES - PAUSED_STATUSES
# Open and triaged (an owner, a restated problem to confirm), as a sorted list for SQL.
TRIAGED_OPEN_STATUSES = sorted(OPEN_STATUSES - {Status.NEW})

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset(Status) - {Status.NEW},
    Status.OPEN: frozenset(Status) - {Status.NEW, Status.OPEN},
    Status.IN_PROGRESS: frozenset(Status) - {Status.NEW, Status.IN_PROGRESS},
    Status.WAITING_ON_CUSTOMER: frozenset(Status) - {Status.NEW, Status.WAITING_ON_CUSTOMER},
    Status.WAITING_ON_VENDOR: frozenset(Status) - {Status.NEW, Status.WAITING_ON_VENDOR},
    # A resolved ticket may be reopened (the fix did not hold) or closed; a closed one is final.
    Status.RESOLVED: frozenset({Status.OPEN, Status.IN_PROGRESS, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}


class ContactMethod(models.TextChoices):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"
    PORTAL = "portal", "Updates in the portal"


def customer_status(status: str) -> str:
    """The status a customer sees: vendor waits are our business, so they read "in progress"
    (DESIGN rule 7)."""
    return Status.IN_PROGRESS.value if status == Status.WAITING_ON_VENDOR else status


CUSTOMER_STATUS_LABELS: dict[str, str] = {
    Status.NEW: "Received",
    Status.OPEN: "Open",
    Status.IN_PROGRESS: "In progress",
    Status.WAITING_ON_CUSTOMER: "Waiting for your reply",
    Status.RESOLVED: "Resolved",
    Status.CLOSED: "Closed",
}


def customer_status_label(status: str) -> str:
    return CUSTOMER_STATUS_LABELS.get(customer_status(status), "In progress")


# Only open tickets have a deadline (ticket_promise_only_while_owed), but the planner does not
# read CHECK constraints: the promise filters say "open" too, so ticket_queue_open_due serves them.
_OPEN = models.Q(status__in=sorted(OPEN_STATUSES))


def _update_overdue(now: datetime | None) -> models.Q:
    # A null deadline (paused, resolved, closed) owes nothing, so it is never breached.
    return _OPEN & models.Q(next_update_due__lt=now or timezone.now())


class TicketQuerySet(models.QuerySet):
    """The promise filters (DESIGN rule 3) live here once, for the queue, the dashboard, the API
    and the selectors; `Ticket.update_overdue` is the same rule for one loaded ticket."""

    def open(self) -> "TicketQuerySet":
        return self.exclude(status__in=DONE_STATUSES)

    def update_overdue(self, now: datetime | None = None) -> "TicketQuerySet":
        """Tickets whose promised update is late: the deadline passed before `now`."""
        return self.filter(_update_overdue(now))

    def update_not_overdue(self, now: datetime | None = None) -> "TicketQuerySet":
        """Every other ticket: the deadline is still ahead, or nothing is owed."""
        return self.exclude(_update_overdue(now))

    def due_within(self, delta: timedelta, now: datetime | None = None) -> "TicketQuerySet":
        """Tickets whose promise falls due from `now` to `now + delta` (not yet breached)."""
        now = now or timezone.now()
        return self.filter(_OPEN, next_update_due__gte=now, next_update_due__lt=now + delta)

    def with_reference(self, reference: str) -> "TicketQuerySet":
        """Tickets whose human reference (SD-1042, sd-1042 or 1042) is `reference`."""
        number = Ticket.number_from_reference(reference)
        return self.filter(pk=number) if number is not None else self.none()


class Ticket(models.Model):
    # No index of its own: ticket_org_recent and ticket_requester_recent lead with it.
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="tickets", db_index=False
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requested_tickets",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    subject = models.CharField(max_length=SUBJECT_MAX_LENGTH)
    description = models.TextField(validators=[MaxLengthValidator(BODY_MAX_LENGTH)])
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    impact = models.PositiveSmallIntegerField(validators=ONE_TO_FOUR)
    urgency = models.PositiveSmallIntegerField(validators=ONE_TO_FOUR)
    priority = models.PositiveSmallIntegerField(
        validators=ONE_TO_FOUR, help_text="The matrix priority, or the override when one is set."
    )
    priority_override = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=ONE_TO_FOUR
    )
    priority_override_reason = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_tickets",
    )
    next_update_due = models.DateTimeField(
        null=True, blank=True, help_text="The promise in force; null while nothing is owed."
    )
    eta = models.DateTimeField(null=True, blank=True)
    needed_by = models.DateTimeField(null=True, blank=True)
    problem_statement = models.TextField(
        blank=True, validators=[MaxLengthValidator(BODY_MAX_LENGTH)]
    )
    understanding_confirmed_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    collaborators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="collaborating_tickets",
        help_text="Staff helping the owner; they follow the ticket but are not accountable.",
    )
    # Full-text search over the timeline without a join (tickets.search): apps above keep these
    # up to date, public and internal text apart so a customer-facing search can leave notes out.
    public_search_text = models.TextField(blank=True, default="", editable=False)
    internal_search_text = models.TextField(blank=True, default="", editable=False)
    # What the customer told us at intake about the people hit and how to reach them.
    people_affected = models.PositiveIntegerField(null=True, blank=True)
    preferred_contact = models.CharField(max_length=10, choices=ContactMethod.choices, blank=True)
    contact_details = models.CharField(
        max_length=200, blank=True, help_text="A phone number or other way to reach the customer."
    )
    best_times = models.CharField(
        max_length=200, blank=True, help_text="When the customer is best reached, in their words."
    )
    # Set when this ticket was merged into another (updates.merging); it is then closed and
    # leads there. Always the final survivor: tickets merged into it earlier follow it on.
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_tickets",
        db_index=False,  # ticket_merged_into: only the few merged tickets are indexed
        help_text="The ticket this one was merged into; null unless merged.",
    )

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        # One line per index: the query it serves. docs/indexes.md has the plans and the figures;
        # the open-only ones are partial (resolved and closed tickets, the bulk, are not in them).
        indexes = [
            # API and portal lists of an organisation admin, newest first; API ?organization=.
            models.Index(fields=["organization", "-created_at"], name="ticket_org_recent"),
            # Waiting views newest/oldest first, API ?status=, the dashboard's unowned panel.
            models.Index(fields=["status", "-created_at"], name="ticket_status_recent"),
            # Queue "All open", "Breached", "Due within 1 h" by due; the promise filters.
            models.Index(
                fields=["next_update_due", "id"],
                condition=models.Q(status__in=sorted(OPEN_STATUSES)),
                name="ticket_queue_open_due",
            ),
            # Queue "Mine" (the default view) by due; the dashboard filtered by owner.
            models.Index(
                fields=["owner", "next_update_due", "id"],
                condition=models.Q(status__in=sorted(OPEN_STATUSES)),
                name="ticket_queue_open_owner_due",
            ),
            # Queue with a status filter by due; the triage inbox.
            models.Index(
                fields=["status", "next_update_due", "id"],
                condition=models.Q(status__in=sorted(OPEN_STATUSES)),
                name="ticket_queue_open_status_due",
            ),
            # "Priority" in every view, "Everything" included; API ?ordering=priority.
            models.Index(
                fields=["priority", "next_update_due", "id"], name="ticket_queue_priority"
            ),
            # "Newest first" / "Oldest first" in every view; the API's default order.
            models.Index(fields=["created_at", "id"], name="ticket_queue_created"),
            # "Recently changed" in every view; API ?ordering=-updated_at.
            models.Index(fields=["updated_at", "id"], name="ticket_queue_updated"),
            # Dashboard "Understanding not confirmed", oldest first.
            models.Index(
                fields=["created_at"],
                condition=models.Q(
                    understanding_confirmed_at__isnull=True, status__in=TRIAGED_OPEN_STATUSES
                ),
                name="ticket_unconfirmed_age",
            ),
            # The portal's default list: an organisation's open requests, newest first.
            models.Index(
                fields=["organization", "-created_at", "-id"],
                condition=~models.Q(status__in=sorted(DONE_STATUSES)),
                name="scale_ticket_org_open",
            ),
            # A contact's own requests in the portal and the API (index-only).
            models.Index(
                fields=["organization", "requester", "-created_at", "-id"],
                include=["status"],
                name="ticket_requester_recent",
            ),
            # Queue filtered by status and priority by due; the waiting views by priority.
            models.Index(
                fields=["status", "priority", "next_update_due", "id"],
                name="scale_ticket_status_prio_due",
            ),
            # Merging: the tickets merged into one follow it on; a contact's merged requests.
            models.Index(
                fields=["merged_into"],
                condition=models.Q(merged_into__isnull=False),
                name="ticket_merged_into",
            ),
            # The staff search's GIN indexes, ticket_fulltext and ticket_search_open_due, are
            # PostgreSQL-only (SQLite has no GIN), so migration 0001_squashed_0010 makes them.
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(impact__gte=1, impact__lte=4), name="ticket_impact_1_to_4"
            ),
            models.CheckConstraint(
                condition=models.Q(urgency__gte=1, urgency__lte=4), name="ticket_urgency_1_to_4"
            ),
            models.CheckConstraint(
                condition=models.Q(priority__gte=1, priority__lte=4), name="ticket_priority_1_to_4"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="ticket_status_known"
            ),
            # Rule 2: once triaged, a ticket always has exactly one owner.
            models.CheckConstraint(
                condition=models.Q(status=Status.NEW) | models.Q(owner__isnull=False),
                name="ticket_triaged_has_owner",
            ),
            # Rule 5: nothing is owed while paused, resolved or closed.
            models.CheckConstraint(
                condition=models.Q(next_update_due__isnull=True)
                | models.Q(status__in=sorted(OWING_STATUSES)),
                name="ticket_promise_only_while_owed",
            ),
            models.CheckConstraint(
                condition=models.Q(priority_override__isnull=True)
                | ~models.Q(priority_override_reason=""),
                name="ticket_override_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    @property
    def reference(self) -> str:
        return f"SD-{self.pk}" if self.pk else "SD-?"

    @staticmethod
    def number_from_reference(reference: str) -> int | None:
        text = reference.strip().upper().removeprefix("SD-").removeprefix("SD")
        # isdigit() alone admits "²", which int() refuses.
        return int(text) if text.isascii() and text.isdigit() and 0 < int(text) < 2**63 else None

    @property
    def matrix_priority(self) -> int:
        return priority_for(self.impact, self.urgency)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def owes_update(self) -> bool:
        return self.status in OWING_STATUSES

    def update_overdue_at(self, now: datetime) -> bool:
        """TicketQuerySet.update_overdue for one loaded ticket: its update is late at `now`."""
        return self.next_update_due is not None and self.next_update_due < now

    @property
    def update_overdue(self) -> bool:
        return self.update_overdue_at(timezone.now())

    @property
    def understanding_confirmed(self) -> bool:
        return self.understanding_confirmed_at is not None

    def can_move_to(self, status: str) -> bool:
        return status in ALLOWED_TRANSITIONS.get(self.status, frozenset())

    @property
    def still_to_triage(self) -> list[str]:
        """What a new ticket lacks to be triaged: an owner (rule 2) and our understanding of the
        problem (rule 9), in either order. Empty once both are there (the ticket is then open)."""
        if self.status != Status.NEW:
            return []
        missing = []
        if self.owner_id is None:
            missing.append("owner")
        if not self.problem_statement:
            missing.append("problem_statement")
        return missing
