"""The portal's forms: what a customer fills in, checked before any service runs.

No form has an organisation, requester, visibility or ticket field: those always come from the
signed-in contact and the URL, so a tampered POST cannot point a write anywhere else.
"""

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.form_messages import PlainErrors
from accounts.models import Role
from attachments.forms import AttachmentsField
from portal import answers
from tickets import validators
from tickets.models import BODY_MAX_LENGTH, SUBJECT_MAX_LENGTH, ContactMethod
from tickets.services import PEOPLE_AFFECTED_MAX
from tickets.web import MomentField

ENTER_EMAIL = "Enter your email address."
SCORE_CHOICES = [(score, str(score)) for score in range(1, 6)]
SCORE_ERRORS = {
    "required": "Choose a score from 1 to 5.",
    "invalid_choice": "Choose a score from 1 to 5.",
}


class PortalAuthenticationForm(PlainErrors, AuthenticationForm):
    """Customers sign in with their email address; staff are pointed to their own sign-in."""

    username = forms.EmailField(
        label="Email address",
        error_messages={"required": ENTER_EMAIL},
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        error_messages={"required": "Enter your password."},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That email address and password don't match an account. "
        "Check them, or ask for a sign-in link by email.",
    }

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if not user.is_contact:
            raise forms.ValidationError(
                "This sign-in is for customers. Helpdesk staff sign in at /login/.",
                code="staff_account",
            )
        if user.organization.contacts_sign_in_by_link_only:
            raise forms.ValidationError(
                "Your organisation signs in with an emailed link, not a password. Ask for a "
                "sign-in link below.",
                code="link_only",
            )


class ContactPasswordResetForm(PlainErrors, PasswordResetForm):
    """Only customer contacts reset their password through the portal."""

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={"required": ENTER_EMAIL},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def get_users(self, email):
        # No password to reset where the organisation signs in by emailed link only.
        return (
            user
            for user in super().get_users(email)
            if user.role == Role.CONTACT and not user.organization.contacts_sign_in_by_link_only
        )


class PortalSetPasswordForm(PlainErrors, SetPasswordForm):
    """A new password after a reset link, with the mismatch said plainly."""

    error_messages = {
        **SetPasswordForm.error_messages,
        "password_mismatch": "The two passwords differ: type the same one in both boxes.",
    }


class SignInLinkForm(PlainErrors, forms.Form):
    email = forms.EmailField(
        label="Email address",
        error_messages={"required": ENTER_EMAIL},
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )


class NewRequestForm(PlainErrors, forms.Form):
    subject = forms.CharField(
        label="In a few words, what's wrong?",
        error_messages={"required": "Tell us in a few words what's wrong."},
        max_length=SUBJECT_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": "e.g. Nobody can print in the warehouse"}),
    )
    description = forms.CharField(
        label="Tell us more",
        error_messages={"required": "Tell us a little more: what happens, and since when."},
        help_text="What happens, since when, and what you have already tried. "
        "Error messages help a lot.",
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    impact = forms.ChoiceField(
        label="How much of your business is affected?",
        error_messages={"required": "Choose how much of your business is affected."},
        choices=answers.choices(answers.IMPACT_ANSWERS),
        widget=forms.RadioSelect,
    )
    urgency = forms.ChoiceField(
        label="How soon do you need it fixed?",
        error_messages={"required": "Choose how soon you need it fixed."},
        choices=answers.choices(answers.URGENCY_ANSWERS),
        widget=forms.RadioSelect,
    )
    needed_by = MomentField(
        label="Is there a deadline? (optional)",
        help_text="Your local time. For example a meeting, a month-end close or a delivery.",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    people_affected = forms.IntegerField(
        label="How many people are affected?",
        error_messages={"required": "Tell us how many people are affected (1 if it's only you)."},
        min_value=1,
        max_value=PEOPLE_AFFECTED_MAX,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    preferred_contact = forms.ChoiceField(
        label="How should we contact you?",
        error_messages={"required": "Choose how we should contact you."},
        choices=ContactMethod.choices,
        initial=ContactMethod.EMAIL,
        widget=forms.RadioSelect,
    )
    contact_details = forms.CharField(
        label="Phone number (if we should call)",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    best_times = forms.CharField(
        label="When are you best reached? (optional)",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "e.g. mornings, or after 2pm"}),
    )
    attachments = AttachmentsField(label="Screenshots or files (optional)")

    def clean_needed_by(self):
        # The intake service's own rule, asked here too so that a past deadline is reported
        # together with every other mistake, not in a second round after they are fixed.
        try:
            return validators.future_moment(
                self.cleaned_data["needed_by"], "needed_by", now=timezone.now()
            )
        except ValidationError as error:
            raise ValidationError(error.message_dict["needed_by"]) from None

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("preferred_contact") == ContactMethod.PHONE and not cleaned.get(
            "contact_details", ""
        ):
            self.add_error("contact_details", "Give the phone number we should call.")
        return cleaned


class ReplyForm(PlainErrors, forms.Form):
    body = forms.CharField(
        label="Your reply",
        error_messages={"required": "Write your reply first."},
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    attachments = AttachmentsField(label="Attach files or screenshots (optional)")


class NotQuiteForm(PlainErrors, forms.Form):
    body = forms.CharField(
        label="What did we miss?",
        error_messages={"required": "Tell us what we missed, so we can put it right."},
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class FeedbackForm(PlainErrors, forms.Form):
    kept_informed = forms.TypedChoiceField(
        label="Were you kept informed?",
        choices=SCORE_CHOICES,
        coerce=int,
        error_messages=SCORE_ERRORS,
        widget=forms.RadioSelect,
    )
    resolved = forms.TypedChoiceField(
        label="Was the problem solved?",
        choices=SCORE_CHOICES,
        coerce=int,
        error_messages=SCORE_ERRORS,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label="Anything you'd like to tell us? (optional)",
        max_length=BODY_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def add_service_errors(form: forms.Form, error) -> None:
    """Show a service's ValidationError on the form: on the field it names, else on top."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            for message in messages:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


class SignInPolicyForm(PlainErrors, forms.Form):
    link_only = forms.BooleanField(
        required=False,
        label="Sign in only with an emailed link (no passwords) for everyone in the organisation",
    )
