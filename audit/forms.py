from datetime import datetime

from django import forms

from audit.selectors import ACTIONS


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        required=False, choices=[("", "Any action"), *[(name, name) for name in ACTIONS]]
    )
    actor = forms.IntegerField(
        required=False, min_value=1, max_value=10**17, label="Actor (user id)"
    )
    since = forms.DateTimeField(
        required=False, label="From", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    until = forms.DateTimeField(
        required=False, label="Until", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def filters(self) -> dict[str, str | int | datetime | None]:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "action": data.get("action") or None,
            "actor": data.get("actor"),
            "since": data.get("since"),
            "until": data.get("until"),
        }
