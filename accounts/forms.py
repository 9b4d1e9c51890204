from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm

from accounts.form_messages import PlainErrors


class StaffAuthenticationForm(PlainErrors, AuthenticationForm):
    """The staff sign-in: email and password. Customer contacts are sent to the portal's own."""

    username = forms.EmailField(
        label="Email",
        error_messages={"required": "Enter your work email address."},
        widget=forms.EmailInput(attrs={"autofocus": True}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        error_messages={"required": "Enter your password."},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That email and password don't match a staff account. Check both and "
        "try again; a manager can reset your password if you have lost it.",
        "inactive": "This account is switched off. Ask a manager to switch it back on.",
    }

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if not user.is_helpdesk_staff:
            raise forms.ValidationError(
                "This sign-in is for helpdesk staff. Customers sign in to the portal.",
                code="not_staff",
            )


class CodeForm(PlainErrors, forms.Form):
    """The second factor: six digits from the app, or a recovery code."""

    code = forms.CharField(
        label="Code",
        max_length=32,
        error_messages={"required": "Enter the code your authenticator app shows."},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class StaffPasswordResetForm(PlainErrors, PasswordResetForm):
    """Only helpdesk staff reset their password here (contacts use the portal's)."""

    email = forms.EmailField(
        label="Work email",
        max_length=254,
        error_messages={"required": "Enter your work email address."},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def get_users(self, email):
        return (user for user in super().get_users(email) if user.is_helpdesk_staff)
