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


def _update_overdue(now: datetime | None) -> models.Q:
    # A null deadline (paused, resolved, closed) owes nothing, so it is never breached.
    return models.Q(next_update_due__lt=now or timezone.now())


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
        return self.filter(next_update_due__gte=now, next_update_due__lt=now + delta)

    def with_reference(self, reference: str) -> "TicketQuerySet":
        """Tickets whose human reference (SD-1042, sd-1042 or 1042) is `reference`."""
        number = Ticket.number_from_reference(reference)
        return self.filter(pk=number) if number is not None else self.none()


class Ticket(models.Model):
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="tickets"
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

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The promise sweep and "most overdue first": only tickets that owe an update.
            models.Index(
                fields=["next_update_due"],
                condition=models.Q(next_update_due__isnull=False),
                name="ticket_promise_due",
            ),
            # "My open tickets by next update due".
            models.Index(fields=["owner", "next_update_due"], name="ticket_owner_due"),
            models.Index(fields=["organization", "-created_at"], name="ticket_org_recent"),
            models.Index(fields=["status", "-created_at"], name="ticket_status_recent"),
            # Keyset pagination of the staff queue (tickets.queue.SORTS): one index per sort
            # order, on exactly its keys with `id` as the tie-break, so every page (the first or
            # the five hundredth) is an index range scan from the cursor that stops after one
            # page, with no sort step. The open-only views (all but "Everything") filter on
            # OPEN_STATUSES, so their indexes are partial: resolved and closed tickets, the bulk
            # of a million, are not in them. See docs/queue-indexes.md for the EXPLAIN output.
            models.Index(
                fields=["next_update_due", "id"],
                condition=models.Q(status__in=sorted(OPEN_STATUSES)),
                name="ticket_queue_open_due",
            ),
            # "Mine" (the default view) by next update due, and the waiting views / a status
            # filter by next update due.
            models.Index(
                fields=["owner", "next_update_due", "id"],
                condition=models.Q(status__in=sorted(OPEN_STATUSES)),
                name="ticket_queue_open_owner_due",
            ),
            models.Index(
                fields=["status", "next_update_due", "id"],
                condition=models.Q(status__in=sorted(OPEN_STATUSES)),
                name="ticket_queue_open_status_due",
            ),
            # The sorts offered in every view, "Everything" included, cover every ticket:
            # "Priority" (open tickets come first within each priority: closed ones owe nothing,
            # so their null due sorts last), "Newest first" / "Oldest first" (one index, read
            # forwards or backwards) and "Recently changed".
            models.Index(
                fields=["priority", "next_update_due", "id"], name="ticket_queue_priority"
            ),
            # Read backwards, it is also the API's default newest-first order and keyset pages.
            models.Index(fields=["created_at", "id"], name="ticket_queue_created"),
            models.Index(fields=["updated_at", "id"], name="ticket_queue_updated"),
            # The dashboard's "understanding not confirmed" panel, oldest first: only the triaged
            # open tickets still waiting for the customer's confirmation (the same status list as
            # the selector, so the planner can use this partial index).
            models.Index(
                fields=["created_at"],
                condition=models.Q(
                    understanding_confirmed_at__isnull=True, status__in=TRIAGED_OPEN_STATUSES
                ),
                name="ticket_unconfirmed_age",
            ),
            # Issue 9: a customer's open tickets, newest first, and their count (the portal's
            # default list) without visiting the organisation's years of closed tickets.
            models.Index(
                fields=["organization", "-created_at", "-id"],
                condition=~models.Q(status__in=sorted(DONE_STATUSES)),
                name="scale_ticket_org_open",
            ),
            # Issue 9: a contact's own requests, newest first, and their capped count (an
            # ordinary contact's portal list, an organisation admin's "Mine"): open, closed or
            # all, an index-only scan, as the status is carried in the index.
            models.Index(
                fields=["organization", "requester", "-created_at", "-id"],
                include=["status"],
                name="ticket_requester_recent",
            ),
            # Issue 9: the queue filtered by status and priority, in its default order (next
            # update due, then id), read in order instead of sorting every match.
            models.Index(
                fields=["status", "priority", "next_update_due", "id"],
                name="scale_ticket_status_prio_due",
            ),
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
