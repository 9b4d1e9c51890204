"""Staff views of the updates app: the ticket page composer and the notifications inbox.

The composer's forms sit in the timeline panel of the ticket page (updates.panels, registered on
tickets.panels); they post here because the rules they call live in updates.services. Each view
answers like every other ticket action: under htmx the refreshed `#ticket-body`, without
JavaScript a redirect (success) or the page with the form's errors and the user's text.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import date as date_filter
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap, retarget

from billing.services import log_time
from tickets import selectors
from tickets.models import Ticket
from tickets.templatetags.ticket_tags import countdown
from tickets.views import render_ticket_page
from tickets.web import apply_service_error, staff_view
from updates import inbox, services
from updates.forms import InternalNoteForm, PublicUpdateForm
from updates.notification_views import render_menu
from updates.panels import timeline_panel_context
from updates.previews import public_update_preview
from updates.replies import post_composed_update
from updates.reply_views import insert_saved_reply


def _ticket(pk: int) -> Ticket:
    return get_object_or_404(
        Ticket.objects.select_related(
            "organization", "organization__support_plan", "owner", "requester"
        ).prefetch_related("organization__support_plan__cadence_rules"),
        pk=pk,
    )


def _show_held_back(form: PublicUpdateForm, held: services.PublicUpdateHeldBack | None) -> None:
    """Put the guard's warning on the composer: what it objects to and a suggested rewording."""
    if held is not None:
        form.held_back = held.matches
        form.suggestion = held.suggestion


def _preview(form: PublicUpdateForm, request: HttpRequest):
    """The email the update would send, and on the form the warning Send would give."""
    data = form.cleaned_data
    _show_held_back(form, services.held_back(form.ticket, data["body"]))
    return public_update_preview(
        form.ticket,
        author=request.user,
        body=data["body"],
        status=form.status_after(),
        next_update_due=data["next_update_due"],
        eta=data["eta"],
    )


def _composer_again(
    request: HttpRequest, pk: int, bound: dict[str, Any], status: int = 400
) -> HttpResponse:
    """The composer again with its field errors and everything the agent typed. Under htmx only
    the composer is swapped, so what they typed elsewhere on the page stays; without JavaScript
    it is the whole page."""
    if not request.htmx:
        return render_ticket_page(request, pk, bound=bound, status=status)
    ticket = selectors.ticket_for_page(pk)
    context = {"ticket": ticket, **timeline_panel_context(request, ticket, bound)}
    response = render(request, "updates/panels/timeline.html#composer", context, status=status)
    return reswap(retarget(response, "#composer"), "outerHTML")


def _log_time_spent(request: HttpRequest, ticket: Ticket, form: Any) -> str:
    """The composer's "time spent", logged once the update is written; a refusal (a closed
    month) does not undo the update, it is said in the message instead."""
    arguments = form.time_spent_arguments()
    if arguments is None:
        return ""
    try:
        entry = log_time(ticket=ticket, agent=request.user, **arguments)
    except ValidationError as error:
        return f" Time not logged: {' '.join(error.messages)}"
    return f" {entry.minutes} min logged."


def _stale(request: HttpRequest, pk: int, bound: dict[str, Any]) -> HttpResponse:
    """Someone else changed the ticket since the composer was drawn: nothing is sent; the page
    (their change included) comes back with the agent's text kept, ready to send again."""
    form = bound.get("public_update")
    if form is not None:
        form.refresh_version(Ticket.objects.get(pk=pk))
    messages.error(
        request,
        "Not sent: someone else changed this ticket while you were writing. The page now shows "
        "their change; your text is kept, so check the status and ETA and send again.",
    )
    return render_ticket_page(request, pk, bound=bound, status=409)


# A past promise is refused by the service as next_update_due: the agent typed it as custom_due.
SERVICE_FIELD_ALIASES = {"next_update_due": "custom_due"}


@staff_view
@require_POST
def public_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Post (or, with action=preview, only preview) a public update and its next promise."""
    ticket = _ticket(pk)
    if request.POST.get("action") == "insert_reply":
        return insert_saved_reply(request, ticket)
    form = PublicUpdateForm(request.POST, request.FILES, ticket=ticket)
    bound = {"public_update": form, "tab": "public"}
    if not form.is_valid():
        return _composer_again(request, pk, bound)
    if request.POST.get("action") == "preview":
        bound["preview"] = _preview(form, request)
        return render_ticket_page(request, pk, bound=bound)
    if request.POST.get("action") == "use_suggestion":
        # The held-back warning's "Use the suggested wording": the composer again, its text
        # replaced by the suggestion for the author to read and edit; nothing is sent.
        data = request.POST.copy()
        data["body"] = request.POST.get("suggested_body", "")[: form.fields["body"].max_length]
        bound["public_update"] = PublicUpdateForm(data, ticket=ticket)
        return render_ticket_page(request, pk, bound=bound)
    try:
        entry = post_composed_update(
            ticket,
            author=request.user,
            used_reply=form.cleaned_data["used_reply"],
            **form.service_arguments(),
        )
    except services.PublicUpdateHeldBack as held:
        # The warning is the message (with the suggestion and the confirmation box): no field
        # error repeats it.
        _show_held_back(form, held)
        return _composer_again(request, pk, bound)
    except ValidationError as error:
        if apply_service_error(form, error, SERVICE_FIELD_ALIASES):
            return _stale(request, pk, bound)
        return _composer_again(request, pk, bound)
    if entry.next_update_due:
        promise = (
            f" Next update promised by {date_filter(entry.next_update_due, 'D H:i')}"
            f" ({countdown(entry.next_update_due)})."
        )
    else:
        promise = " Nothing more is owed until the customer replies or the ticket reopens."
    logged = _log_time_spent(request, ticket, form)
    messages.success(request, f"Update sent to the customer.{promise}{logged}")
    if request.htmx:
        return render_ticket_page(request, pk)
    return redirect("ticket", pk=pk)


@staff_view
@require_POST
def preview_public_update(request: HttpRequest, pk: int) -> HttpResponse:
    """The preview alone, for htmx to drop under the composer without touching what was typed;
    the guard's warning travels with it into its own place in the composer (out of band), as
    Send would show it."""
    ticket = _ticket(pk)
    form = PublicUpdateForm(request.POST, ticket=ticket)
    preview = _preview(form, request) if form.is_valid() else None
    return render(
        request,
        "updates/panels/timeline.html#preview",
        {"preview": preview, "public_form": form, "ticket": ticket, "preview_asked": True},
        status=200 if preview else 400,
    )


@staff_view
@require_POST
def internal_note(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _ticket(pk)
    form = InternalNoteForm(request.POST, request.FILES)
    bound = {"internal_note": form, "tab": "note"}
    if not form.is_valid():
        return _composer_again(request, pk, bound)
    try:
        services.add_internal_note(
            ticket,
            author=request.user,
            body=form.cleaned_data["body"],
            attachments=form.cleaned_data["attachments"],
        )
    except ValidationError as error:
        apply_service_error(form, error)
        return _composer_again(request, pk, bound)
    logged = _log_time_spent(request, ticket, form)
    messages.success(request, f"Internal note added. The customer does not see it.{logged}")
    if request.htmx:
        return render_ticket_page(request, pk)
    return redirect("ticket", pk=pk)


# ---- notifications ------------------------------------------------------------------------


@staff_view
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    before = request.GET.get("before", "")
    before_id = int(before) if before.isascii() and before.isdigit() and len(before) <= 18 else None
    rows = list(inbox.inbox(request.user, before_id=before_id)[: inbox.INBOX_PAGE_SIZE + 1])
    has_more = len(rows) > inbox.INBOX_PAGE_SIZE
    rows = rows[: inbox.INBOX_PAGE_SIZE]
    return render(
        request,
        "updates/notifications.html",
        {
            "notifications": rows,
            "next_url": f"?before={rows[-1].pk}" if has_more else "",
            "first_page": before_id is None,
            "now": timezone.now(),
        },
    )


@staff_view
@require_POST
def mark_notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = inbox.mark_read(request.user, pk)
    if notification is None:
        raise Http404("No such notification.")
    if request.POST.get("open"):
        if notification.ticket_id is None:  # about a major incident: its own page
            return redirect(notification.link or "notifications")
        return redirect("ticket", pk=notification.ticket_id)
    if request.htmx:
        return render(
            request,
            "updates/notifications.html#row",
            {"notification": notification, "now": timezone.now(), "oob_bell": True},
        )
    return redirect("notifications")


@staff_view
@require_POST
def mark_all_notifications_read(request: HttpRequest) -> HttpResponse:
    count = inbox.mark_all_read(request.user)
    if request.htmx and request.POST.get("from") == "menu":
        return render_menu(request, oob_bell=True)  # the bell's dropdown, and the bell
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} read.")
    return redirect("notifications")


@staff_view
@require_GET
def bell(request: HttpRequest) -> HttpResponse:
    """The bell alone: htmx polls it so the unread count stays current on long-open pages."""
    return render(
        request, "updates/bell.html", {"show": True, "unread": inbox.unread_count(request.user)}
    )
