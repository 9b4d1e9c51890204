"""The bell's dropdown and each staff member's notification email settings
(/notifications/menu/, /account/notifications/)."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from tickets.web import staff_view
from updates import inbox, notify
from updates.models import EMAIL_OPTIONAL_KINDS

KIND_HELP = {
    "customer_reply": "A customer replies on a ticket you own or help on.",
    "handover": "Someone else makes you the owner of a ticket (with their handover note).",
    "new_ticket": "A ticket arrives with no owner while you are on triage duty (P1 and P2 at "
    "once, P3 and P4 in a digest at most every 15 minutes).",
    "mention": "A colleague names you (@ and your email address) in an internal note.",
}


def render_menu(request: HttpRequest, *, oob_bell: bool = False) -> HttpResponse:
    """The dropdown: the latest ten and the unread count (two queries, whatever the number)."""
    return render(
        request,
        "updates/bell_dropdown.html",
        {
            "notifications": inbox.latest(request.user),
            "unread": inbox.unread_count(request.user),
            "oob_bell": oob_bell,
        },
    )


@staff_view
@require_GET
def notifications_menu(request: HttpRequest) -> HttpResponse:
    return render_menu(request)


class EmailPreferencesForm(forms.Form):
    email_on = forms.MultipleChoiceField(
        label="Email me when",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email_on"].choices = [
            (str(kind), f"{kind.label}: {KIND_HELP[str(kind)]}") for kind in EMAIL_OPTIONAL_KINDS
        ]


@staff_view
def notification_preferences(request: HttpRequest) -> HttpResponse:
    """Email on or off per kind; the bell gets every notification whatever is chosen here."""
    user = request.user
    if request.method == "POST":
        form = EmailPreferencesForm(request.POST)
        if form.is_valid():
            notify.set_email_preferences(user, email_on=form.cleaned_data["email_on"])
            messages.success(request, "Saved. The bell still shows every notification.")
            return redirect("notification-preferences")
    else:
        on = [str(kind) for kind in EMAIL_OPTIONAL_KINDS if user.wants_email_for(str(kind))]
        form = EmailPreferencesForm(initial={"email_on": on})
    return render(
        request,
        "updates/notification_preferences.html",
        {"form": form, "triage_duty": user.triage_duty},
        status=400 if form.is_bound and form.errors else 200,
    )
