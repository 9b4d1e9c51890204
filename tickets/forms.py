"""Forms of the staff workspace's ticket actions. They only parse input; the rules are in
tickets.services, whose ValidationErrors are shown on these forms (tickets.web.apply_service_error).
"""

from typing import Any

from django import forms
from django.urls import reverse

from accounts.form_messages import PlainErrors
from accounts.models import User
from tickets.autocomplete import (
    CONTACTS,
    CUSTOMERS,
    AutocompleteField,
    AutocompleteInput,
    staff_users,
)
from tickets.models import BODY_MAX_LENGTH, SUBJECT_MAX_LENGTH, Status, Ticket
from tickets.priority import IMPACT_LABELS, PRIORITY_LABELS, URGENCY_LABELS
from tickets.web import DateTimeLocalField, ExpectedVersionField, minute
from tickets.widgets import FastSelect

IMPACT_CHOICES = [(value, f"{value} · {label}") for value, label in IMPACT_LABELS.items()]
URGENCY_CHOICES = [(value, f"{value} · {label}") for value, label in URGENCY_LABELS.items()]


class StaffSelect(FastSelect):
    """The handover and collaborator pickers: a short list (the staff), so a select, drawn fast."""

    def __init__(self, attrs=None, choices=()):
        super().__init__(
            attrs, choices, label_fields=("name", "email"), label=User.display_name_for
        )


class OwnerChoiceField(forms.ModelChoiceField):
    widget = StaffSelect

    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


PRIORITY_PREVIEW_FIELDS = ("impact", "urgency")


def add_priority_preview(form: forms.Form, target_id: str) -> None:
    """Impact and urgency pickers ask the server for the resulting priority on change (htmx).

    The request carries those two values only: the rest of the form (a long description, the
    CSRF token) has no place in a GET, and made the URL too long for the server."""
    pickers = ", ".join(f"#{form[name].auto_id}" for name in PRIORITY_PREVIEW_FIELDS)
    for name in PRIORITY_PREVIEW_FIELDS:
        form.fields[name].widget.attrs.update(
            {
                "hx-get": reverse("priority-preview"),
                "hx-trigger": "change",
                "hx-target": f"#{target_id}",
                "hx-swap": "innerHTML",
                "hx-include": pickers,
            }
        )


class TicketActionForm(PlainErrors, forms.Form):
    """A form about one ticket, carrying the version it was drawn from."""

    # Element ids are "<id_prefix>-<ticket>-<field>": one page shows several of these forms (and
    # the triage inbox one per ticket), and every label must point at its own field.
    id_prefix = "ticket"
    expected_updated_at = ExpectedVersionField()

    def __init__(self, *args, ticket: Ticket, **kwargs):
        self.ticket = ticket
        kwargs.setdefault("auto_id", f"{self.id_prefix}-{ticket.pk}-%s")
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("expected_updated_at", ticket.updated_at)
        super().__init__(*args, **kwargs)

    def refresh_version(self) -> None:
        """After a conflict: show the user's input again, now against the current version, so a
        deliberate second submit goes through."""
        self.data = self.data.copy()
        self.data[self.add_prefix("expected_updated_at")] = self.ticket.updated_at.isoformat()


class TakeOwnershipForm(TicketActionForm):
    id_prefix = "own"


class TriageForm(TicketActionForm):
    id_prefix = "triage"
    impact = forms.TypedChoiceField(choices=IMPACT_CHOICES, coerce=int)
    urgency = forms.TypedChoiceField(choices=URGENCY_CHOICES, coerce=int)
    problem_statement = forms.CharField(
        label="Our understanding of the problem",
        required=False,
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Restate the problem in the customer's terms; they confirm it in the portal.",
    )

    def __init__(self, *args, ticket: Ticket, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].update(
            impact=ticket.impact, urgency=ticket.urgency, problem_statement=ticket.problem_statement
        )
        super().__init__(*args, ticket=ticket, **kwargs)
        add_priority_preview(self, f"priority-preview-{ticket.pk}")

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        changes: dict[str, Any] = {}
        if (data["impact"], data["urgency"]) != (self.ticket.impact, self.ticket.urgency):
            changes.update(impact=data["impact"], urgency=data["urgency"])
        if data["problem_statement"].strip() != self.ticket.problem_statement:
            changes["problem_statement"] = data["problem_statement"]
        return changes


def status_choices(ticket: Ticket) -> list[tuple[str, str]]:
    """The current status and the ones the ticket may move to, in lifecycle order."""
    return [
        (value, label)
        for value, label in Status.choices
        if value == ticket.status or ticket.can_move_to(value)
    ]


class DetailsForm(TicketActionForm):
    id_prefix = "details"
    status = forms.ChoiceField()
    eta = DateTimeLocalField(label="ETA (resolution expected)", required=False)
    needed_by = DateTimeLocalField(label="Needed by (customer's deadline)", required=False)

    def __init__(self, *args, ticket: Ticket, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].update(status=ticket.status, eta=ticket.eta, needed_by=ticket.needed_by)
        super().__init__(*args, ticket=ticket, **kwargs)
        self.fields["status"].choices = status_choices(ticket)

    def changes(self) -> dict[str, Any]:
        """Only what the agent changed: an untouched past ETA must not be re-validated."""
        data, ticket = self.cleaned_data, self.ticket
        changes: dict[str, Any] = {}
        for field in ("eta", "needed_by"):
            if minute(data[field]) != minute(getattr(ticket, field)):
                changes[field] = data[field]
        if data["status"] != ticket.status:
            changes["status"] = data["status"]
        return changes


class PriorityOverrideForm(TicketActionForm):
    id_prefix = "override"
    priority_override = forms.TypedChoiceField(
        label="Override priority",
        choices=[("", "No override (use the matrix)"), *sorted(PRIORITY_LABELS.items())],
        coerce=int,
        empty_value=None,
        required=False,
    )
    priority_override_reason = forms.CharField(
        label="Reason", required=False, max_length=2000, widget=forms.TextInput
    )

    def __init__(self, *args, ticket: Ticket, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].update(
            priority_override=ticket.priority_override,
            priority_override_reason=ticket.priority_override_reason,
        )
        super().__init__(*args, ticket=ticket, **kwargs)


class NewOwnerFields(PlainErrors, forms.Form):
    """The new owner and the handover note: the ticket page's handover and the dashboard's
    one-click reassign ask the same question (assign_owner checks the note is there)."""

    owner = OwnerChoiceField(queryset=staff_users(), label="New owner", empty_label=None)
    handover_note = forms.CharField(
        label="Handover note",
        required=False,
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the new owner needs to know. Required when the ticket already has an owner.",
    )


class HandoverForm(TicketActionForm, NewOwnerFields):
    id_prefix = "handover"

    def __init__(self, *args, ticket: Ticket, **kwargs):
        super().__init__(*args, ticket=ticket, **kwargs)
        if ticket.owner_id:
            self.fields["owner"].queryset = staff_users().exclude(pk=ticket.owner_id)


class CollaboratorForm(TicketActionForm):
    id_prefix = "collaborator"
    user = OwnerChoiceField(queryset=staff_users(), label="Add a collaborator", empty_label=None)


class NewTicketForm(PlainErrors, forms.Form):
    """A ticket staff raise for a customer (a phone call, a walk-in). Customer and requester
    are autocompletes (tickets.autocomplete): at a million tickets there are 2,000 customers and
    20,000 contacts; the requester's suggestions keep to the customer already chosen."""

    organization = AutocompleteField(source=CUSTOMERS, label="Customer")
    requester = AutocompleteField(
        source=CONTACTS,
        required=False,
        label="Requester (customer contact)",
        widget=AutocompleteInput(CONTACTS, {"hx-include": "[name=organization]"}),
        help_text="They receive the customer emails; leave empty if none.",
    )
    subject = forms.CharField(max_length=SUBJECT_MAX_LENGTH)
    description = forms.CharField(
        max_length=BODY_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    impact = forms.TypedChoiceField(choices=IMPACT_CHOICES, coerce=int, initial=3)
    urgency = forms.TypedChoiceField(choices=URGENCY_CHOICES, coerce=int, initial=3)
    needed_by = DateTimeLocalField(required=False, label="Needed by (customer's deadline)")
    take_ownership = forms.BooleanField(required=False, initial=True, label="I own this ticket")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        add_priority_preview(self, "priority-preview-new")
