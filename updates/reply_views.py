"""The composer's saved-reply picker without JavaScript: choose a reply, press Insert, and the
page comes back with its text filled in for this ticket, and its status and next-update pick set
(nothing is sent). static/js/saved_replies.js does the same in place when `;` is typed."""

from datetime import timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from saved_replies.models import SavedReply
from saved_replies.selectors import visible_replies
from tickets.models import Ticket
from tickets.views import render_ticket_page
from tickets.web import DATETIME_INPUT_FORMAT
from updates.forms import CUSTOM_PICK, QUICK_PICK_DELTAS, PublicUpdateForm
from updates.replies import render_reply

MINUTES_PICK = {int(delta.total_seconds() // 60): key for key, delta in QUICK_PICK_DELTAS.items()}


def promise_pick(form: PublicUpdateForm, reply: SavedReply) -> tuple[str, str]:
    """The composer's pick for the reply's promise: its quick pick when one is drawn, else a
    custom time (the agent's wall clock, as the field reads it)."""
    minutes = reply.next_update_minutes
    drawn = {option.key for option in form.options}
    if minutes in MINUTES_PICK and MINUTES_PICK[minutes] in drawn:
        return MINUTES_PICK[minutes], ""
    due = timezone.localtime(timezone.now() + timedelta(minutes=minutes))
    return CUSTOM_PICK, due.strftime(DATETIME_INPUT_FORMAT)


def insert_saved_reply(request: HttpRequest, ticket: Ticket) -> HttpResponse:
    data = request.POST.copy()
    reply_id = data.get("saved_reply", "")
    reply = None
    if reply_id.isascii() and reply_id.isdigit() and len(reply_id) <= 18:
        reply = visible_replies(request.user).filter(pk=int(reply_id)).first()
    if reply is None:
        messages.error(request, "Choose a saved reply to insert.")
        form = PublicUpdateForm(data, ticket=ticket)
        return render_ticket_page(request, ticket.pk, bound={"public_update": form}, status=400)
    form = PublicUpdateForm(ticket=ticket)
    text = render_reply(reply, ticket=ticket, agent=request.user)
    typed = data.get("body", "").rstrip()
    data["body"] = f"{typed}\n\n{text}" if typed else text
    data["used_reply"] = str(reply.pk)
    if reply.status:
        data["status"] = reply.status
    if reply.next_update_minutes:
        data["promise"], data["custom_due"] = promise_pick(form, reply)
    bound = {"public_update": PublicUpdateForm(data, ticket=ticket), "tab": "public"}
    return render_ticket_page(request, ticket.pk, bound=bound)
