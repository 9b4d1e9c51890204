"""Staff pages of the vendors app: the vendor list with scorecards, a vendor's page, the vendor
forms, CSV exports, an escalation's page, and the actions of the ticket page's escalation panel.

Thin views: forms parse, vendors.services decide, vendors.selectors read. Every action works as a
plain form post (redirect on success, the page again with field errors and a 400 on failure) and,
under htmx, answers with what it changed: the ticket page's `#ticket-body` (tickets.views
.render_ticket_page) for the panel, the `#escalation-body` partial on the escalation page.
Customers get 404 for all of it: to them vendors do not exist (DESIGN rule 7).
"""

import csv
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from incidents.models import Incident
from incidents.views import render_incident_page
from tickets.models import Ticket
from tickets.views import render_ticket_page
from tickets.web import apply_service_error, hidden_staff_view
from vendors import selectors, services
from vendors.forms import (
    DEFAULT_PERIOD,
    PERIODS,
    ChaseForm,
    EscalationNoteForm,
    EscalationStatusForm,
    OpenEscalationForm,
    RootCauseForm,
    ScorecardPeriodForm,
    VendorForm,
)
from vendors.models import Vendor, VendorEscalation
from vendors.panels import INCIDENT_FORM, escalation_rows
from vendors.selectors import SCORECARD_COLUMNS, Column, Scorecard
from vendors.templatetags.vendor_tags import figure

ESCALATIONS_PAGE_SIZE = 50
RETURN_TO_ESCALATION = "escalation"


# --- the vendor list and scorecards -------------------------------------------------------------


def period_form(request: HttpRequest) -> ScorecardPeriodForm:
    """The period and sort of the URL; no period in the URL means the default one, shown as
    chosen so the page says which period its figures cover."""
    data = request.GET.copy()
    if not data.get("period"):
        data["period"] = DEFAULT_PERIOD
    return ScorecardPeriodForm(data)


def _period_context(form: ScorecardPeriodForm) -> dict[str, Any]:
    since, until = form.window()
    return {
        "period_form": form,
        "period": form.chosen_period(),
        "periods": [(key, label) for key, (label, _) in PERIODS.items()],
        "since": since,
        "until": until,
        "period_query": _query(form, keep=("period", "since", "until")),
    }


def _query(form: ScorecardPeriodForm, *, keep: tuple[str, ...], **extra: str) -> str:
    params = form.data.copy() if form.is_bound else {}
    if hasattr(params, "lists"):
        params = {key: values[-1] for key, values in params.lists()}
    params = {key: value for key, value in params.items() if key in keep and value}
    params.update({key: value for key, value in extra.items() if value})
    return urlencode(params)


@hidden_staff_view
@require_GET
def vendor_list(request: HttpRequest) -> HttpResponse:
    """Every vendor with its scorecard over the chosen period, sortable by any figure."""
    form = period_form(request)
    context = _period_context(form)
    sort, descending = form.ordering()
    cards = selectors.sort_scorecards(
        selectors.vendor_scorecards(since=context["since"], until=context["until"]),
        sort,
        descending=descending,
    )
    headers = []
    for column in [Column("name", "Vendor", False), *SCORECARD_COLUMNS]:
        key = column.key
        current = key == sort
        next_dir = (
            ("asc" if descending else "desc") if current else ("asc" if key == "name" else "desc")
        )
        headers.append(
            {
                "key": key,
                "label": column.label,
                "heading": column.heading,
                "group": column.group,
                "current": current,
                "aria_sort": ("descending" if descending else "ascending") if current else "none",
                "query": _query(form, keep=("period", "since", "until"), sort=key, dir=next_dir),
            }
        )
    context.update(
        {
            "rows": [_figures(card) for card in cards],
            "headers": headers,
            "header_groups": _header_groups(headers),
            "sort": sort,
            "descending": descending,
            "csv_query": context["period_query"],
        }
    )
    template = "vendors/vendor_list.html"
    if request.htmx and request.htmx.target == "vendor-results":
        template += "#results"
    return render(request, template, context, status=200 if form.is_valid() else 400)


def _header_groups(headers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The scorecard table's top header row: a group's heading over its figures (colspan), a
    figure on its own spanning both rows (13 columns would not fit otherwise)."""
    groups: list[dict[str, Any]] = []
    for header in headers:
        if header["group"] and groups and groups[-1]["label"] == header["group"]:
            groups[-1]["span"] += 1
        else:
            groups.append({"label": header["group"], "span": 1, "header": header})
    return groups


def _figures(card: Scorecard) -> dict[str, Any]:
    figures = card.figures()
    return {
        "vendor": card.vendor,
        "figure_cells": [figure(figures[column.key], column.key) for column in SCORECARD_COLUMNS],
        "card": card,
    }


@hidden_staff_view
@require_GET
def vendor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    vendor = get_object_or_404(Vendor, pk=pk)
    form = period_form(request)
    context = _period_context(form)
    (card,) = selectors.vendor_scorecards(
        since=context["since"], until=context["until"], vendors=[vendor]
    )
    escalations = selectors.vendor_escalations(
        vendor, since=context["since"], until=context["until"]
    )
    page = Paginator(escalations, ESCALATIONS_PAGE_SIZE).get_page(request.GET.get("page"))
    figures = card.figures()
    context.update(
        {
            "vendor": vendor,
            "card": card,
            "figures": [(column, figures[column.key]) for column in SCORECARD_COLUMNS],
            "page": page,
            "now": timezone.now(),
        }
    )
    return render(
        request, "vendors/vendor_detail.html", context, status=200 if form.is_valid() else 400
    )


def _csv_cell(value: Any) -> Any:
    """Spreadsheets run cells that start like a formula; a vendor name must never do that."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def _iso(moment: datetime | None) -> str:
    return timezone.localtime(moment).isoformat() if moment else ""


def _scorecard_csv(cards: list[Scorecard], since, until, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(["vendor", "since", "until", *(column.key for column in SCORECARD_COLUMNS)])
    for card in cards:
        figures = card.figures()
        writer.writerow(
            [
                _csv_cell(card.vendor.name),
                _iso(since),
                _iso(until),
                *(_csv_cell(figures[column.key]) for column in SCORECARD_COLUMNS),
            ]
        )
    return response


@hidden_staff_view
@require_GET
def scorecards_csv(request: HttpRequest) -> HttpResponse:
    form = period_form(request)
    if not form.is_valid():
        return _invalid_period(form)
    since, until = form.window()
    sort, descending = form.ordering(default="name")
    cards = selectors.sort_scorecards(
        selectors.vendor_scorecards(since=since, until=until), sort, descending=descending
    )
    return _scorecard_csv(cards, since, until, "vendor-scorecards.csv")


@hidden_staff_view
@require_GET
def scorecard_csv(request: HttpRequest, pk: int) -> HttpResponse:
    vendor = get_object_or_404(Vendor, pk=pk)
    form = period_form(request)
    if not form.is_valid():
        return _invalid_period(form)
    since, until = form.window()
    cards = selectors.vendor_scorecards(since=since, until=until, vendors=[vendor])
    return _scorecard_csv(cards, since, until, f"vendor-{vendor.pk}-scorecard.csv")


def _invalid_period(form: ScorecardPeriodForm) -> HttpResponse:
    lines = [f"{field}: {' '.join(errors)}" for field, errors in form.errors.items()]
    return HttpResponse("\n".join(lines), status=400, content_type="text/plain; charset=utf-8")


# --- vendor forms -------------------------------------------------------------------------------


def _vendor_form_page(request: HttpRequest, vendor: Vendor | None) -> HttpResponse:
    form = VendorForm(request.POST or None, instance=vendor)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                if vendor is None:
                    fields = form.service_fields()
                    saved = services.create_vendor(name=fields.pop("name"), **fields)
                else:
                    saved = services.update_vendor(vendor, changes=form.service_fields())
            except ValidationError as error:
                apply_service_error(form, error)
            else:
                messages.success(request, f"{saved.name} saved.")
                return redirect("vendors:detail", pk=saved.pk)
    return render(
        request, "vendors/vendor_form.html", {"form": form, "vendor": vendor}, status=status
    )


@hidden_staff_view
@require_http_methods(["GET", "POST"])
def vendor_new(request: HttpRequest) -> HttpResponse:
    return _vendor_form_page(request, None)


@hidden_staff_view
@require_http_methods(["GET", "POST"])
def vendor_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _vendor_form_page(request, get_object_or_404(Vendor, pk=pk))


# --- the escalation page ------------------------------------------------------------------------


def _escalation(pk: int) -> VendorEscalation:
    return get_object_or_404(
        selectors.escalations_with_notes().select_related(
            "ticket", "ticket__organization", "incident"
        ),
        pk=pk,
    )


def render_escalation_page(
    request: HttpRequest, pk: int, *, bound: dict[Any, Any] | None = None, status: int = 200
) -> HttpResponse:
    escalation = _escalation(pk)
    (row,) = escalation_rows([escalation], bound or {})
    context = {"row": row, "escalation": escalation, "ticket": escalation.ticket}
    template = "vendors/escalation.html"
    if request.htmx:
        template += "#escalation-body"
    return render(request, template, context, status=status)


@hidden_staff_view
@require_GET
def escalation_page(request: HttpRequest, pk: int) -> HttpResponse:
    return render_escalation_page(request, pk)


# --- actions (the ticket page's panel and the escalation page) ----------------------------------


def _answer(
    request: HttpRequest,
    *,
    ticket_id: int | None,
    escalation_id: int | None,
    name: str,
    form,
    error: ValidationError | None,
    success: str,
) -> HttpResponse:
    """On success a message and the refreshed page (a redirect without htmx); on failure the same
    form again with its errors and the user's input, and a 400."""
    if error is not None:
        apply_service_error(form, error)
    ok = not form.errors
    if ok:
        messages.success(request, success)
    key = (name, escalation_id) if escalation_id is not None else name
    status = 200 if ok else 400
    # An incident's case has no ticket page: it is answered on its own page.
    to_case = request.POST.get("return_to") == RETURN_TO_ESCALATION or ticket_id is None
    if escalation_id is not None and to_case:
        if ok and not request.htmx:
            return redirect("vendors:escalation", pk=escalation_id)
        return render_escalation_page(
            request, escalation_id, bound={} if ok else {key: form}, status=status
        )
    if ok and not request.htmx:
        return redirect(reverse("ticket", args=[ticket_id]) + "#vendor-escalations")
    return render_ticket_page(request, ticket_id, bound={} if ok else {key: form}, status=status)


@hidden_staff_view
@require_POST
def escalate(request: HttpRequest, pk: int) -> HttpResponse:
    """Open an escalation to a vendor for this ticket."""
    ticket = get_object_or_404(Ticket.objects.select_related("organization", "owner"), pk=pk)
    form = OpenEscalationForm(request.POST, ticket=ticket, prefix="escalate")
    error = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            escalation = services.open_escalation(
                ticket=ticket,
                vendor=data["vendor"],
                by=request.user,
                summary=data["summary"],
                vendor_reference=data["vendor_reference"],
                status=data["status"],
                next_chase_at=data["next_chase_at"],
                mark_ticket_waiting=data["mark_ticket_waiting"],
            )
        except ValidationError as exc:
            error = exc
        else:
            form.escalation = escalation
    vendor = form.cleaned_data.get("vendor") if form.is_valid() else None
    return _answer(
        request,
        ticket_id=ticket.pk,
        escalation_id=None,
        name="vendor_open",
        form=form,
        error=error,
        success=f"Escalated to {vendor.name if vendor else 'the vendor'}. The customer sees none of it.",
    )


@hidden_staff_view
@require_POST
def escalate_incident(request: HttpRequest, pk: int) -> HttpResponse:
    """Open an escalation to a vendor for a major incident (one case for the whole outage)."""
    incident = get_object_or_404(Incident, pk=pk)
    form = OpenEscalationForm(request.POST, ticket=None, prefix="escalate")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.open_escalation(
                incident=incident,
                vendor=data["vendor"],
                by=request.user,
                summary=data["summary"],
                vendor_reference=data["vendor_reference"],
                status=data["status"],
                next_chase_at=data["next_chase_at"],
            )
        except ValidationError as exc:
            apply_service_error(form, exc)
    if not form.errors:
        messages.success(request, f"Escalated to {data['vendor'].name}. Customers see none of it.")
        if not request.htmx:
            return redirect(reverse("incidents:detail", args=[pk]) + "#vendor-escalations")
        return render_incident_page(request, pk)
    return render_incident_page(request, pk, bound={INCIDENT_FORM: form}, status=400)


def _action(
    request: HttpRequest,
    pk: int,
    *,
    name: str,
    form_class,
    prefix: str,
    act: Callable[[VendorEscalation, dict[str, Any]], Any],
    success: str,
) -> HttpResponse:
    escalation = get_object_or_404(VendorEscalation.objects.select_related("vendor"), pk=pk)
    kwargs = {} if form_class is EscalationNoteForm else {"escalation": escalation}
    form = form_class(request.POST, prefix=f"{prefix}{escalation.pk}", **kwargs)
    error = None
    if form.is_valid():
        try:
            act(escalation, form.cleaned_data)
        except ValidationError as exc:
            error = exc
    return _answer(
        request,
        ticket_id=escalation.ticket_id,
        escalation_id=escalation.pk,
        name=name,
        form=form,
        error=error,
        success=success.format(vendor=escalation.vendor.name),
    )


@hidden_staff_view
@require_POST
def escalation_note(request: HttpRequest, pk: int) -> HttpResponse:
    def act(escalation, data):
        services.log_escalation_note(
            escalation, author=request.user, body=data["body"], pushback=data["pushback"]
        )

    return _action(
        request,
        pk,
        name="vendor_note",
        form_class=EscalationNoteForm,
        prefix="n",
        act=act,
        success="Note added to the {vendor} case (staff only).",
    )


@hidden_staff_view
@require_POST
def escalation_status(request: HttpRequest, pk: int) -> HttpResponse:
    def act(escalation, data):
        services.change_escalation_status(escalation, status=data["status"], by=request.user)

    return _action(
        request,
        pk,
        name="vendor_status",
        form_class=EscalationStatusForm,
        prefix="s",
        act=act,
        success="{vendor} case status saved.",
    )


@hidden_staff_view
@require_POST
def escalation_chase(request: HttpRequest, pk: int) -> HttpResponse:
    def act(escalation, data):
        services.set_next_chase(
            escalation,
            next_chase_at=None if data["stop"] else data["next_chase_at"],
            by=request.user,
        )

    return _action(
        request,
        pk,
        name="vendor_chase",
        form_class=ChaseForm,
        prefix="c",
        act=act,
        success="Chase time for {vendor} saved.",
    )


@hidden_staff_view
@require_POST
def escalation_rca(request: HttpRequest, pk: int) -> HttpResponse:
    def act(escalation, data):
        services.set_root_cause_analysis(
            escalation,
            by=request.user,
            requested=data["rca_requested"],
            received=data["rca_received"],
        )

    return _action(
        request,
        pk,
        name="vendor_rca",
        form_class=RootCauseForm,
        prefix="r",
        act=act,
        success="Root-cause analysis for {vendor} saved.",
    )
