"""The customer portal's pages. Thin: reads through portal.visibility, writes through services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from portal import answers, rendering, visibility
from portal.decorators import contact_required
from portal.forms import (
    FeedbackForm,
    NewRequestForm,
    NotQuiteForm,
    ReplyForm,
    add_service_errors,
)
from portal.services import raise_request
from portal.templatetags.portal_tags import when
from tickets import services as ticket_services
from updates import feedback as feedback_services
from updates import services as update_services

PAGE_SIZE = 20
# A list pages through at most the newest 1,000 tickets of its view (50 pages); older ones are
# found by searching or by reference. Counting a large customer's whole history cost 230 ms at
# 1M tickets (33,000 tickets in "All"); the capped count stops at 1,001 rows.
LIST_CAP = 1_000
NOT_QUITE_PREFIX = "That's not quite it: "

# The newest public entries a ticket page shows; older history is one link away.
TIMELINE_PAGE_SIZE = 50


class NewestPaginator(Paginator):
    """A paginator over the newest `cap` rows of a query: it counts at most `cap + 1` rows
    (`is_capped` says whether there are more) and offers only the pages within the cap."""

    def __init__(self, object_list: QuerySet, per_page: int, *, cap: int):
        super().__init__(object_list, per_page)
        self.cap = cap

    @cached_property
    def _counted(self) -> int:
        # The slice makes it COUNT(*) over a LIMIT subquery: bounded whatever the customer's size.
        return self.object_list.order_by()[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @property
    def is_capped(self) -> bool:
        return self._counted > self.cap


def _go_to(request: HttpRequest, url: str) -> HttpResponse:
    """After a successful form post: a plain redirect, or for htmx a full-page navigation (so the
    page shows the new state and its flash message, never a page swapped into a fragment)."""
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _promise_sentence(ticket: visibility.CustomerTicket) -> str:
    if ticket.next_update_due is None:
        return ""
    return f"We'll update you by {when(ticket.next_update_due)}, your time, or sooner."


@contact_required
def ticket_list(request: HttpRequest) -> HttpResponse:
    viewer = request.user
    default_scope = (
        visibility.SCOPE_ORGANIZATION if viewer.sees_organization_tickets else visibility.SCOPE_MINE
    )
    scope = request.GET.get("scope", default_scope)
    if scope not in (visibility.SCOPE_MINE, visibility.SCOPE_ORGANIZATION):
        scope = default_scope
    if not viewer.sees_organization_tickets:
        # An ordinary contact has no switch: their own requests, whatever the URL says.
        scope = visibility.SCOPE_MINE
    state = request.GET.get("state", visibility.STATE_OPEN)
    if state not in (visibility.STATE_OPEN, visibility.STATE_CLOSED, visibility.STATE_ALL):
        state = visibility.STATE_OPEN
    search = request.GET.get("q", "")[: visibility.SEARCH_MAX_LENGTH]
    tickets = visibility.ticket_list(viewer, scope=scope, state=state, search=search)
    page = NewestPaginator(tickets, PAGE_SIZE, cap=LIST_CAP).get_page(request.GET.get("page"))
    cards = visibility.project_page(page.object_list, viewer)
    context = {
        "page": page,
        "tickets": cards,
        "cards": rendering.ticket_cards(cards, scope=scope),
        "scope": scope,
        "state": state,
        "search": search,
        "can_see_organization": viewer.sees_organization_tickets,
        "wider_problems": visibility.wider_problem_summaries(viewer),
        "contract_usage": None if request.htmx else visibility.contract_usage(viewer),
    }
    if request.htmx:
        return render(request, "portal/ticket_list.html#results", context)
    return render(request, "portal/ticket_list.html", context)


def _ticket_page(
    request: HttpRequest,
    pk: int,
    *,
    reply_form: ReplyForm | None = None,
    not_quite_form: NotQuiteForm | None = None,
    status: int = 200,
    partial: str = "",
    refresh_promise: bool = False,
    ticket: visibility.CustomerTicket | None = None,
) -> HttpResponse:
    """The ticket page, or one fragment of it for htmx (`partial`); forms passed in are bound, so
    their errors show in place with what the customer typed."""
    viewer = request.user
    ticket = ticket or visibility.customer_ticket(viewer, pk)
    show_all = request.GET.get("timeline") == "all"
    # One entry more than shown tells whether there is older history behind a link.
    timeline = visibility.public_timeline(
        viewer, pk, newest=None if show_all else TIMELINE_PAGE_SIZE + 1
    )
    truncated = len(timeline) > TIMELINE_PAGE_SIZE and not show_all
    timeline = timeline[1:] if truncated else timeline
    context = {
        "ticket": ticket,
        "timeline": timeline,
        "entries": rendering.timeline_entries(timeline),
        "timeline_truncated": truncated,
        "reply_form": reply_form or ReplyForm(),
        "not_quite_form": not_quite_form or NotQuiteForm(),
        "refresh_promise": refresh_promise,
        "wider_problems": [] if partial else visibility.wider_problem_summaries(viewer, pk),
    }
    template = f"portal/ticket.html#{partial}" if partial else "portal/ticket.html"
    return render(request, template, context, status=status)


@contact_required
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = visibility.customer_ticket(request.user, pk)
    if ticket.merged_into_id is not None:  # merged into another request: it goes on there
        return redirect("portal:ticket", pk=ticket.merged_into_id)
    return _ticket_page(request, pk, ticket=ticket)


@contact_required
@require_POST
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    """The customer writes back; a ticket waiting on them opens again with a fresh promise."""
    ticket = visibility.get_ticket(request.user, pk)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            update_services.post_customer_reply(
                ticket,
                author=request.user,
                body=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
    partial = "conversation" if request.htmx else ""
    if form.errors:
        return _ticket_page(request, pk, reply_form=form, status=400, partial=partial)
    if request.htmx:
        # The reply may have reopened the ticket: the promise above the conversation changes too.
        return _ticket_page(request, pk, partial=partial, refresh_promise=True)
    reply_sent = "Thanks, your reply is with us."
    promise = _promise_sentence(visibility.customer_ticket(request.user, pk))
    messages.success(request, f"{reply_sent} {promise}".strip())
    return redirect(reverse("portal:ticket", args=[pk]) + "#conversation")


@contact_required
@require_POST
def confirm_understanding(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = visibility.get_ticket(request.user, pk)
    try:
        ticket_services.confirm_understanding(ticket, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Thanks for confirming. We'll keep you posted.")
    return redirect("portal:ticket", pk=pk)


@contact_required
@require_POST
def not_quite(request: HttpRequest, pk: int) -> HttpResponse:
    """ "That's not quite it": the correction goes on the timeline as the customer's reply."""
    ticket = visibility.get_ticket(request.user, pk)
    form = NotQuiteForm(request.POST)
    if form.is_valid():
        try:
            update_services.post_customer_reply(
                ticket, author=request.user, body=NOT_QUITE_PREFIX + form.cleaned_data["body"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        partial = "understanding" if request.htmx else ""
        return _ticket_page(request, pk, not_quite_form=form, status=400, partial=partial)
    messages.success(
        request, "Thank you for putting us right. Your owner will restate the problem."
    )
    return _go_to(request, reverse("portal:ticket", args=[pk]))


@contact_required
@require_http_methods(["GET", "POST"])
def new_request(request: HttpRequest) -> HttpResponse:
    form = NewRequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = raise_request(
                contact=request.user,
                subject=data["subject"],
                description=data["description"],
                impact_answer=data["impact"],
                urgency_answer=data["urgency"],
                needed_by=data["needed_by"],
                people_affected=data["people_affected"],
                preferred_contact=data["preferred_contact"],
                contact_details=data["contact_details"],
                best_times=data["best_times"],
                attachments=data["attachments"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _go_to(request, reverse("portal:ticket", args=[created.pk]) + "?new=1")
    status = 400 if form.errors else 200
    context = {
        "form": form,
        "impact_hints": answers.hints(answers.IMPACT_ANSWERS),
        "urgency_hints": answers.hints(answers.URGENCY_ANSWERS),
    }
    template = "portal/new_request.html"
    if request.htmx and request.method == "POST":
        template += "#request_form"
    return render(request, template, context, status=status)


@contact_required
@require_http_methods(["GET", "POST"])
def give_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    """GET only shows the form (scores in an emailed link merely pre-fill it: mail scanners that
    follow links must record nothing); POST records the ratings."""
    viewer = request.user
    ticket = visibility.customer_ticket(viewer, pk)
    if request.method == "POST":
        form = FeedbackForm(request.POST)
        if form.is_valid() and ticket.can_give_feedback:
            try:
                feedback_services.record_feedback(
                    visibility.get_ticket(viewer, pk),
                    author=viewer,
                    kept_informed=form.cleaned_data["kept_informed"],
                    resolved=form.cleaned_data["resolved"],
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Thank you for your feedback. It helps us improve.")
                return _go_to(request, reverse("portal:ticket", args=[pk]))
    else:
        initial = {
            name: request.GET[name]
            for name in ("kept_informed", "resolved")
            if request.GET.get(name, "") in {"1", "2", "3", "4", "5"}
        }
        form = FeedbackForm(initial=initial)
    status = 400 if form.errors else 200
    if request.method == "POST" and not ticket.can_give_feedback:
        status = 409
    template = "portal/feedback.html"
    if request.htmx and request.method == "POST":
        template += "#feedback_form"
    return render(request, template, {"ticket": ticket, "form": form}, status=status)
