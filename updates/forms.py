"""The ticket page composer: a public update (with its next promise) or an internal note."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone

from accounts.form_messages import PlainErrors
from attachments.forms import AttachmentsField
from billing.forms import TimeSpentFields
from tickets.forms import status_choices
from tickets.models import BODY_MAX_LENGTH, OWING_STATUSES, Status, Ticket
from tickets.web import DateTimeLocalField, ExpectedVersionField, minute
from updates.services import UNSET, default_next_update_due

DEFAULT_PICK = "default"
CUSTOM_PICK = "custom"
TOMORROW_PICK = "tomorrow-9"
CUSTOMER_MORNING = time(9, 0)
QUICK_PICK_DELTAS = {
    "30m": timedelta(minutes=30),
    "1h": timedelta(hours=1),
    "2h": timedelta(hours=2),
}
QUICK_PICK_LABELS = {"30m": "+30 min", "1h": "+1 h", "2h": "+2 h"}


@dataclass(frozen=True)
class PromiseOption:
    key: str
    label: str
    due: datetime | None


def customer_timezone(ticket: Ticket) -> ZoneInfo:
    if ticket.requester_id and ticket.requester.timezone:
        return ZoneInfo(ticket.requester.timezone)
    return ZoneInfo(ticket.organization.timezone)


def tomorrow_morning(ticket: Ticket, now: datetime) -> datetime:
    """09:00 tomorrow on the customer's wall clock."""
    tz = customer_timezone(ticket)
    tomorrow = now.astimezone(tz).date() + timedelta(days=1)
    return datetime.combine(tomorrow, CUSTOMER_MORNING, tzinfo=tz)


def promise_options(ticket: Ticket, now: datetime) -> list[PromiseOption]:
    """The composer's quick picks, each with the time it means if posted now, each time once: a
    quick pick that means the same minute as the cadence default (P1's "+30 min") is left out."""
    tz = customer_timezone(ticket)
    default_due = default_next_update_due(ticket, now=now)
    options = [PromiseOption(DEFAULT_PICK, "Cadence default", default_due)]
    options += [
        PromiseOption(key, QUICK_PICK_LABELS[key], now + delta)
        for key, delta in QUICK_PICK_DELTAS.items()
    ]
    options.append(
        PromiseOption(
            TOMORROW_PICK,
            f"Tomorrow 09:00 customer time ({tz.key})",
            tomorrow_morning(ticket, now),
        )
    )
    shown: list[PromiseOption] = []
    for option in options:
        if all(minute(option.due) != minute(earlier.due) for earlier in shown):
            shown.append(option)
    return [*shown, PromiseOption(CUSTOM_PICK, "Custom", None)]


# Every pick the composer ever offers: one drawn a minute earlier (when "+30 min" still meant a
# time of its own) must still be accepted.
ALL_PICKS = [DEFAULT_PICK, *QUICK_PICK_DELTAS, TOMORROW_PICK, CUSTOM_PICK]


class PublicUpdateForm(PlainErrors, TimeSpentFields):
    body = forms.CharField(
        label="Update for the customer",
        max_length=BODY_MAX_LENGTH,
        error_messages={"required": "Write the update for the customer first."},
        widget=forms.Textarea(
            attrs={
                "rows": 5,
                "placeholder": "Where things stand, what we are doing next. We own the problem.",
            }
        ),
    )
    attachments = AttachmentsField(label="Attach files (the customer gets them)")
    promise = forms.ChoiceField(label="Next update by", widget=forms.RadioSelect)
    custom_due = DateTimeLocalField(label="Custom next update (your time)", required=False)
    status = forms.ChoiceField(label="Status after this update")
    eta = DateTimeLocalField(label="ETA (resolution expected)", required=False)
    confirm_vendor_mention = forms.BooleanField(
        label="Send as written: I have checked that it does not pass the blame",
        label_suffix="",
        required=False,
    )
    # The saved reply whose text was inserted (counted as one use when the update is sent).
    used_reply = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput
    )
    # The ticket's version when the composer was drawn: its status and ETA fields show the
    # values of that moment, so posting them after a colleague's change would undo it.
    expected_updated_at = ExpectedVersionField()

    def __init__(self, *args, ticket: Ticket, now: datetime | None = None, **kwargs):
        self.ticket = ticket
        self.now = now or timezone.now()
        self.options = promise_options(ticket, self.now) if ticket.is_open else []
        kwargs.setdefault("auto_id", "public-%s")  # the note form shares the page: unique ids
        kwargs.setdefault("initial", {})
        kwargs["initial"].update(
            promise=DEFAULT_PICK,
            status=ticket.status,
            eta=ticket.eta,
            expected_updated_at=ticket.updated_at,
        )
        super().__init__(*args, **kwargs)
        labels = {option.key: option.label for option in self.options}
        picks = ALL_PICKS if self.options else []
        self.fields["promise"].choices = [(key, labels.get(key, key)) for key in picks]
        self.fields["status"].choices = status_choices(ticket)
        self.held_back: list[str] = []
        # A customer-safe rewording of a held-back update (the vendor-mention guard's).
        self.suggestion = ""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        status = data.get("status")
        pick = data.get("promise")
        data["next_update_due"] = None
        owes_after = (status or self.ticket.status) in OWING_STATUSES
        if pick == CUSTOM_PICK:
            if not data.get("custom_due"):
                self.add_error("custom_due", "Choose the date and time of the next update.")
            elif owes_after:
                data["next_update_due"] = data["custom_due"]
        elif owes_after and pick in QUICK_PICK_DELTAS:
            data["next_update_due"] = timezone.now() + QUICK_PICK_DELTAS[pick]
        elif owes_after and pick == TOMORROW_PICK:
            data["next_update_due"] = tomorrow_morning(self.ticket, timezone.now())
        return data

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        eta = data["eta"] if minute(data["eta"]) != minute(self.ticket.eta) else UNSET
        return {
            "body": data["body"],
            "next_update_due": data["next_update_due"],
            "status": data["status"] if data["status"] != self.ticket.status else None,
            "eta": eta,
            "confirm_vendor_mention": data["confirm_vendor_mention"],
            "expected_updated_at": data["expected_updated_at"],
            "attachments": data["attachments"],
        }

    def refresh_version(self, ticket: Ticket) -> None:
        """After a conflict: keep what the agent typed, drawn against the current ticket, so a
        deliberate second send goes through."""
        self.ticket = ticket
        self.data = self.data.copy()
        self.data[self.add_prefix("expected_updated_at")] = ticket.updated_at.isoformat()

    def status_after(self) -> str:
        status = self.cleaned_data.get("status") or self.ticket.status
        return Status.OPEN if status == Status.NEW else status


class InternalNoteForm(PlainErrors, TimeSpentFields):
    body = forms.CharField(
        label="Internal note (staff only)",
        max_length=BODY_MAX_LENGTH,
        error_messages={"required": "Write the note for your colleagues first."},
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": "For colleagues only. Never sent to the customer."}
        ),
    )
    attachments = AttachmentsField(label="Attach files (staff only)")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "note-%s")  # the public update form shares the page
        super().__init__(*args, **kwargs)
