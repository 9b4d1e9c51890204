"""Writes to vendors and vendor escalations. Views, API views and tasks call these.

Rule violations raise django.core.exceptions.ValidationError keyed by field name and write
nothing. Every timeline event written here is internal (`public=False`): vendor work never
reaches the customer (DESIGN rule 7).
"""

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import User
from incidents import services as incident_services
from incidents.models import Incident
from tickets import services as ticket_services
from tickets.models import Status, Ticket
from tickets.validators import boolean, future_moment, text
from updates.events import record_event
from updates.keeper import outbox
from updates.keeper.claims import claim
from updates.models import OutboxKind, OutboxMessage
from vendors import selectors, signals
from vendors.models import (
    ESCALATION_DONE_STATUSES,
    NOTE_MAX_LENGTH,
    SUMMARY_MAX_LENGTH,
    EscalationNote,
    EscalationStatus,
    Vendor,
    VendorChase,
    VendorEscalation,
    VendorWait,
)

# A chase further out than this is almost certainly a typo.
LONGEST_CHASE_DAYS = 366
REFERENCE_MAX_LENGTH = 100
CHASE_BATCH_SIZE = 500
# The vendor fields staff may set, in the order forms and the API show them.
VENDOR_FIELDS = (
    "name",
    "aliases",
    "support_email",
    "support_phone",
    "portal_url",
    "account_number",
    "contract_reference",
    "support_hours",
    "expected_response_minutes",
    "notes",
    "is_active",
)
ESCALATION_EDITABLE_FIELDS = frozenset(
    {"vendor_reference", "summary", "status", "next_chase_at", "rca_requested", "rca_received"}
)


# --- validation helpers -------------------------------------------------------------------------


def _staff(user: Any, field: str = "by") -> User:
    if not isinstance(user, User) or not user.is_active or not user.is_helpdesk_staff:
        raise ValidationError({field: "Only helpdesk staff work on vendor escalations."})
    return user


def _chase_time(value: Any, *, now: datetime) -> datetime | None:
    return future_moment(
        value,
        "next_chase_at",
        now=now,
        longest=timedelta(days=LONGEST_CHASE_DAYS),
        too_far=f"Chase the vendor within {LONGEST_CHASE_DAYS} days.",
    )


def _status(value: Any) -> str:
    if value not in EscalationStatus.values:
        raise ValidationError(
            {
                "status": f"Unknown status “{value}”; use one of "
                f"{', '.join(EscalationStatus.values)}."
            }
        )
    return value


def _lock(escalation: VendorEscalation | int) -> VendorEscalation:
    pk = escalation.pk if isinstance(escalation, VendorEscalation) else escalation
    return (
        VendorEscalation.objects.select_for_update(of=("self",))
        .select_related("vendor", "ticket")
        .get(pk=pk)
    )


def _event(escalation: VendorEscalation, event: str, *, by: User | None, at: datetime, body: str):
    """Staff-only history on the ticket's timeline, or an internal note on the incident's (an
    incident note never reaches a ticket); never public, whatever the caller wants."""
    if escalation.incident_id is not None:
        author = by or escalation.opened_by
        if author is None:
            return None
        return incident_services.add_incident_note(
            escalation.incident, by=author, body=body, now=at
        )
    return record_event(
        escalation.ticket,
        event,
        at=at,
        by=by,
        public=False,
        body=body,
        escalation=escalation.pk,
    )


def _label(escalation: VendorEscalation) -> str:
    reference = f" case {escalation.vendor_reference}" if escalation.vendor_reference else ""
    return f"{escalation.vendor.name}{reference}"


# --- vendors ------------------------------------------------------------------------------------


def _apply_vendor_fields(vendor: Vendor, fields: dict[str, Any]) -> Vendor:
    unknown = set(fields) - set(VENDOR_FIELDS)
    if unknown:
        raise ValidationError({name: "This field cannot be set here." for name in sorted(unknown)})
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(vendor, name, value)
    vendor.full_clean()
    vendor.save()
    return vendor


@transaction.atomic
def create_vendor(*, name: str, **fields: Any) -> Vendor:
    return _apply_vendor_fields(Vendor(), {"name": name, **fields})


@transaction.atomic
def update_vendor(vendor: Vendor, *, changes: dict[str, Any]) -> Vendor:
    vendor = Vendor.objects.select_for_update().get(pk=vendor.pk)
    return _apply_vendor_fields(vendor, changes)


# --- vendor waits -------------------------------------------------------------------------------


def vendor_wait_changed(ticket: Ticket, *, old: str, new: str, at: datetime) -> None:
    """Keep `VendorWait` in step with a status change (in the status change's transaction)."""
    if new == Status.WAITING_ON_VENDOR:
        VendorWait.objects.update_or_create(ticket=ticket, defaults={"since": at})
    elif old == Status.WAITING_ON_VENDOR:
        VendorWait.objects.filter(ticket=ticket).delete()


def rebuild_vendor_waits() -> int:
    """Recompute `VendorWait` from the tickets' statuses and timelines, for data written outside
    the services (a bulk import, rows deleted by hand); returns the rows."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("LOCK TABLE vendors_vendorwait IN EXCLUSIVE MODE")
        VendorWait.objects.all().delete()
        rows = [
            VendorWait(ticket_id=pk, since=since)
            for pk, since in selectors.vendor_waits_from_timeline().items()
        ]
        VendorWait.objects.bulk_create(rows, batch_size=2000)
        return len(rows)


# --- escalations --------------------------------------------------------------------------------


def _stamp(escalation: VendorEscalation, status: str, *, now: datetime) -> None:
    """Rule 7: acknowledged_at by the first status other than open, resolved_at by resolved or
    closed (a reopened case loses its resolution time); a finished case is not chased."""
    escalation.status = status
    if status != EscalationStatus.OPEN and escalation.acknowledged_at is None:
        escalation.acknowledged_at = now
    if status in ESCALATION_DONE_STATUSES:
        escalation.resolved_at = escalation.resolved_at or now
        escalation.next_chase_at = None
    else:
        escalation.resolved_at = None


def open_escalation(
    *,
    ticket: Ticket | None = None,
    incident: Incident | None = None,
    vendor: Vendor,
    by: User,
    summary: str,
    vendor_reference: str = "",
    status: str = EscalationStatus.OPEN,
    next_chase_at: datetime | None = None,
    mark_ticket_waiting: bool = False,
    now: datetime | None = None,
) -> VendorEscalation:
    """Record that we raised a case with a vendor for this ticket, or for this major incident
    (one case for the outage; its commander chases it).

    1. Check everything first: staff author, an active vendor, an open ticket, a summary, a
       future chase time.
    2. Create the escalation, stamping acknowledgement/resolution if it starts past open, and the
       acknowledgement deadline from the vendor's expected response time.
    3. Log an internal timeline event; optionally move the ticket to waiting on vendor (which
       does not pause the customer promise, rule 5).
    """
    by = _staff(by)
    now = now or timezone.now()
    if not isinstance(vendor, Vendor) or not vendor.is_active:
        raise ValidationError({"vendor": "Choose an active vendor."})
    if incident is not None:
        if ticket is not None or not isinstance(incident, Incident):
            raise ValidationError({"ticket": "Escalate either a ticket or an incident."})
        if boolean(mark_ticket_waiting, "mark_ticket_waiting"):
            raise ValidationError(
                {"mark_ticket_waiting": "An incident's case moves no ticket; set each ticket."}
            )
    elif not isinstance(ticket, Ticket):
        raise ValidationError({"ticket": "Choose a ticket."})
    elif ticket.status == Status.CLOSED:
        raise ValidationError(
            {"ticket": f"{ticket.reference} is closed; open a new ticket to continue."}
        )
    summary = text(summary, "summary", max_length=SUMMARY_MAX_LENGTH, required=True)
    vendor_reference = text(
        vendor_reference, "vendor_reference", max_length=REFERENCE_MAX_LENGTH, required=False
    )
    status = _status(status)
    next_chase_at = _chase_time(next_chase_at, now=now)
    if status in ESCALATION_DONE_STATUSES and next_chase_at is not None:
        raise ValidationError({"next_chase_at": "A resolved or closed case is not chased."})
    mark_ticket_waiting = boolean(mark_ticket_waiting, "mark_ticket_waiting")

    with transaction.atomic():
        if incident is not None:
            # Locked as the incident's own writes do, so a resolve cannot slip in between.
            incident = Incident.objects.select_for_update(of=("self",)).get(pk=incident.pk)
            if incident.is_resolved:
                raise ValidationError({"incident": f"{incident.reference} is resolved."})
        escalation = VendorEscalation(
            ticket=ticket,
            incident=incident,
            vendor=vendor,
            vendor_reference=vendor_reference,
            summary=summary,
            opened_at=now,
            opened_by=by,
            next_chase_at=next_chase_at,
            acknowledge_by=(
                now + timedelta(minutes=vendor.expected_response_minutes)
                if vendor.expected_response_minutes
                else None
            ),
        )
        _stamp(escalation, status, now=now)
        escalation.save()
        _event(
            escalation,
            "vendor_escalated",
            by=by,
            at=now,
            body=f"Escalated to {_label(escalation)}: {summary}",
        )
        if mark_ticket_waiting and ticket and ticket.status != Status.WAITING_ON_VENDOR:
            ticket_services.change_status(ticket, status=Status.WAITING_ON_VENDOR, by=by, now=now)
        signals.escalation_changed.send(
            sender=VendorEscalation, escalation=escalation, by=by, at=now
        )
    return escalation


def change_escalation_status(
    escalation: VendorEscalation, *, status: str, by: User, now: datetime | None = None
) -> VendorEscalation:
    """Move a vendor case along; the first move past open stamps acknowledged_at, resolved or
    closed stamps resolved_at and stops the chasing. A closed case is final."""
    by = _staff(by)
    status = _status(status)
    with transaction.atomic():
        escalation = _lock(escalation)
        if status == escalation.status:
            return escalation
        if not escalation.can_move_to(status):
            raise ValidationError(
                {
                    "status": f"A case that is {escalation.get_status_display().lower()} cannot "
                    f"become {EscalationStatus(status).label.lower()}."
                }
            )
        now = now or timezone.now()
        old = escalation.get_status_display()
        _stamp(escalation, status, now=now)
        escalation.save()
        _event(
            escalation,
            "vendor_escalation_status",
            by=by,
            at=now,
            body=f"{_label(escalation)}: {old} → {escalation.get_status_display()}.",
        )
        signals.escalation_changed.send(
            sender=VendorEscalation, escalation=escalation, by=by, at=now
        )
    return escalation


def set_next_chase(
    escalation: VendorEscalation, *, next_chase_at: datetime | None, by: User
) -> VendorEscalation:
    """When the ticket owner should chase the vendor next; None stops the reminders."""
    by = _staff(by)
    with transaction.atomic():
        escalation = _lock(escalation)
        next_chase_at = _chase_time(next_chase_at, now=timezone.now())
        if next_chase_at is not None and not escalation.is_active:
            raise ValidationError({"next_chase_at": "A resolved or closed case is not chased."})
        changed = escalation.next_chase_at != next_chase_at
        escalation.next_chase_at = next_chase_at
        escalation.save(update_fields=["next_chase_at", "updated_at"])
        if changed:
            signals.escalation_changed.send(
                sender=VendorEscalation, escalation=escalation, by=by, at=escalation.updated_at
            )
    return escalation


def set_root_cause_analysis(
    escalation: VendorEscalation,
    *,
    by: User,
    requested: bool | None = None,
    received: bool | None = None,
) -> VendorEscalation:
    by = _staff(by)
    with transaction.atomic():
        escalation = _lock(escalation)
        if requested is not None:
            escalation.rca_requested = boolean(requested, "rca_requested")
        if received is not None:
            escalation.rca_received = boolean(received, "rca_received")
        escalation.save(update_fields=["rca_requested", "rca_received", "updated_at"])
    return escalation


def log_escalation_note(
    escalation: VendorEscalation,
    *,
    author: User,
    body: str,
    pushback: bool = False,
    now: datetime | None = None,
) -> EscalationNote:
    """An internal note on the vendor case; never on the customer's timeline, never a promise
    kept (rule 3)."""
    author = _staff(author, "author")
    body = text(body, "body", max_length=NOTE_MAX_LENGTH, required=True)
    pushback = boolean(pushback, "pushback")
    return EscalationNote.objects.create(
        escalation=escalation,
        author=author,
        body=body,
        pushback=pushback,
        created_at=now or timezone.now(),
    )


@transaction.atomic
def update_escalation(
    escalation: VendorEscalation, *, by: User, changes: dict[str, Any]
) -> VendorEscalation:
    """Several edits at once, all or nothing (the API's PATCH)."""
    unknown = set(changes) - ESCALATION_EDITABLE_FIELDS
    if unknown:
        raise ValidationError(
            {name: "This field cannot be changed here." for name in sorted(unknown)}
        )
    by = _staff(by)
    escalation = _lock(escalation)
    text_fields = {}
    if "summary" in changes:
        text_fields["summary"] = text(
            changes["summary"], "summary", max_length=SUMMARY_MAX_LENGTH, required=True
        )
    if "vendor_reference" in changes:
        text_fields["vendor_reference"] = text(
            changes["vendor_reference"],
            "vendor_reference",
            max_length=REFERENCE_MAX_LENGTH,
            required=False,
        )
    if text_fields:
        for name, value in text_fields.items():
            setattr(escalation, name, value)
        escalation.save(update_fields=[*text_fields, "updated_at"])
    if "status" in changes:
        escalation = change_escalation_status(escalation, status=changes["status"], by=by)
    if "rca_requested" in changes or "rca_received" in changes:
        escalation = set_root_cause_analysis(
            escalation,
            by=by,
            requested=changes.get("rca_requested"),
            received=changes.get("rca_received"),
        )
    if "next_chase_at" in changes:
        escalation = set_next_chase(escalation, next_chase_at=changes["next_chase_at"], by=by)
    return escalation


# --- chase reminders ----------------------------------------------------------------------------


def claim_due_chases(
    now: datetime | None = None, *, limit: int = CHASE_BATCH_SIZE
) -> list[VendorChase]:
    """Remind ticket owners of every vendor chase that has fallen due; each chase time once.

    1. Read up to `limit` due (id, chase time) pairs, oldest first, through the partial index.
    2. For each, in its own short transaction, claim it (the keeper's claim helper: SKIP LOCKED,
       or compare-and-set on SQLite), clearing `next_chase_at` only if it still holds the time
       we read. If another sweep (a second beat, a retried task) or an agent moving the chase
       time got there first, or holds the row right now, nothing is claimed and we skip it (a
       chase still due is found again by the next sweep). No row locks are held across
       escalations.
    3. Record the VendorChase (escalation, chase time). Its unique constraint is the last line of
       defence: a chase time that was already reminded is never reminded twice.
    4. Write the reminder to the promise keeper's outbox for the ticket owner (or, on an unowned
       ticket, whoever opened the escalation), in-app and by email, keyed by the chase, and
       announce `chase_due`. The outbox delivers it with the guarantees of every promise alert:
       in-app exactly once, email at least once with retries and dead letters, its delivery
       queued only after this transaction commits (vendors.notifications words it).
    A crash anywhere in 2-4 rolls the whole claim back: the chase stays due and the next sweep
    sends it. The database, not the broker, is the source of truth.
    """
    now = now or timezone.now()
    due = list(
        VendorEscalation.objects.chase_due(now)
        .order_by("next_chase_at", "pk")
        .values_list("pk", "next_chase_at")[:limit]
    )
    chases: list[VendorChase] = []
    for pk, chase_time in due:
        chase = _claim_one(pk, chase_time, now=now)
        if chase is not None:
            chases.append(chase)
    return chases


def _claim_one(pk: int, chase_time: datetime, *, now: datetime) -> VendorChase | None:
    with transaction.atomic():
        claimed = claim(
            VendorEscalation.objects.filter(pk=pk, next_chase_at=chase_time),
            next_chase_at=None,
            last_chase_due_at=chase_time,
            updated_at=now,
        )
        if not claimed:
            return None
        escalation = VendorEscalation.objects.select_related(
            "vendor", "ticket__owner", "incident__commander", "opened_by"
        ).get(pk=pk)
        try:
            with transaction.atomic():
                chase = VendorChase.objects.create(
                    escalation=escalation, due_at=chase_time, claimed_at=now
                )
        except IntegrityError:
            return None
        recipient = escalation.accountable or escalation.opened_by
        messages: list[OutboxMessage] = []
        if recipient is not None and recipient.is_active and recipient.is_helpdesk_staff:
            messages = outbox.queue_messages(
                kind=OutboxKind.VENDOR_CHASE,
                ticket=escalation.ticket,  # None for an incident's case
                recipients=[recipient],
                channels=outbox.STAFF_CHANNELS,
                key=chase.outbox_key,
                now=now,
                data={"chase": chase.pk},
            )
        signals.chase_due.send(
            sender=VendorEscalation, escalation=escalation, chase=chase, messages=messages, at=now
        )
    return chase
