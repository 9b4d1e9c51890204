"""Forms of the staff vendor pages and the ticket page's escalation panel. They only parse input;
the rules are in vendors.services, whose ValidationErrors land on the field they name
(tickets.web.apply_service_error)."""

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from accounts.form_messages import PlainErrors
from tickets.models import Status, Ticket
from tickets.web import DateTimeLocalField, DayField
from tickets.widgets import FastSelect
from vendors.models import NOTE_MAX_LENGTH, SUMMARY_MAX_LENGTH, EscalationStatus, Vendor
from vendors.selectors import SCORECARD_COLUMNS, SORTABLE_KEYS, active_vendors
from vendors.services import REFERENCE_MAX_LENGTH, VENDOR_FIELDS

# The statuses a new case may start in: it is being opened, so not yet resolved or closed.
OPENING_STATUSES = (
    EscalationStatus.OPEN,
    EscalationStatus.ACKNOWLEDGED,
    EscalationStatus.AWAITING_VENDOR,
)


class VendorForm(PlainErrors, forms.ModelForm):
    """Create or edit a vendor; saved through vendors.services (the form never saves itself)."""

    class Meta:
        model = Vendor
        fields = list(VENDOR_FIELDS)
        widgets = {
            "aliases": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 4}),
        }
        labels = {"expected_response_minutes": "Expected response time (minutes)"}

    def service_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class OpenEscalationForm(PlainErrors, forms.Form):
    # FastSelect: the same <select> without a template per option (the ticket page draws this
    # form whenever a ticket has no escalation yet).
    vendor = forms.ModelChoiceField(
        queryset=Vendor.objects.none(),
        empty_label="Choose a vendor",
        widget=FastSelect(label_fields=("name",)),
    )
    vendor_reference = forms.CharField(
        label="Vendor's case reference", max_length=REFERENCE_MAX_LENGTH, required=False
    )
    summary = forms.CharField(
        max_length=SUMMARY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "What we asked the vendor to do."}),
    )
    status = forms.ChoiceField(
        choices=[(status.value, status.label) for status in OPENING_STATUSES],
        initial=EscalationStatus.OPEN,
    )
    next_chase_at = DateTimeLocalField(label="Chase them at (your time)", required=False)
    mark_ticket_waiting = forms.BooleanField(
        label="Set the ticket to waiting on vendor (the customer still gets updates)",
        required=False,
    )

    def __init__(self, *args, ticket: Ticket | None, **kwargs):
        """`ticket` None: a major incident's case, which moves no ticket's status."""
        self.ticket = ticket
        super().__init__(*args, **kwargs)
        self.fields["vendor"].queryset = active_vendors()
        self.fields["next_chase_at"].initial = _default_chase_time()
        if ticket is None:
            del self.fields["mark_ticket_waiting"]
            return
        self.fields["mark_ticket_waiting"].initial = (
            ticket.status != Status.WAITING_ON_VENDOR
            and ticket.can_move_to(Status.WAITING_ON_VENDOR)
        )


def _default_chase_time() -> datetime:
    """Tomorrow-ish default: four hours from now, on the minute."""
    return (timezone.now() + timedelta(hours=4)).replace(second=0, microsecond=0)


class EscalationNoteForm(PlainErrors, forms.Form):
    body = forms.CharField(
        label="Note on the vendor case (staff only)",
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    pushback = forms.BooleanField(
        label="The vendor pushed work back to us or the customer", required=False
    )


class EscalationStatusForm(PlainErrors, forms.Form):
    status = forms.ChoiceField(choices=EscalationStatus.choices)

    def __init__(self, *args, escalation=None, **kwargs):
        super().__init__(*args, **kwargs)
        if escalation is not None:
            self.fields["status"].initial = escalation.status
            allowed = {escalation.status, *_next_statuses(escalation)}
            self.fields["status"].choices = [
                (value, label) for value, label in EscalationStatus.choices if value in allowed
            ]


def _next_statuses(escalation) -> set[str]:
    return {status for status in EscalationStatus.values if escalation.can_move_to(status)}


class ChaseForm(PlainErrors, forms.Form):
    next_chase_at = DateTimeLocalField(label="Next chase (your time)", required=False)
    stop = forms.BooleanField(label="Stop chasing", required=False)

    def __init__(self, *args, escalation=None, **kwargs):
        super().__init__(*args, **kwargs)
        if escalation is not None and escalation.next_chase_at is not None:
            self.fields["next_chase_at"].initial = timezone.localtime(escalation.next_chase_at)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("stop") and not data.get("next_chase_at") and not self.errors:
            self.add_error("next_chase_at", "Choose when to chase, or tick “Stop chasing”.")
        return data

    def chase_time(self) -> datetime | None:
        return None if self.cleaned_data["stop"] else self.cleaned_data["next_chase_at"]


class RootCauseForm(PlainErrors, forms.Form):
    rca_requested = forms.BooleanField(label="RCA requested", required=False)
    rca_received = forms.BooleanField(label="RCA received", required=False)

    def __init__(self, *args, escalation=None, **kwargs):
        super().__init__(*args, **kwargs)
        if escalation is not None:
            self.fields["rca_requested"].initial = escalation.rca_requested
            self.fields["rca_received"].initial = escalation.rca_received


# --- the scorecard period and sort (GET parameters of the vendor pages) --------------------------

PERIODS = {
    "30d": ("Last 30 days", timedelta(days=30)),
    "90d": ("Last 90 days", timedelta(days=90)),
    "365d": ("Last 12 months", timedelta(days=365)),
    "all": ("All time", None),
}
DEFAULT_PERIOD = "90d"
CUSTOM_PERIOD = "custom"


class ScorecardPeriodForm(PlainErrors, forms.Form):
    """Which escalations a scorecard counts: a preset period or custom dates (in the URL, so a
    view can be bookmarked and shared), and for the list which figure it is sorted by."""

    period = forms.ChoiceField(
        choices=[*((key, label) for key, (label, _) in PERIODS.items()), (CUSTOM_PERIOD, "Dates")],
        required=False,
    )
    since = DayField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = DayField(
        label="Until (inclusive)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(
        choices=[("name", "Name"), *((column.key, column.label) for column in SCORECARD_COLUMNS)],
        required=False,
    )
    dir = forms.ChoiceField(choices=[("asc", "ascending"), ("desc", "descending")], required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("period") == CUSTOM_PERIOD:
            if not data.get("since") and not self.has_error("since"):
                self.add_error("since", "Give the first day of the period.")
            since, until = data.get("since"), data.get("until")
            if since and until and until < since:
                self.add_error("until", "The period must end on or after its first day.")
        return data

    def window(self, now: datetime | None = None) -> tuple[datetime | None, datetime | None]:
        """[since, until) in aware datetimes; the default period when the input is invalid."""
        now = now or timezone.now()
        data = self.cleaned_data if self.is_valid() else {}
        period = data.get("period") or DEFAULT_PERIOD
        if period == CUSTOM_PERIOD:
            since = _start_of(data["since"])
            until = _start_of(data["until"] + timedelta(days=1)) if data.get("until") else None
            return since, until
        delta = PERIODS[period][1]
        return (now - delta if delta else None), None

    def chosen_period(self) -> str:
        return (self.cleaned_data.get("period") if self.is_valid() else "") or DEFAULT_PERIOD

    def ordering(self, default: str = "escalations") -> tuple[str, bool]:
        data = self.cleaned_data if self.is_valid() else {}
        key = data.get("sort") or default
        if key not in SORTABLE_KEYS:
            key = default
        return key, (data.get("dir") or ("asc" if key == "name" else "desc")) == "desc"


def _start_of(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))
