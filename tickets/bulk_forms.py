"""The queue's bulk form (tickets.bulk): checkboxes on the rows, an action and its one field.

It works as a plain form post around the queue table; workspace.js only adds the selection
shortcuts (shift-click ranges, the `x` key) and shows the field of the chosen action."""

from typing import Any

from django import forms

from tickets import bulk
from tickets.autocomplete import STAFF, AutocompleteField, AutocompleteInput
from tickets.models import BODY_MAX_LENGTH, Status, Ticket
from tickets.widgets import FastSelect


def _number(value: str, prefix: str) -> int | None:
    text = (value or "").strip().upper().removeprefix(prefix).removeprefix("-")
    return int(text) if text.isascii() and text.isdigit() and 0 < int(text) < 2**63 else None


class BulkForm(forms.Form):
    tickets = forms.TypedMultipleChoiceField(coerce=int, choices=(), label="Tickets")
    action = forms.ChoiceField(label="With the selected", widget=FastSelect)
    owner = AutocompleteField(
        source=STAFF,
        required=False,
        label="New owner",
        widget=AutocompleteInput(STAFF, {"placeholder": "Name or email", "id": "bulk-owner"}),
    )
    handover_note = forms.CharField(
        required=False,
        max_length=BODY_MAX_LENGTH,
        label="Handover note",
        widget=forms.TextInput(attrs={"id": "bulk-handover-note"}),
    )
    status = forms.ChoiceField(
        required=False,
        choices=[("", "Choose a status"), *Status.choices],
        label="New status",
        widget=FastSelect(attrs={"id": "bulk-status"}),
    )
    incident = forms.CharField(
        required=False,
        max_length=30,
        label="Major incident",
        widget=forms.TextInput(attrs={"placeholder": "INC-12", "id": "bulk-incident"}),
    )
    into = forms.CharField(
        required=False,
        max_length=30,
        label="Merge into",
        widget=forms.TextInput(attrs={"placeholder": "SD-1042", "id": "bulk-into"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [
            ("", "Choose an action"),
            *((name, action.label) for name, action in bulk.ACTIONS.items()),
        ]

    def params(self) -> dict[str, Any]:
        """What tickets.bulk.run takes for the chosen action."""
        data = self.cleaned_data
        owner = data.get("owner")
        return {
            "owner": owner.pk if owner is not None else None,
            "handover_note": data.get("handover_note", ""),
            "status": data.get("status") or None,
            "incident": _number(data.get("incident", ""), "INC"),
            "into": Ticket.number_from_reference(data.get("into", "") or ""),
        }

    def full_clean(self) -> None:
        # Any id is a choice here: tickets.bulk checks that each exists and may change.
        self.fields["tickets"].valid_value = lambda value: True
        super().full_clean()
