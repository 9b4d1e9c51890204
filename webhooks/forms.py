"""Forms of the webhook pages. They parse; webhooks.services decides (its errors land on the
fields they name)."""

from django import forms

from accounts.form_messages import PlainErrors
from accounts.models import Organization
from webhooks.events import EVENT_TYPES
from webhooks.models import Format


class SubscriptionForm(PlainErrors, forms.Form):
    url = forms.CharField(
        label="Receiver URL",
        max_length=2000,
        help_text="http or https. Internal addresses are refused unless allowed in the settings.",
    )
    events = forms.MultipleChoiceField(
        choices=[
            ("*", "All events"),
            *[(name, name) for name in EVENT_TYPES if name != "webhook.ping"],
        ],
        widget=forms.CheckboxSelectMultiple,
        help_text="What to send. Internal notes and vendor escalations only reach internal subscriptions.",
    )
    format = forms.ChoiceField(choices=Format.choices, initial=Format.JSON)
    organization = forms.ModelChoiceField(
        label="Organisation",
        queryset=Organization.objects.order_by("name"),
        required=False,
        empty_label="Every organisation",
    )
    priorities = forms.TypedMultipleChoiceField(
        choices=[(n, f"P{n}") for n in range(1, 5)],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every priority.",
    )
    internal = forms.BooleanField(
        label="Internal: include internal notes and vendor data (our own systems only)",
        required=False,
    )
