"""Staff pages of major incidents: the list (/incidents/), an incident's page with its composer,
linked tickets and timeline, and the ticket page's incident panel actions.

Thin views: forms parse, incidents.services decide, incidents.selectors read. Every action is a
plain form post (redirect on success; the page again with the field errors and a 400 on failure)
and, under htmx, answers with the page's `#incident-body` fragment. Customers get 404.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from incidents import page_panels, selectors, services
from incidents.forms import (
    IncidentForm,
    LinkForm,
    NoteForm,
    ResolveForm,
    StatusForm,
    TicketPanelLinkForm,
    UpdateForm,
)
from incidents.models import Incident
from tickets.models import Ticket
from tickets.views import render_ticket_page
from tickets.web import apply_service_error, hidden_staff_view
from updates.services import PublicUpdateHeldBack

# The ticket page has forms of other apps: the panel's fields get their own ids.
PANEL_PREFIX = "incident_link"
# Each form of the incident page has its own prefix, so field ids never repeat on the page.
PAGE_FORMS = {
    "update": UpdateForm,
    "note": NoteForm,
    "status": StatusForm,
    "resolve": ResolveForm,
    "link": LinkForm,
}


@hidden_staff_view
@require_http_methods(["GET", "HEAD", "POST"])
def incident_list(request: HttpRequest) -> HttpResponse:
    form = IncidentForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                incident = services.create_incident(by=request.user, **form.cleaned_data)
            except ValidationError as error:
                apply_service_error(form, error)
            else:
                messages.success(request, f"{incident.reference} opened; link its tickets.")
                return redirect("incidents:detail", pk=incident.pk)
        status = 400
    context = {"incidents": selectors.incident_list()[:200], "form": form}
    return render(request, "incidents/incident_list.html", context, status=status)


def _page_context(
    request: HttpRequest, incident: Incident, bound: dict[str, Any]
) -> dict[str, Any]:
    forms = {
        name: bound.get(name) or form_class(prefix=name) for name, form_class in PAGE_FORMS.items()
    }
    entries = selectors.timeline(incident)
    return {
        "incident": incident,
        "entries": list(reversed(entries)),
        "pending": sum(entry.progress["pending"] for entry in entries),
        "linked": list(selectors.linked_tickets(incident)),
        "forms": forms,
        "held_back": bound.get("held_back"),
        "panels": page_panels.rendered(request, incident, bound),
    }


def render_incident_page(
    request: HttpRequest, pk: int, *, bound: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    incident = get_object_or_404(Incident.objects.select_related("commander"), pk=pk)
    template = (
        "incidents/incident.html#incident-body" if request.htmx else "incidents/incident.html"
    )
    return render(request, template, _page_context(request, incident, bound or {}), status=status)


@hidden_staff_view
@require_GET
def incident_page(request: HttpRequest, pk: int) -> HttpResponse:
    return render_incident_page(request, pk)


@hidden_staff_view
@require_GET
def incident_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The fan-out progress fragment the page polls while tickets are still being updated. Once
    every ticket has the update, the poll gets the whole page body instead (the timeline's counts
    and the tickets' new promises), which stops the polling."""
    incident = get_object_or_404(Incident, pk=pk)
    pending = selectors.fan_out_pending(incident)
    if not pending and request.htmx:
        response = render_incident_page(request, pk)
        response["HX-Retarget"] = "#incident-body"
        response["HX-Reswap"] = "outerHTML"
        return response
    context = {"incident": incident, "pending": pending}
    return render(request, "incidents/incident.html#progress", context)


def _act(
    request: HttpRequest, pk: int, name: str, act: Callable[[Incident, dict], str]
) -> HttpResponse:
    incident = get_object_or_404(Incident, pk=pk)
    form = PAGE_FORMS[name](request.POST, prefix=name)
    bound: dict[str, Any] = {}
    if form.is_valid():
        try:
            success = act(incident, form.cleaned_data)
        except PublicUpdateHeldBack as held:
            form.add_error(
                "confirm_vendor_mention",
                f"{held.messages[0]} It mentions: {', '.join(held.matches)}.",
            )
            bound["held_back"] = held
        except ValidationError as error:
            apply_service_error(form, error, aliases={"body": "body", "ticket": "ticket"})
        else:
            messages.success(request, success)
            if not request.htmx:
                return redirect("incidents:detail", pk=pk)
            return render_incident_page(request, pk)
    bound[name] = form
    return render_incident_page(request, pk, bound=bound, status=400)


@hidden_staff_view
@require_POST
def post_update(request: HttpRequest, pk: int) -> HttpResponse:
    def act(incident: Incident, data: dict) -> str:
        _, count = services.post_incident_update(
            incident,
            by=request.user,
            body=data["body"],
            next_update_due=data["next_update_due"],
            confirm_vendor_mention=data["confirm_vendor_mention"],
        )
        return f"Update sent to {count} linked open ticket{'s' if count != 1 else ''}."

    return _act(request, pk, "update", act)


@hidden_staff_view
@require_POST
def add_note(request: HttpRequest, pk: int) -> HttpResponse:
    def act(incident: Incident, data: dict) -> str:
        services.add_incident_note(incident, by=request.user, body=data["body"])
        return "Note added (staff only)."

    return _act(request, pk, "note", act)


@hidden_staff_view
@require_POST
def change_status(request: HttpRequest, pk: int) -> HttpResponse:
    def act(incident: Incident, data: dict) -> str:
        services.change_incident(incident, by=request.user, status=data["status"])
        return "Status saved."

    return _act(request, pk, "status", act)


@hidden_staff_view
@require_POST
def resolve(request: HttpRequest, pk: int) -> HttpResponse:
    def act(incident: Incident, data: dict) -> str:
        services.resolve_incident(
            incident,
            by=request.user,
            resolution=data["resolution"],
            confirm_vendor_mention=data["confirm_vendor_mention"],
        )
        return "Incident resolved; its linked open tickets are being resolved."

    return _act(request, pk, "resolve", act)


@hidden_staff_view
@require_POST
def link(request: HttpRequest, pk: int) -> HttpResponse:
    def act(incident: Incident, data: dict) -> str:
        ticket = Ticket.objects.filter(pk=data["ticket"]).first()
        if ticket is None:
            raise ValidationError({"ticket": f"There is no ticket SD-{data['ticket']}."})
        services.link_ticket(incident, ticket, by=request.user)
        return f"{ticket.reference} linked."

    return _act(request, pk, "link", act)


@hidden_staff_view
@require_POST
def unlink(request: HttpRequest, pk: int, ticket_id: int) -> HttpResponse:
    incident = get_object_or_404(Incident, pk=pk)
    try:
        services.unlink_ticket(incident, ticket_id, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except incident.links.model.DoesNotExist as missing:
        raise Http404("This ticket is not linked to this incident.") from missing
    else:
        messages.success(request, f"SD-{ticket_id} unlinked; it stays as it is.")
    if request.POST.get("return_to") == "ticket":
        if request.htmx:
            return render_ticket_page(request, ticket_id)
        return redirect(reverse("ticket", args=[ticket_id]) + "#major-incident")
    if request.htmx:
        return render_incident_page(request, pk)
    return redirect("incidents:detail", pk=pk)


@hidden_staff_view
@require_POST
def link_from_ticket(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The ticket page's small form."""
    ticket = get_object_or_404(Ticket, pk=ticket_id)
    form = TicketPanelLinkForm(request.POST, prefix=PANEL_PREFIX)
    if form.is_valid():
        incident = form.cleaned_data["incident"]
        try:
            services.link_ticket(incident, ticket, by=request.user)
        except ValidationError as error:
            apply_service_error(form, error, aliases={"ticket": "incident"})
        else:
            messages.success(request, f"Linked to {incident.reference}.")
            if not request.htmx:
                return redirect(reverse("ticket", args=[ticket_id]) + "#major-incident")
            return render_ticket_page(request, ticket_id)
    return render_ticket_page(request, ticket_id, bound={"incident_link": form}, status=400)
