"""Forms of the manager dashboard: the period and filters (read from the URL), reassigning a ticket
from the Now panel, and recording or annotating a loss."""

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone

from accounts.form_messages import PlainErrors
from dashboard.selectors import Period
from tickets.autocomplete import CUSTOMERS, STAFF, AutocompleteField, AutocompleteInput
from tickets.forms import NewOwnerFields
from tickets.models import BODY_MAX_LENGTH
from tickets.web import DayField
from updates.models import LossCategory

PERIOD_CHOICES = (7, 30, 90, 365)
DEFAULT_DAYS = 30
LONGEST_CUSTOM_PERIOD_DAYS = 731


class DashboardFilterForm(PlainErrors, forms.Form):
    """?days=30, or ?since=2026-11-01&until=2026-11-30 (both days inclusive), plus optional
    owner, organization and priority. Bad values are reported by field and ignored."""

    days = forms.TypedChoiceField(
        choices=[(d, f"Last {d} days") for d in PERIOD_CHOICES],
        coerce=int,
        required=False,
        label="Period",
    )
    since = DayField(required=False, label="From", widget=forms.DateInput({"type": "date"}))
    until = DayField(required=False, label="To", widget=forms.DateInput({"type": "date"}))
    # Autocompletes (tickets.autocomplete), as on the queue: listing 300 staff and 2,000 customers
    # in two selects was a third of the page's time at a million tickets. The URL keeps the id.
    owner = AutocompleteField(
        source=STAFF,
        required=False,
        widget=AutocompleteInput(STAFF, {"placeholder": "Every owner"}),
    )
    organization = AutocompleteField(
        source=CUSTOMERS,
        required=False,
        label="Customer",
        widget=AutocompleteInput(CUSTOMERS, {"placeholder": "Every customer"}),
    )
    priority = forms.TypedChoiceField(
        choices=[("", "Every priority")] + [(p, f"P{p}") for p in range(1, 5)],
        coerce=int,
        required=False,
        empty_value=None,
    )

    def __init__(self, data=None, *, with_owner: bool = True, **kwargs):
        super().__init__(data, **kwargs)
        if not with_owner:
            del self.fields["owner"]

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if (since is None) != (until is None) and not self.has_error("since"):
            self.add_error("since" if since is None else "until", "Give both dates, or neither.")
        elif since and until:
            if until < since:
                self.add_error("until", "The end date is before the start date.")
            elif (until - since).days > LONGEST_CUSTOM_PERIOD_DAYS:
                self.add_error("until", "Choose a period of at most two years.")
        return cleaned

    def period(self, now: datetime) -> Period:
        """The period and filters the valid fields describe; defaults where a field is bad."""
        data = self.cleaned_data if self.is_bound else {}
        if self.is_bound and self.errors:
            data = {name: value for name, value in data.items() if name not in self.errors}
        since, until = data.get("since"), data.get("until")
        if since and until and not {"since", "until"} & set(self.errors):
            zone = timezone.get_current_timezone()
            period = Period(
                since=datetime.combine(since, time.min, tzinfo=zone),
                until=datetime.combine(until + timedelta(days=1), time.min, tzinfo=zone),
            )
        else:
            period = Period.last_days(data.get("days") or DEFAULT_DAYS, now)
        owner, organization = data.get("owner"), data.get("organization")
        return period.narrowed(
            owner_id=owner.pk if owner else None,
            organization_id=organization.pk if organization else None,
            priority=data.get("priority"),
        )


class ReassignForm(NewOwnerFields):
    """Reassign from the Now panel: the same question as the ticket page's handover."""


class LossLessonsForm(PlainErrors, forms.Form):
    """Revise a recorded loss: its root cause and what we learned."""

    category = forms.ChoiceField(choices=LossCategory.choices, label="Root cause")
    lessons = forms.CharField(
        label="What we learned",
        required=False,
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What we will do differently, so it does not happen again.",
    )


class LossForm(LossLessonsForm):
    """Record a loss by hand: what happened, besides its cause and lessons. No cause is assumed:
    the list starts empty and the form asks for one until it is chosen."""

    category = forms.ChoiceField(
        choices=[("", "Choose the root cause"), *LossCategory.choices],
        label="Root cause",
        error_messages={"required": "Choose the root cause."},
    )

    description = forms.CharField(
        label="What happened",
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    field_order = ["category", "description", "lessons"]
