"""The staff page's form for one saved reply."""

from django import forms

from accounts.form_messages import PlainErrors
from saved_replies.models import LONGEST_PROMISE_MINUTES, TITLE_MAX_LENGTH
from saved_replies.rendering import VARIABLES
from tickets.models import BODY_MAX_LENGTH, Status

VARIABLES_HELP = "You may use " + ", ".join("{{ " + name + " }}" for name in VARIABLES) + "."


class SavedReplyForm(PlainErrors, forms.Form):
    title = forms.CharField(max_length=TITLE_MAX_LENGTH)
    body = forms.CharField(
        label="Text",
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=VARIABLES_HELP,
    )
    status = forms.ChoiceField(
        label="Status after posting it",
        required=False,
        choices=[("", "Unchanged"), *Status.choices],
    )
    next_update_minutes = forms.IntegerField(
        label="Next update promised after (minutes)",
        required=False,
        min_value=1,
        max_value=LONGEST_PROMISE_MINUTES,
        help_text="Blank: the cadence default. 120 promises the next update in 2 hours.",
    )
    shared = forms.BooleanField(label="Shared with every agent", required=False, label_suffix="")

    def __init__(self, *args, may_share: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_share:
            del self.fields["shared"]
