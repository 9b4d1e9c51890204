"""Forms of the staff pages: logging time (the ticket page's Time panel and the composer's "time
spent"), changing an entry, a contract, and the billing page's month."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from accounts.form_messages import PlainErrors
from billing.models import (
    MAX_ENTRY_MINUTES,
    MAX_INCLUDED_MINUTES,
    MAX_MULTIPLIER,
    MAX_RATE,
    MAX_ROUNDING_MINUTES,
    Contract,
    TimeEntry,
    WorkType,
)
from billing.services import NOTE_MAX_LENGTH, REASON_MAX_LENGTH
from tickets.web import DateTimeLocalField
from tickets.widgets import PlainModelChoiceField


def work_type_field(**kwargs: Any) -> forms.ModelChoiceField:
    return PlainModelChoiceField(
        queryset=WorkType.objects.filter(active=True).order_by("pk"),
        empty_label=None,
        **kwargs,
    )


def minutes_field(**kwargs: Any) -> forms.IntegerField:
    kwargs.setdefault("label", "Minutes")
    return forms.IntegerField(
        min_value=1,
        max_value=MAX_ENTRY_MINUTES,
        error_messages={
            "min_value": "Give at least 1 minute.",
            "max_value": f"Give at most {MAX_ENTRY_MINUTES} minutes (a day).",
        },
        widget=forms.NumberInput(
            attrs={"min": 1, "max": MAX_ENTRY_MINUTES, "inputmode": "numeric"}
        ),
        **kwargs,
    )


class TimeSpentFields(forms.Form):
    """The composer's "time spent" beside an update: optional minutes (the timer fills them in)
    and their work type. Mixed into the updates app's composer forms."""

    time_spent = minutes_field(label="Time spent (minutes)", required=False)
    time_work_type = work_type_field(label="Work type", required=False)

    @staticmethod
    def share_work_types(*forms_: "TimeSpentFields") -> None:
        """Read the active work types once for several composer forms on one page (the public
        update's and the note's), instead of once per form."""
        shared = work_type_field().queryset
        list(shared)  # read now; each form's choices walk these rows
        for form in forms_:
            field = form.fields["time_work_type"]
            # Not the queryset setter: it would clone the queryset and drop the rows read.
            field._queryset = shared
            field.widget.choices = field.choices

    def time_spent_arguments(self) -> dict[str, Any] | None:
        minutes = self.cleaned_data.get("time_spent")
        if not minutes:
            return None
        return {"minutes": minutes, "work_type": self.cleaned_data.get("time_work_type")}


class TimeEntryForm(PlainErrors, forms.Form):
    minutes = minutes_field()
    work_type = work_type_field(label="Work type")
    started_at = DateTimeLocalField(
        label="Started (your time)",
        required=False,
        help_text="Leave empty for: now minus the minutes.",
    )
    billable = forms.BooleanField(label="Billable", required=False, initial=True)
    note = forms.CharField(
        label="Note (internal)",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "time")
        super().__init__(*args, **kwargs)


class TimeEntryChangeForm(TimeEntryForm):
    reason = forms.CharField(
        label="Reason (goes to the audit log)",
        required=False,
        max_length=REASON_MAX_LENGTH,
    )

    def __init__(self, *args: Any, entry: TimeEntry, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "minutes": entry.minutes,
                "work_type": entry.work_type_id,
                "started_at": timezone.localtime(entry.started_at),
                "billable": entry.billable,
                "note": entry.note,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["started_at"].required = True
        self.fields["work_type"].queryset = WorkType.objects.filter(
            active=True
        ) | WorkType.objects.filter(pk=entry.work_type_id)


class ContractForm(PlainErrors, forms.Form):
    included_minutes = forms.IntegerField(
        label="Included minutes per month (0 = pay as you go)",
        min_value=0,
        max_value=MAX_INCLUDED_MINUTES,
    )
    rounding_minutes = forms.IntegerField(
        label="Round each billable entry up to (minutes, 0 = none)",
        min_value=0,
        max_value=MAX_ROUNDING_MINUTES,
    )
    out_of_hours_multiplier = forms.DecimalField(
        label="Out-of-hours multiplier",
        min_value=Decimal("0"),
        max_value=MAX_MULTIPLIER,
        decimal_places=3,
        max_digits=6,
    )

    def __init__(self, *args: Any, contract: Contract, work_types: list[WorkType], **kwargs: Any):
        kwargs.setdefault(
            "initial",
            {
                "included_minutes": contract.included_minutes,
                "rounding_minutes": contract.rounding_minutes,
                "out_of_hours_multiplier": contract.out_of_hours_multiplier,
                **{f"rate_{wt.pk}": contract.rates.get(str(wt.pk), "") for wt in work_types},
            },
        )
        super().__init__(*args, **kwargs)
        self.work_types = work_types
        for work_type in work_types:
            self.fields[f"rate_{work_type.pk}"] = forms.DecimalField(
                label=f"{work_type.name}: rate per hour",
                required=False,
                min_value=Decimal("0"),
                max_value=MAX_RATE,
                decimal_places=2,
                max_digits=9,
            )

    def rate_fields(self) -> list[forms.BoundField]:
        return [self[f"rate_{work_type.pk}"] for work_type in self.work_types]

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "included_minutes": data["included_minutes"],
            "rounding_minutes": data["rounding_minutes"],
            "out_of_hours_multiplier": str(data["out_of_hours_multiplier"]),
            "rates": {
                str(work_type.pk): str(data[f"rate_{work_type.pk}"])
                for work_type in self.work_types
                if data.get(f"rate_{work_type.pk}") is not None
            },
        }
