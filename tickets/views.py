"""The staff workspace: the queue, the triage inbox and the ticket page with its actions.

Thin views: forms parse, tickets.services decide, and every page runs a fixed number of queries.
Each action works as a plain form post (redirect on success, the page again with field errors on
failure) and, under htmx, answers with the fragment it changed so the page updates in place.
The ticket page is assembled from panels that apps above tickets register (tickets.panels): the
timeline and composer come from updates, whose POST views answer with `render_ticket_page`.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from tickets import bulk, panels, selectors, services
from tickets.autocomplete import CONTACTS, CUSTOMERS, SOURCES
from tickets.bulk_forms import BulkForm
from tickets.filters import QueueControls, QueueFilter, filter_chips, search_scope
from tickets.forms import (
    CollaboratorForm,
    DetailsForm,
    HandoverForm,
    NewTicketForm,
    PriorityOverrideForm,
    TakeOwnershipForm,
    TicketActionForm,
    TriageForm,
)
from tickets.models import Status, Ticket
from tickets.priority import IMPACT_LABELS, PRIORITY_LABELS, URGENCY_LABELS, priority_for
from tickets.queue import (
    DEFAULT_VIEW,
    SAVED_VIEWS,
    SORTS,
    paginate,
    queue_rows,
    view_queryset,
)
from tickets.rendering import fast
from tickets.web import apply_service_error, staff_view

TRIAGE_LIST_LENGTH = 50

# ---- the queue ----------------------------------------------------------------------------


@staff_view
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """The staff home: a saved view, narrowed by filters and search, one keyset page at a time."""
    now = timezone.now()
    controls = QueueControls(request.GET)
    controls_valid = controls.is_valid()
    view = SAVED_VIEWS[controls.cleaned_data.get("view") or DEFAULT_VIEW]
    search = controls.cleaned_data.get("q") or ""
    # A search looks across every view unless the agent narrows it to this one (a chip).
    scope = search_scope(view, search, narrowed=controls.cleaned_data.get("scope") == "view")
    # Newest first when searching everywhere: the order ticket_fulltext can bound (tickets.queue).
    sort = SORTS[controls.cleaned_data.get("sort") or scope.default_sort]
    base = view_queryset(
        scope, request.user, now=now, status_filtered=any(request.GET.getlist("status"))
    )
    filterset = QueueFilter(request.GET or None, queryset=base)
    filters_valid = filterset.is_valid() if filterset.is_bound else True
    page = paginate(filterset.qs, sort, controls.cleaned_data.get("after") or "", search=search)

    next_url = ""
    if page.next_cursor:
        params = request.GET.copy()
        params["after"] = page.next_cursor
        next_url = f"?{params.urlencode()}"
    first_url = ""
    if not page.is_first:
        params = request.GET.copy()
        params.pop("after", None)
        first_url = f"?{params.urlencode()}"
    # FastRenderer (tickets.rendering): the filters and the bulk bar are drawn on every view.
    fast(controls)
    fast(filterset.form)
    context = {
        "now": now,
        "filterset": filterset,
        "controls": controls,
        "view": view,
        "views": SAVED_VIEWS.values(),
        "sort": sort,
        "page": page,
        "rows": queue_rows(page.tickets, now),
        "next_url": next_url,
        "first_url": first_url or "?",
        "searching": bool(search.strip()),
        "search_everywhere": scope is not view,
        "chips": filter_chips(request.GET, filterset, view, scope),
        "bulk_form": fast(BulkForm()),
    }
    template = "tickets/queue.html"
    if request.htmx and request.htmx.target == "queue-results":
        template += "#results"
    elif request.htmx and request.htmx.target == "queue":
        template += "#queue"
    status = 200 if controls_valid and filters_valid else 400
    return render(request, template, context, status=status)


@staff_view
@require_POST
def queue_bulk(request: HttpRequest) -> HttpResponse:
    """The queue's bulk form (tickets.bulk): all the selected tickets change, or none does."""
    form = BulkForm(request.POST)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}) or not back.startswith("/"):
        back = reverse("home")
    if form.is_valid():
        try:
            updated = bulk.run(
                action=form.cleaned_data["action"],
                tickets=form.cleaned_data["tickets"],
                params=form.params(),
                by=request.user,
            )
        except bulk.BulkRefused as refused:
            form.add_error(
                refused.field if refused.field in form.fields else None, refused.message_text
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, f"{updated} ticket{'s' if updated != 1 else ''} changed.")
            return redirect(back)
    context = {"form": form, "back": back}
    return render(request, "tickets/queue_bulk.html", context, status=400)


@staff_view
@require_GET
def autocomplete(request: HttpRequest, source: str) -> HttpResponse:
    """A few suggestions for an autocomplete field (tickets.autocomplete) as the agent types:
    `?q=` the text so far; contacts may be narrowed to `?organization=` (an id or a name)."""
    picker = SOURCES.get(source)
    if picker is None:
        raise Http404("No such autocomplete source.")
    text = request.GET.get("q", "")[:200]
    rows = None
    organization = request.GET.get("organization", "")[:200]
    if picker is CONTACTS and organization.strip():
        try:
            rows = CONTACTS.rows().filter(organization=CUSTOMERS.resolve(organization))
        except ValidationError:
            rows = None  # an unfinished customer name: suggest from every customer
    suggestions, more = picker.suggestions(text, rows=rows)
    context = {"suggestions": suggestions, "more": more, "text": " ".join(text.split())}
    context["noun"] = picker.noun
    return render(request, "tickets/_autocomplete_options.html", context)


# ---- the ticket page --------------------------------------------------------------------


# The side forms are drawn only when asked for: each sits closed in a <details> that fetches
# it when opened (htmx, `?form=<name>`), or opens it on a full page without JavaScript. Drawing
# all of them on every view was most of the page's time (two of them list every staff member).
# name -> (context key, form class)
SIDE_FORMS: dict[str, tuple[str, type[TicketActionForm]]] = {
    "triage": ("triage_form", TriageForm),
    "details": ("details_form", DetailsForm),
    "handover": ("handover_form", HandoverForm),
    "collaborator": ("collaborator_form", CollaboratorForm),
    "override": ("override_form", PriorityOverrideForm),
}


def side_forms(
    ticket: Ticket, bound: dict[str, Any], open_forms: set[str]
) -> dict[str, TicketActionForm | None]:
    """The side forms to draw now: the ones a POST bound (shown again with the user's input and
    errors) and the ones asked to be open; None for the rest, which the page loads on demand.
    A priority override in force keeps its form open, as it always did."""
    if ticket.priority_override:
        open_forms = open_forms | {"override"}
    forms = {}
    for name, (key, form_class) in SIDE_FORMS.items():
        form = bound.get(name)
        if form is None and name in open_forms:
            form = form_class(ticket=ticket)
        forms[key] = fast(form) if form is not None else None
    return forms


def ticket_page_context(
    request: HttpRequest,
    ticket: Ticket,
    bound: dict[str, Any] | None = None,
    open_forms: set[str] | frozenset[str] = frozenset(),
) -> dict[str, Any]:
    bound = bound or {}
    all_panels = panels.panels_for(request, ticket, bound)
    return {
        "ticket": ticket,
        "now": timezone.now(),
        "customer_timezone": ticket.organization.timezone,
        "own_form": fast(bound.get("own") or TakeOwnershipForm(ticket=ticket)),
        **side_forms(ticket, bound, set(open_forms)),
        "main_panels": [panel for panel in all_panels if panel.column == "main"],
        "side_panels": [panel for panel in all_panels if panel.column == "side"],
        "impact_label": IMPACT_LABELS[ticket.impact],
        "urgency_label": URGENCY_LABELS[ticket.urgency],
    }


def render_ticket_page(
    request: HttpRequest,
    ticket_id: int,
    *,
    bound: dict[str, Any] | None = None,
    status: int = 200,
    open_forms: set[str] | frozenset[str] = frozenset(),
) -> HttpResponse:
    """The ticket page, or under htmx only its `#ticket-body` (what every ticket action swaps).

    Reloads the ticket so what is shown is what was saved, whatever the action did. `open_forms`
    names side forms (SIDE_FORMS) to draw open and fresh, besides the bound ones."""
    ticket = selectors.ticket_for_page(ticket_id)
    if ticket.merged_into_id is not None and request.method == "GET":
        # A merged ticket lives on in its survivor (updates.merging): go there.
        messages.info(request, f"{ticket.reference} was merged into SD-{ticket.merged_into_id}.")
        return redirect("ticket", pk=ticket.merged_into_id)
    template = "tickets/ticket.html#ticket-body" if request.htmx else "tickets/ticket.html"
    context = ticket_page_context(request, ticket, bound, open_forms)
    return render(request, template, context, status=status)


def render_side_form(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """One side form, fresh, as the fragment its <details> asks for when opened (htmx)."""
    ticket = _ticket_or_404(pk)
    if ticket.status == Status.CLOSED:
        return HttpResponseBadRequest(f"{ticket.reference} is closed: there is nothing to change.")
    key, form_class = SIDE_FORMS[name]
    context = {"ticket": ticket, key: fast(form_class(ticket=ticket))}
    response = render(request, f"tickets/ticket.html#form-{name}", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def render_panel_form(
    request: HttpRequest, pk: int, panel: panels.TicketPanel, name: str
) -> HttpResponse:
    """A panel's on-demand form (tickets.panels rule 5), fresh, as the fragment its loader asks
    for: the panel's `form-<name>` partial drawn with the panel's own context."""
    ticket = selectors.ticket_for_page(pk)
    context = {"ticket": ticket, "now": timezone.now(), **panel.context(request, ticket, {})}
    response = render(request, f"{panel.template}#form-{name}", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@staff_view
@require_GET
def ticket_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The ticket page. `?form=<side form>` opens that form: under htmx only the form (what its
    <details> fetches when opened), without JavaScript the whole page with the form open."""
    name = request.GET.get("form", "")
    panel = panels.panel_with_form(name) if name else None
    if name and name not in SIDE_FORMS and panel is None:
        known = [*SIDE_FORMS, *(form for p in panels.registered() for form in p.forms)]
        return HttpResponseBadRequest(f"Unknown form {name!r}: use one of {', '.join(known)}.")
    if name and request.htmx:
        if panel is not None:
            return render_panel_form(request, pk, panel, name)
        return render_side_form(request, pk, name)
    response = render_ticket_page(
        request, pk, open_forms={name} if name in SIDE_FORMS else frozenset()
    )
    patch_vary_headers(response, ("HX-Request",))
    return response


def _ticket_or_404(pk: int) -> Ticket:
    return get_object_or_404(Ticket.objects.select_related("organization", "owner"), pk=pk)


def _action_response(
    request: HttpRequest,
    ticket: Ticket,
    *,
    name: str,
    form: TicketActionForm,
    error: ValidationError | None = None,
    success: str = "",
) -> HttpResponse:
    """Answer a ticket action: on success a message and the refreshed page (or a redirect without
    htmx); on failure the same form again with its errors and the user's input, 400, or 409 when
    someone else changed the ticket first."""
    status = 200
    if error is not None:
        status = 409 if apply_service_error(form, error) else 400
    elif form.errors:
        status = 400
    if status == 409:
        form.ticket = Ticket.objects.get(pk=ticket.pk)
        form.refresh_version()
        messages.error(
            request,
            "Not saved: someone else changed this ticket while you were editing. "
            "The page now shows their change; check it and submit again if yours still applies.",
        )
    elif status == 200 and success:
        messages.success(request, success)
    from_triage = request.POST.get("return_to") == "triage"
    if from_triage:
        if request.htmx:
            return render_triage_card(request, ticket.pk, bound={name: form}, status=status)
        if status == 200:
            return redirect("triage")
        return render_triage_page(request, bound={(name, ticket.pk): form}, status=status)
    if status == 200 and not request.htmx:
        return redirect("ticket", pk=ticket.pk)
    if status == 200 and name in SIDE_FORMS:
        # Saved: the form stays open where the agent was, drawn afresh from the saved ticket
        # (the bound one carries the old version, so a second change would be refused).
        return render_ticket_page(request, ticket.pk, open_forms={name})
    return render_ticket_page(request, ticket.pk, bound={name: form}, status=status)


def _set_owner(
    request: HttpRequest, pk: int, *, form_class: type[TicketActionForm], name: str
) -> HttpResponse:
    """Take ownership (the new owner is the signed-in agent) or hand over / assign (the form names
    the new owner and carries the handover note): one path through update_ticket, with the
    optimistic check."""
    ticket = _ticket_or_404(pk)
    form = form_class(request.POST, ticket=ticket)
    error = None
    success = ""
    if form.is_valid():
        data = form.cleaned_data
        new_owner = data.get("owner") or request.user
        changes: dict[str, Any] = {"owner": new_owner}
        if "handover_note" in data:
            changes["handover_note"] = data["handover_note"]
            success = f"{ticket.reference} is now owned by {new_owner.display_name}."
        else:
            success = f"You own {ticket.reference} now."
        was_new = ticket.status == Status.NEW
        try:
            ticket = services.update_ticket(
                ticket,
                by=request.user,
                changes=changes,
                expected_updated_at=data["expected_updated_at"],
            )
        except ValidationError as exc:
            error = exc
        else:
            success = triage_progress(ticket, success, was_new=was_new)
    return _action_response(request, ticket, name=name, form=form, error=error, success=success)


@staff_view
@require_POST
def take_ownership(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_owner(request, pk, form_class=TakeOwnershipForm, name="own")


@staff_view
@require_POST
def handover(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_owner(request, pk, form_class=HandoverForm, name="handover")


def _edit(request: HttpRequest, pk: int, form_class, name: str, success: str) -> HttpResponse:
    """The forms that send their changes through update_ticket with the optimistic check."""
    ticket = _ticket_or_404(pk)
    form = form_class(request.POST, ticket=ticket)
    error = None
    if form.is_valid():
        changes = form.changes()
        if not changes:
            success = "Nothing changed."
        was_new = ticket.status == Status.NEW
        try:
            ticket = services.update_ticket(
                ticket,
                by=request.user,
                changes=changes,
                expected_updated_at=form.cleaned_data["expected_updated_at"],
            )
        except ValidationError as exc:
            error = exc
        else:
            success = triage_progress(ticket, success, was_new=was_new)
    return _action_response(request, ticket, name=name, form=form, error=error, success=success)


STILL_TO_TRIAGE = {
    "owner": "take ownership (or assign an owner)",
    "problem_statement": "write our understanding of the problem",
}


def triage_progress(ticket: Ticket, done: str, *, was_new: bool) -> str:
    """The message after a step on a new ticket says where triage stands: what is still missing,
    or that this step finished it."""
    if not was_new:
        return done
    missing = ticket.still_to_triage
    if not missing:
        return f"{done} {ticket.reference} is triaged and open."
    steps = " and ".join(STILL_TO_TRIAGE[item] for item in missing)
    return f"{done} Still to triage: {steps}."


@staff_view
@require_POST
def triage_ticket(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, pk, TriageForm, "triage", "Triage saved.")


@staff_view
@require_POST
def edit_details(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, pk, DetailsForm, "details", "Ticket updated.")


@staff_view
@require_POST
def override_priority(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _ticket_or_404(pk)
    form = PriorityOverrideForm(request.POST, ticket=ticket)
    error = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.update_ticket(
                ticket,
                by=request.user,
                changes={
                    "priority_override": data["priority_override"],
                    "priority_override_reason": data["priority_override_reason"],
                },
                expected_updated_at=data["expected_updated_at"],
            )
        except ValidationError as exc:
            error = exc
    return _action_response(
        request, ticket, name="override", form=form, error=error, success="Priority saved."
    )


@staff_view
@require_POST
def add_collaborator(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _ticket_or_404(pk)
    form = CollaboratorForm(request.POST, ticket=ticket)
    error = None
    if form.is_valid():
        try:
            services.add_collaborator(ticket, user=form.cleaned_data["user"], by=request.user)
        except ValidationError as exc:
            error = exc
    user = form.cleaned_data.get("user") if form.is_valid() else None
    return _action_response(
        request,
        ticket,
        name="collaborator",
        form=form,
        error=error,
        success=f"{user.display_name if user else 'They'} can now help on {ticket.reference}.",
    )


@staff_view
@require_POST
def remove_collaborator(request: HttpRequest, pk: int, user_id: int) -> HttpResponse:
    ticket = _ticket_or_404(pk)
    user = get_object_or_404(User, pk=user_id)
    services.remove_collaborator(ticket, user=user, by=request.user)
    return _action_response(
        request,
        ticket,
        name="collaborator",
        form=CollaboratorForm(ticket=ticket),
        success=f"{user.display_name} is no longer a collaborator.",
    )


@staff_view
@require_GET
def priority_preview(request: HttpRequest) -> HttpResponse:
    """What impact x urgency gives, before saving (the triage pickers ask this on change)."""
    try:
        priority = priority_for(int(request.GET["impact"]), int(request.GET["urgency"]))
    except (KeyError, ValueError):
        return HttpResponseBadRequest("Give impact and urgency, each 1-4.")
    return render(
        request,
        "tickets/ticket.html#priority-preview",
        {"priority": priority, "label": PRIORITY_LABELS[priority]},
    )


# ---- triage inbox -----------------------------------------------------------------------


def _triage_card(ticket: Ticket, bound: dict[Any, Any]) -> dict[str, Any]:
    return {
        "ticket": ticket,
        "own_form": bound.get(("own", ticket.pk)) or TakeOwnershipForm(ticket=ticket),
        "triage_form": bound.get(("triage", ticket.pk)) or TriageForm(ticket=ticket),
    }


def render_triage_page(
    request: HttpRequest, *, bound: dict[Any, Any] | None = None, status: int = 200
) -> HttpResponse:
    bound = bound or {}
    tickets = list(selectors.triage_inbox()[: TRIAGE_LIST_LENGTH + 1])
    context = {
        "now": timezone.now(),
        "cards": [_triage_card(ticket, bound) for ticket in tickets[:TRIAGE_LIST_LENGTH]],
        "more": len(tickets) > TRIAGE_LIST_LENGTH,
    }
    return render(request, "tickets/triage.html", context, status=status)


def render_triage_card(
    request: HttpRequest, ticket_id: int, *, bound: dict[str, Any], status: int = 200
) -> HttpResponse:
    ticket = selectors.ticket_for_page(ticket_id)
    card = _triage_card(ticket, {(name, ticket.pk): form for name, form in bound.items()})
    return render(
        request,
        "tickets/triage.html#card",
        {"card": card, "now": timezone.now(), "triaged": ticket.status != "new"},
        status=status,
    )


@staff_view
@require_GET
def triage(request: HttpRequest) -> HttpResponse:
    """New tickets: take ownership in one click, set impact and urgency, restate the problem."""
    return render_triage_page(request)


# ---- raising a ticket for a customer -----------------------------------------------------


@staff_view
def new_ticket(request: HttpRequest) -> HttpResponse:
    form = NewTicketForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                ticket = services.create_ticket(
                    organization=data["organization"],
                    requester=data["requester"],
                    subject=data["subject"],
                    description=data["description"],
                    impact=data["impact"],
                    urgency=data["urgency"],
                    needed_by=data["needed_by"],
                    owner=request.user if data["take_ownership"] else None,
                    created_by=request.user,
                )
            except ValidationError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, f"{ticket.reference} created.")
                return redirect("ticket", pk=ticket.pk)
    return render(request, "tickets/new_ticket.html", {"form": form}, status=status)
