from django import forms
from django.contrib.auth.forms import AuthenticationForm


class StaffAuthenticationForm(AuthenticationForm):
    """The staff sign-in: email and password. Customer contacts are sent to the portal's own."""

    username = forms.EmailField(label="Email", widget=forms.EmailInput(attrs={"autofocus": True}))

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if not user.is_helpdesk_staff:
            raise forms.ValidationError(
                "This sign-in is for helpdesk staff. Customers sign in to the portal.",
                code="not_staff",
            )
