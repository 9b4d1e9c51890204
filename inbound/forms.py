from django import forms
from django.core.exceptions import ValidationError

from tickets.models import Ticket


class ReleaseForm(forms.Form):
    ticket = forms.CharField(
        required=False,
        max_length=30,
        label="Add to ticket",
        help_text="SD-1042, or leave empty to open a new ticket for the sender.",
    )

    def clean_ticket(self) -> Ticket | None:
        text = self.cleaned_data["ticket"].strip()
        if not text:
            return None
        number = Ticket.number_from_reference(text)
        ticket = Ticket.objects.filter(pk=number).first() if number else None
        if ticket is None:
            raise ValidationError(f"There is no ticket {text}.")
        return ticket
