"""Writes of time and billing: entries (with the author's editing window and closed months),
contracts, work types and month close. Errors are ``ValidationError({field: message})`` for bad
input and ``PermissionDenied`` for a caller who may not do it; nothing is written on either."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import Organization, User
from audit.services import record
from billing.models import (
    MAX_ENTRY_MINUTES,
    MAX_INCLUDED_MINUTES,
    MAX_MULTIPLIER,
    MAX_RATE,
    MAX_ROUNDING_MINUTES,
    ClosedMonth,
    Contract,
    TimeEntry,
    WorkType,
    month_of,
)
from tickets.models import Ticket

MONTH_PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
NOTE_MAX_LENGTH = 2000
REASON_MAX_LENGTH = 500
ENTRY_FIELDS = ("started_at", "minutes", "billable", "work_type", "note")


def parse_month(value: Any, field: str = "month") -> date:
    """ "YYYY-MM" as the month's first day; anything else is a ValidationError naming ``field``."""
    match = MONTH_PATTERN.match(value) if isinstance(value, str) else None
    if not match or not 2000 <= int(match.group(1)) <= 2999:
        raise ValidationError({field: "Give a month as YYYY-MM, e.g. 2026-12."})
    return date(int(match.group(1)), int(match.group(2)), 1)


def is_month_closed(month: date) -> bool:
    return ClosedMonth.objects.filter(month=month).exists()


def _check_open_month(started_at: datetime, organization: Organization) -> None:
    month = month_of(started_at, organization.timezone)
    if is_month_closed(month):
        raise ValidationError(
            {"started_at": f"{month:%Y-%m} is closed; reopen it before changing its time."}
        )


def _clean_entry_fields(fields: dict[str, Any], *, now: datetime) -> dict[str, Any]:
    minutes = fields.get("minutes")
    if minutes is not None and not (isinstance(minutes, int) and 1 <= minutes <= MAX_ENTRY_MINUTES):
        raise ValidationError({"minutes": f"Give whole minutes from 1 to {MAX_ENTRY_MINUTES}."})
    started_at = fields.get("started_at")
    if started_at is not None:
        if timezone.is_naive(started_at):
            raise ValidationError({"started_at": "Give the time zone offset."})
        if started_at > now:
            raise ValidationError({"started_at": "Time is logged for work done: pick a past time."})
    work_type = fields.get("work_type")
    if work_type is not None and not isinstance(work_type, WorkType):
        raise ValidationError({"work_type": "Pick a work type."})
    note = fields.get("note")
    if note is not None and len(note) > NOTE_MAX_LENGTH:
        raise ValidationError({"note": f"Keep the note within {NOTE_MAX_LENGTH} characters."})
    return fields


def default_work_type() -> WorkType | None:
    return WorkType.objects.filter(active=True).order_by("pk").first()


def log_time(
    *,
    ticket: Ticket,
    agent: User,
    minutes: int,
    work_type: WorkType | None = None,
    started_at: datetime | None = None,
    billable: bool = True,
    note: str = "",
) -> TimeEntry:
    """Record work on a ticket; ``started_at`` defaults to now minus the minutes."""
    now = timezone.now()
    if not agent.is_helpdesk_staff:
        raise PermissionDenied("Only helpdesk staff log time.")
    work_type = work_type or default_work_type()
    if work_type is None:
        raise ValidationError({"work_type": "Add a work type first."})
    if not work_type.active:
        raise ValidationError({"work_type": "This work type is no longer in use; pick another."})
    _clean_entry_fields(
        {"minutes": minutes, "started_at": started_at, "work_type": work_type, "note": note},
        now=now,
    )
    if started_at is None:
        started_at = now - timedelta(minutes=minutes)
    _check_open_month(started_at, ticket.organization)
    return TimeEntry.objects.create(
        ticket=ticket,
        agent=agent,
        minutes=minutes,
        work_type=work_type,
        started_at=started_at,
        billable=billable,
        note=note,
    )


def _authorise_edit(entry: TimeEntry, by: User, reason: str, now: datetime) -> bool:
    """Whether the change needs its reason in the audit log; PermissionDenied when not allowed."""
    own_and_open = entry.agent_id == by.pk and not entry.is_locked(now)
    if own_and_open:
        return False
    if not by.is_manager:
        if entry.agent_id == by.pk:
            raise PermissionDenied(
                "This entry is locked: it is more than the editing window old. Ask a manager."
            )
        raise PermissionDenied("Only its author or a manager may change this entry.")
    if not reason.strip():
        raise ValidationError({"reason": "Give a reason: it goes to the audit log."})
    if "\x00" in reason:
        raise ValidationError({"reason": "The reason holds a character that cannot be kept."})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": f"Keep the reason within {REASON_MAX_LENGTH} characters."})
    return True


def change_entry(
    entry: TimeEntry,
    *,
    by: User,
    reason: str = "",
    request: HttpRequest | None = None,
    **changes: Any,
) -> TimeEntry:
    unknown = set(changes) - set(ENTRY_FIELDS)
    if unknown:
        raise ValidationError({name: "This cannot be changed." for name in sorted(unknown)})
    now = timezone.now()
    needs_reason = _authorise_edit(entry, by, reason, now)
    _clean_entry_fields(changes, now=now)
    if "work_type" in changes and changes["work_type"] is None:
        raise ValidationError({"work_type": "Pick a work type."})
    with transaction.atomic():
        entry = (
            TimeEntry.objects.select_for_update(of=("self",))
            .select_related("ticket__organization")
            .get(pk=entry.pk)
        )
        organization = entry.ticket.organization
        _check_open_month(entry.started_at, organization)
        if "started_at" in changes:
            _check_open_month(changes["started_at"], organization)
        before = {name: _plain(getattr(entry, name)) for name in changes}
        for name, value in changes.items():
            setattr(entry, name, value)
        entry.save(update_fields=list(changes) or None)
        if needs_reason:
            record(
                "time_entry_changed",
                actor=by,
                target=entry,
                request=request,
                detail={
                    "reason": reason.strip(),
                    "before": before,
                    "after": {name: _plain(getattr(entry, name)) for name in changes},
                },
            )
    return entry


def delete_entry(
    entry: TimeEntry, *, by: User, reason: str = "", request: HttpRequest | None = None
) -> None:
    now = timezone.now()
    needs_reason = _authorise_edit(entry, by, reason, now)
    with transaction.atomic():
        entry = (
            TimeEntry.objects.select_for_update(of=("self",))
            .select_related("ticket__organization")
            .get(pk=entry.pk)
        )
        _check_open_month(entry.started_at, entry.ticket.organization)
        if needs_reason:
            record(
                "time_entry_deleted",
                actor=by,
                target=entry,
                request=request,
                detail={
                    "reason": reason.strip(),
                    "entry": {name: _plain(getattr(entry, name)) for name in ENTRY_FIELDS},
                    "ticket": entry.ticket_id,
                    "agent": entry.agent_id,
                },
            )
        entry.delete()


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, WorkType):
        return value.pk
    return value


def parse_decimal(value: Any, field: str, *, maximum: Decimal, places: int) -> Decimal:
    """A non-negative decimal given as a string (or an int), at most ``places`` decimals."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValidationError({field: 'Give a decimal number as a string, e.g. "95.00".'})
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError({field: 'Give a decimal number, e.g. "95.00".'}) from None
    if not number.is_finite() or number < 0 or number > maximum:
        raise ValidationError({field: f"Give a number from 0 to {maximum}."})
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        raise ValidationError({field: f"Give at most {places} decimal places."})
    return number


def clean_rates(rates: Any) -> dict[str, str]:
    if not isinstance(rates, dict):
        raise ValidationError({"rates": 'Give an object such as {"1": "95.00"}.'})
    known = set(WorkType.objects.values_list("pk", flat=True))
    cleaned: dict[str, str] = {}
    for key, value in rates.items():
        if not (isinstance(key, str) and key.isdigit() and int(key) in known):
            raise ValidationError({"rates": f"{key!r} is not a work type id."})
        try:
            rate = parse_decimal(value, "rates", maximum=MAX_RATE, places=2)
        except ValidationError:
            raise ValidationError(
                {"rates": f"The rate of work type {key} must be an amount from 0 to {MAX_RATE}."}
            ) from None
        cleaned[str(int(key))] = str(rate.quantize(Decimal("0.01")))
    return cleaned


def save_contract(
    organization: Organization,
    *,
    by: User,
    included_minutes: int,
    rates: dict[str, Any],
    rounding_minutes: int,
    out_of_hours_multiplier: Any,
    request: HttpRequest | None = None,
) -> Contract:
    """Replace the organisation's contract (managers); the change goes to the audit log."""
    if not by.is_manager:
        raise PermissionDenied("Only managers change contracts.")
    for field, value, largest in (
        ("included_minutes", included_minutes, MAX_INCLUDED_MINUTES),
        ("rounding_minutes", rounding_minutes, MAX_ROUNDING_MINUTES),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= largest:
            raise ValidationError({field: f"Give whole minutes from 0 to {largest}."})
    multiplier = parse_decimal(
        out_of_hours_multiplier, "out_of_hours_multiplier", maximum=MAX_MULTIPLIER, places=3
    )
    cleaned_rates = clean_rates(rates)
    with transaction.atomic():
        contract, _ = Contract.objects.select_for_update().get_or_create(organization=organization)
        before = contract_facts(contract)
        contract.included_minutes = included_minutes
        contract.rates = cleaned_rates
        contract.rounding_minutes = rounding_minutes
        contract.out_of_hours_multiplier = multiplier
        contract.save()
        record(
            "settings_changed",
            actor=by,
            target=organization,
            request=request,
            detail={"setting": "contract", "before": before, "after": contract_facts(contract)},
        )
    return contract


def contract_facts(contract: Contract) -> dict[str, Any]:
    return {
        "included_minutes": contract.included_minutes,
        "rates": dict(contract.rates or {}),
        "rounding_minutes": contract.rounding_minutes,
        "out_of_hours_multiplier": format_decimal(Decimal(contract.out_of_hours_multiplier)),
    }


def format_decimal(value: Decimal) -> str:
    """A decimal without trailing zeros or exponent: "1.5", "22.5", "90"."""
    text = f"{value.normalize():f}"
    return text


def close_month(month: date, *, by: User, request: HttpRequest | None = None) -> ClosedMonth:
    if not by.is_manager:
        raise PermissionDenied("Only managers close months.")
    with transaction.atomic():
        closed, created = ClosedMonth.objects.get_or_create(month=month, defaults={"closed_by": by})
        if created:
            record(
                "billing_month_closed",
                actor=by,
                target=("month", f"{month:%Y-%m}"),
                request=request,
            )
    return closed


def reopen_month(month: date, *, by: User, request: HttpRequest | None = None) -> None:
    if not by.is_manager:
        raise PermissionDenied("Only managers reopen months.")
    with transaction.atomic():
        deleted, _ = ClosedMonth.objects.filter(month=month).delete()
        if deleted:
            record(
                "billing_month_reopened",
                actor=by,
                target=("month", f"{month:%Y-%m}"),
                request=request,
            )


def save_work_type(
    work_type: WorkType | None, *, by: User, name: str | None = None, active: bool | None = None
) -> WorkType:
    if not by.is_manager:
        raise PermissionDenied("Only managers change work types.")
    work_type = work_type or WorkType()
    if name is not None:
        name = name.strip()
        if not name or len(name) > 80:
            raise ValidationError({"name": "Give a name of 1 to 80 characters."})
        clash = WorkType.objects.filter(name__iexact=name).exclude(pk=work_type.pk)
        if clash.exists():
            raise ValidationError({"name": "A work type of this name exists."})
        work_type.name = name
    elif not work_type.pk:
        raise ValidationError({"name": "Give a name."})
    if active is not None:
        work_type.active = active
    work_type.save()
    return work_type


def record_export(*, by: User, month: date, organization_id: int | None, request=None) -> None:
    record(
        "export",
        actor=by,
        target=("time_entries", f"{month:%Y-%m}"),
        request=request,
        detail={"what": "time entries", "month": f"{month:%Y-%m}", "organization": organization_id},
    )
