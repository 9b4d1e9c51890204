"""Writes to tickets: intake, triage, ownership and status. Views, API views and tasks call these.

Every write locks the ticket row first (one lock order everywhere: ticket, then its promise), checks
every rule before changing anything, and announces the change through `tickets.signals` inside the
same transaction, so the timeline and the promise ledger can never disagree with the ticket.
Rule violations raise `django.core.exceptions.ValidationError` keyed by field name.
"""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Organization, User
from tickets import signals
from tickets.models import BODY_MAX_LENGTH, SUBJECT_MAX_LENGTH, ContactMethod, Status, Ticket
from tickets.priority import PRIORITY_LABELS, priority_for
from tickets.validators import future_moment as _future_moment
from tickets.validators import text as _text

UNSET: Any = object()

EDITABLE_FIELDS = frozenset(
    {
        "impact",
        "urgency",
        "owner",
        "handover_note",
        "status",
        "eta",
        "needed_by",
        "problem_statement",
        "priority_override",
        "priority_override_reason",
    }
)


def lock_ticket(ticket_or_id: Ticket | int) -> Ticket:
    """Reload the ticket under a row lock; call inside a transaction.

    FOR NO KEY UPDATE, not FOR UPDATE: rows that reference the ticket (alerts, outbox messages,
    timeline entries) take FOR KEY SHARE on it when inserted, which FOR UPDATE would block. A
    sweep holding claimed alerts while inserting their messages, and an update holding the
    ticket while cancelling those alerts, would then wait for each other: a deadlock.
    """
    pk = ticket_or_id.pk if isinstance(ticket_or_id, Ticket) else ticket_or_id
    return (
        Ticket.objects.select_for_update(of=("self",), no_key=True)
        .select_related("organization", "owner", "requester")
        .get(pk=pk)
    )


def _one_to_four(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 4:
        raise ValidationError(
            {field: f"{field.replace('_', ' ').capitalize()} must be 1, 2, 3 or 4."}
        )
    return value


def _staff_owner(owner: Any) -> User:
    if not isinstance(owner, User) or not owner.is_active or not owner.is_helpdesk_staff:
        raise ValidationError({"owner": "The owner must be an active agent or manager."})
    return owner


def _refuse_if_closed(ticket: Ticket, field: str) -> None:
    if ticket.status == Status.CLOSED:
        raise ValidationError(
            {field: f"{ticket.reference} is closed and can no longer change; open a new ticket."}
        )


@transaction.atomic
def create_ticket(
    *,
    organization: Organization,
    subject: str,
    description: str,
    impact: int,
    urgency: int,
    created_by: User | None,
    requester: User | None = None,
    owner: User | None = None,
    needed_by: datetime | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Intake: record a customer problem, give it its priority and (through the promise ledger's
    receiver) its first-response promise."""
    now = now or timezone.now()
    if not isinstance(organization, Organization):
        raise ValidationError({"organization": "Choose the customer organisation."})
    subject = _text(subject, "subject", max_length=SUBJECT_MAX_LENGTH, required=True)
    description = _text(description, "description", max_length=BODY_MAX_LENGTH, required=False)
    impact = _one_to_four(impact, "impact")
    urgency = _one_to_four(urgency, "urgency")
    if requester is not None and (
        not requester.is_contact or requester.organization_id != organization.pk
    ):
        raise ValidationError(
            {"requester": "The requester must be a contact of this organisation."}
        )
    if owner is not None:
        owner = _staff_owner(owner)
    needed_by = _future_moment(needed_by, "needed_by", now=now)

    ticket = Ticket.objects.create(
        organization=organization,
        subject=subject,
        description=description,
        impact=impact,
        urgency=urgency,
        priority=priority_for(impact, urgency),
        requester=requester,
        created_by=created_by,
        owner=owner,
        status=Status.OPEN if owner else Status.NEW,
        needed_by=needed_by,
        created_at=now,
    )
    signals.ticket_created.send(sender=Ticket, ticket=ticket, by=created_by, at=now)
    return ticket


def _apply_priority(ticket: Ticket, *, by: User | None, reason: str, now: datetime) -> None:
    old = ticket.priority
    ticket.priority = ticket.priority_override or priority_for(ticket.impact, ticket.urgency)
    ticket.save(
        update_fields=[
            "impact",
            "urgency",
            "priority",
            "priority_override",
            "priority_override_reason",
            "updated_at",
        ]
    )
    if ticket.priority != old:
        signals.priority_changed.send(
            sender=Ticket, ticket=ticket, by=by, at=now, old=old, new=ticket.priority, reason=reason
        )


def set_impact_and_urgency(ticket: Ticket, *, impact: int, urgency: int, by: User | None) -> Ticket:
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        _refuse_if_closed(ticket, "impact")
        ticket.impact = _one_to_four(impact, "impact")
        ticket.urgency = _one_to_four(urgency, "urgency")
        reason = f"Impact {ticket.impact} x urgency {ticket.urgency}"
        _apply_priority(ticket, by=by, reason=reason, now=timezone.now())
    return ticket


def override_priority(ticket: Ticket, *, priority: int | None, reason: str, by: User) -> Ticket:
    """Rule 1: an agent may override the matrix, but only with a reason; None clears it."""
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        _refuse_if_closed(ticket, "priority_override")
        if priority is None:
            ticket.priority_override = None
            ticket.priority_override_reason = ""
            reason = "Override removed; back to the impact x urgency matrix"
        else:
            ticket.priority_override = _one_to_four(priority, "priority_override")
            ticket.priority_override_reason = _text(
                reason, "priority_override_reason", max_length=2000, required=True
            )
            reason = ticket.priority_override_reason
        _apply_priority(ticket, by=by, reason=reason, now=timezone.now())
    return ticket


def assign_owner(
    ticket: Ticket,
    *,
    owner: User,
    by: User | None,
    handover_note: str = "",
    now: datetime | None = None,
) -> Ticket:
    """Rule 2: exactly one owner; handing over from someone else needs a handover note.

    A new ticket that gets its owner is triaged (open) when our understanding is written too.
    """
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        _refuse_if_closed(ticket, "owner")
        owner = _staff_owner(owner)
        if ticket.owner_id == owner.pk:
            return ticket
        note = _text(handover_note, "handover_note", max_length=BODY_MAX_LENGTH, required=False)
        if ticket.owner_id is not None and not note:
            raise ValidationError(
                {"handover_note": "Write a handover note: what the new owner needs to know."}
            )
        now = now or timezone.now()
        _set_owner(ticket, owner, by=by, now=now, handover_note=note)
        _open_when_triaged(ticket, by=by, now=now)
    return ticket


def _open_when_triaged(ticket: Ticket, *, by: User | None, now: datetime) -> None:
    """Triage is done when a new ticket has both an owner and our understanding, whichever of
    the two comes last: it then becomes open."""
    if ticket.status == Status.NEW and not ticket.still_to_triage:
        _move_status(ticket, Status.OPEN, by=by, now=now)


def take_ownership(
    ticket: Ticket, *, by: User, handover_note: str = "", now: datetime | None = None
) -> Ticket:
    return assign_owner(ticket, owner=by, by=by, handover_note=handover_note, now=now)


def _set_owner(
    ticket: Ticket, owner: User, *, by: User | None, now: datetime, handover_note: str
) -> None:
    """The one write of `Ticket.owner` after intake (rule 2), for a locked ticket whose checks
    passed: assign_owner's handover, and staff taking an unowned ticket by changing its status.
    set_owner_many is its form for many tickets (the queue's bulk actions, merging)."""
    old = ticket.owner
    ticket.owner = owner
    ticket.save(update_fields=["owner", "updated_at"])
    signals.owner_changed.send(
        sender=Ticket, ticket=ticket, by=by, at=now, old=old, new=owner, handover_note=handover_note
    )


def set_owner_many(ticket_ids: list[int], owner: User, *, now: datetime) -> None:
    """_set_owner for many locked tickets whose checks passed, in one statement; the caller
    records the owner_changed events and moves the promises (updates.bulk_actions)."""
    if ticket_ids:
        Ticket.objects.filter(pk__in=ticket_ids).update(owner=owner, updated_at=now)


def _move_status(
    ticket: Ticket, status: str, *, by: User | None, now: datetime, customer_told: bool = False
) -> None:
    """Save the new status between the two announcements: `status_changing` lets the promise
    ledger close a promise the new status no longer owes (the row's check constraint allows no
    deadline on such a status), `status_changed` lets it start one when updates are owed again."""
    old = ticket.status
    signals.status_changing.send(sender=Ticket, ticket=ticket, by=by, at=now, old=old, new=status)
    ticket.status = status
    if status == Status.RESOLVED:
        ticket.resolved_at = now
    elif status == Status.CLOSED:
        ticket.closed_at = now
        ticket.resolved_at = ticket.resolved_at or now
    else:
        ticket.resolved_at = None
    ticket.save(update_fields=["status", "resolved_at", "closed_at", "updated_at"])
    signals.status_changed.send(
        sender=Ticket,
        ticket=ticket,
        by=by,
        at=now,
        old=old,
        new=status,
        customer_told=customer_told,
    )


def change_status(
    ticket: Ticket,
    *,
    status: str,
    by: User | None,
    customer_told: bool = False,
    now: datetime | None = None,
) -> Ticket:
    """Move a ticket along its lifecycle. Leaving `new` needs an owner: staff who act on an
    unowned ticket take it (a ticket is never triaged without someone accountable).

    `customer_told`: the caller tells the customer about this change itself (a public update
    that carries it), so no separate resolution email goes out (rule 11)."""
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        if status not in Status.values:
            raise ValidationError(
                {"status": f"Unknown status “{status}”; use one of {', '.join(Status.values)}."}
            )
        if status == ticket.status:
            return ticket
        if not ticket.can_move_to(status):
            raise ValidationError(
                {
                    "status": f"A {ticket.get_status_display().lower()} ticket cannot become "
                    f"{Status(status).label.lower()}."
                }
            )
        now = now or timezone.now()
        if ticket.owner_id is None:
            if by is None or not by.is_helpdesk_staff:
                raise ValidationError({"owner": "Assign an owner before changing the status."})
            _set_owner(ticket, by, by=by, now=now, handover_note="")
        _move_status(ticket, status, by=by, now=now, customer_told=customer_told)
    return ticket


def _set_moment(
    ticket: Ticket, field: str, value: Any, *, by: User | None, now: datetime | None = None
) -> Ticket:
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        _refuse_if_closed(ticket, field)
        now = now or timezone.now()
        value = _future_moment(value, field, now=now)
        old = getattr(ticket, field)
        if old == value:
            return ticket
        setattr(ticket, field, value)
        ticket.save(update_fields=[field, "updated_at"])
        signals.field_changed.send(
            sender=Ticket, ticket=ticket, by=by, at=now, field=field, old=old, new=value
        )
    return ticket


def set_eta(
    ticket: Ticket, *, eta: datetime | None, by: User | None, now: datetime | None = None
) -> Ticket:
    return _set_moment(ticket, "eta", eta, by=by, now=now)


def set_needed_by(ticket: Ticket, *, needed_by: datetime | None, by: User | None) -> Ticket:
    return _set_moment(ticket, "needed_by", needed_by, by=by)


def restate_problem(
    ticket: Ticket, *, problem_statement: str, by: User | None, now: datetime | None = None
) -> Ticket:
    """Rule 9: our restatement of the problem; changing it clears the customer's confirmation."""
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        _refuse_if_closed(ticket, "problem_statement")
        text = _text(
            problem_statement, "problem_statement", max_length=BODY_MAX_LENGTH, required=False
        )
        if text == ticket.problem_statement:
            return ticket
        now = now or timezone.now()
        old = ticket.problem_statement
        ticket.problem_statement = text
        ticket.understanding_confirmed_at = None
        ticket.save(update_fields=["problem_statement", "understanding_confirmed_at", "updated_at"])
        signals.field_changed.send(
            sender=Ticket,
            ticket=ticket,
            by=by,
            at=now,
            field="problem_statement",
            old=old,
            new=text,
        )
        _open_when_triaged(ticket, by=by, now=now)
    return ticket


def confirm_understanding(ticket: Ticket, *, by: User, now: datetime | None = None) -> Ticket:
    """Rule 9: the customer says "yes, that is my problem"."""
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        _refuse_if_closed(ticket, "problem_statement")
        if not ticket.problem_statement:
            raise ValidationError(
                {"problem_statement": "There is no restatement of the problem to confirm yet."}
            )
        if ticket.understanding_confirmed_at is not None:
            return ticket
        now = now or timezone.now()
        ticket.understanding_confirmed_at = now
        ticket.save(update_fields=["understanding_confirmed_at", "updated_at"])
        signals.field_changed.send(
            sender=Ticket,
            ticket=ticket,
            by=by,
            at=now,
            field="understanding_confirmed_at",
            old=None,
            new=now,
        )
    return ticket


def ensure_unchanged_since(ticket: Ticket, expected_updated_at: datetime | None) -> None:
    """The optimistic check of every form that edits a ticket: refuse (code "conflict") when the
    locked `ticket` changed after the form was drawn at `expected_updated_at` (None: no check)."""
    if expected_updated_at is not None and ticket.updated_at != expected_updated_at:
        # The code sits on the inner error: a dict-shaped ValidationError drops its own code.
        raise ValidationError(
            {
                "__all__": ValidationError(
                    "Someone else changed this ticket while you were editing; reload to see it.",
                    code="conflict",
                )
            }
        )


@transaction.atomic
def update_ticket(
    ticket: Ticket,
    *,
    by: User,
    changes: dict[str, Any],
    expected_updated_at: datetime | None = None,
) -> Ticket:
    """Apply several staff edits at once, all or nothing (the API's PATCH, the ticket page's forms).

    1. Lock the ticket; if `expected_updated_at` is given and the ticket changed since, refuse
       (optimistic check: two people editing must not silently overwrite each other).
    2. Apply each change through its own rule-checking service, in a fixed order; the first rule
       broken raises and the transaction rolls every earlier change back.
    """
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(
            {name: "This field cannot be changed here." for name in sorted(unknown)}
        )
    ticket = lock_ticket(ticket)
    ensure_unchanged_since(ticket, expected_updated_at)
    if ticket.status == Status.CLOSED and changes:
        _refuse_if_closed(ticket, next(iter(sorted(changes))))
    if "impact" in changes or "urgency" in changes:
        ticket = set_impact_and_urgency(
            ticket,
            impact=changes.get("impact", ticket.impact),
            urgency=changes.get("urgency", ticket.urgency),
            by=by,
        )
    if "priority_override" in changes or "priority_override_reason" in changes:
        ticket = override_priority(
            ticket,
            priority=changes.get("priority_override", ticket.priority_override),
            reason=changes.get("priority_override_reason", ""),
            by=by,
        )
    if changes.get("owner") is not None:
        ticket = assign_owner(
            ticket, owner=changes["owner"], by=by, handover_note=changes.get("handover_note", "")
        )
    elif "owner" in changes:
        raise ValidationError({"owner": "A ticket cannot be left without an owner; hand it over."})
    if "problem_statement" in changes:
        ticket = restate_problem(ticket, problem_statement=changes["problem_statement"], by=by)
    if "eta" in changes:
        ticket = set_eta(ticket, eta=changes["eta"], by=by)
    if "needed_by" in changes:
        ticket = set_needed_by(ticket, needed_by=changes["needed_by"], by=by)
    if "status" in changes:
        ticket = change_status(ticket, status=changes["status"], by=by)
    return ticket


def priority_label(priority: int) -> str:
    return PRIORITY_LABELS.get(priority, f"P{priority}")


def add_collaborator(ticket: Ticket, *, user: User, by: User) -> Ticket:
    """A colleague helps on the ticket; the owner stays the one accountable (rule 2)."""
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        _refuse_if_closed(ticket, "user")
        if not isinstance(user, User) or not user.is_active or not user.is_helpdesk_staff:
            raise ValidationError({"user": "Collaborators must be active agents or managers."})
        if user.pk == ticket.owner_id:
            raise ValidationError({"user": f"{user.display_name} already owns this ticket."})
        if ticket.collaborators.filter(pk=user.pk).exists():
            return ticket
        ticket.collaborators.add(user)
        signals.collaborators_changed.send(
            sender=Ticket, ticket=ticket, by=by, at=timezone.now(), user=user, added=True
        )
    return ticket


def remove_collaborator(ticket: Ticket, *, user: User, by: User) -> Ticket:
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        if not ticket.collaborators.filter(pk=user.pk).exists():
            return ticket
        ticket.collaborators.remove(user)
        signals.collaborators_changed.send(
            sender=Ticket, ticket=ticket, by=by, at=timezone.now(), user=user, added=False
        )
    return ticket


PEOPLE_AFFECTED_MAX = 1_000_000


def record_contact_preferences(
    ticket: Ticket,
    *,
    people_affected: int | None,
    preferred_contact: str,
    contact_details: str = "",
    best_times: str = "",
) -> Ticket:
    """Intake details beyond the problem itself: how many people it hits, and how and when the
    customer wants to be reached. Written right after create_ticket, in the same transaction."""
    if people_affected is not None and (
        isinstance(people_affected, bool)
        or not isinstance(people_affected, int)
        or not 1 <= people_affected <= PEOPLE_AFFECTED_MAX
    ):
        raise ValidationError(
            {"people_affected": f"Give a number of people from 1 to {PEOPLE_AFFECTED_MAX:,}."}
        )
    if preferred_contact not in ("", *ContactMethod.values):
        raise ValidationError(
            {"preferred_contact": f"Use one of: {', '.join(ContactMethod.values)}."}
        )
    contact_details = _text(contact_details, "contact_details", max_length=200, required=False)
    if preferred_contact == ContactMethod.PHONE and not contact_details:
        raise ValidationError({"contact_details": "Give the phone number we should call."})
    best_times = _text(best_times, "best_times", max_length=200, required=False)
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        ticket.people_affected = people_affected
        ticket.preferred_contact = preferred_contact
        ticket.contact_details = contact_details
        ticket.best_times = best_times
        ticket.save(
            update_fields=[
                "people_affected",
                "preferred_contact",
                "contact_details",
                "best_times",
                "updated_at",
            ]
        )
    return ticket
