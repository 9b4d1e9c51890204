"""Forms of the incident pages and the ticket page's incident panel. They parse; the services
decide (and their ValidationErrors land on the fields they name)."""

from django import forms

from accounts.form_messages import PlainErrors
from incidents.models import SUMMARY_MAX_LENGTH, TITLE_MAX_LENGTH, Incident, IncidentStatus
from tickets.models import BODY_MAX_LENGTH, Ticket
from tickets.web import DateTimeLocalField
from tickets.widgets import PlainModelChoiceField

CONFIRM_LABEL = "Send it as written (it names a supplier or blames a third party)"


class IncidentForm(PlainErrors, forms.Form):
    title = forms.CharField(
        max_length=TITLE_MAX_LENGTH, help_text="Staff only: customers never see it."
    )
    summary = forms.CharField(
        label="Summary for customers",
        max_length=SUMMARY_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Shown in the portal banner of affected customers. No names, no counts.",
    )


class UpdateForm(PlainErrors, forms.Form):
    body = forms.CharField(
        label="Update for every linked ticket",
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Each customer gets it on their own ticket, by email, from you.",
    )
    next_update_due = DateTimeLocalField(
        label="Next update by (your time)",
        required=False,
        help_text="Empty: each ticket's own cadence.",
    )
    confirm_vendor_mention = forms.BooleanField(label=CONFIRM_LABEL, required=False)


class NoteForm(PlainErrors, forms.Form):
    body = forms.CharField(
        label="Internal note", max_length=BODY_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
    )


class StatusForm(PlainErrors, forms.Form):
    status = forms.ChoiceField(
        choices=[(s.value, s.label) for s in IncidentStatus if s != IncidentStatus.RESOLVED]
    )


class ResolveForm(PlainErrors, forms.Form):
    resolution = forms.CharField(
        label="Resolution for every linked open ticket",
        max_length=BODY_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Each linked open ticket is resolved with this text; unlink a ticket first "
        "to keep it open.",
    )
    confirm_vendor_mention = forms.BooleanField(label=CONFIRM_LABEL, required=False)


class LinkForm(PlainErrors, forms.Form):
    ticket = forms.CharField(
        label="Ticket reference or number",
        max_length=30,
        widget=forms.TextInput(attrs={"placeholder": "SD-1042", "autocomplete": "off"}),
    )

    def clean_ticket(self) -> int:
        number = Ticket.number_from_reference(self.cleaned_data["ticket"])
        if number is None:
            raise forms.ValidationError("Type a ticket reference such as SD-1042.")
        return number


class TicketPanelLinkForm(PlainErrors, forms.Form):
    """The ticket page's small form: pick one of the open incidents."""

    incident = PlainModelChoiceField(
        label="Major incident", queryset=Incident.objects.none(), empty_label="Choose an incident"
    )

    def __init__(self, *args, incidents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["incident"].queryset = (
            incidents
            if incidents is not None
            else Incident.objects.exclude(status=IncidentStatus.RESOLVED).order_by("-created_at")
        )
