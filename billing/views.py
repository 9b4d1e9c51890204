"""Staff pages of time and billing: logging time from the ticket page, changing an entry, and the
managers' billing page (a month of every organisation, its drill-down, the contract, month close).

Thin views: forms parse, billing.services decide, billing.selectors read. Customers get 404 on
every page; agents get 403 on the managers' ones.
"""

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Organization
from billing import selectors, services
from billing.forms import ContractForm, TimeEntryChangeForm, TimeEntryForm
from billing.models import TimeEntry, month_of
from tickets.models import Ticket
from tickets.views import render_ticket_page
from tickets.web import apply_service_error, hidden_staff_view

BILLING_PAGE_SIZE = 100  # organisations per page: a manager scans the over-contract ones first


def manager_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Managers only: customers get 404 (hidden_staff_view), agents 403."""

    @hidden_staff_view
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_manager:
            raise PermissionDenied("The billing pages are for managers.")
        return view(request, *args, **kwargs)

    return wrapper


def _month_or_current(request: HttpRequest) -> tuple[date, str]:
    """The ?month= asked for (YYYY-MM), or this month; with the error to show for a bad one."""
    current = month_of(timezone.now(), settings.TIME_ZONE)
    text = request.GET.get("month")
    if not text:
        return current, ""
    try:
        return services.parse_month(text), ""
    except ValidationError as error:
        return current, error.message_dict["month"][0]


def _ticket_back(request: HttpRequest, pk: int) -> HttpResponse:
    if request.htmx:
        return render_ticket_page(request, pk)
    return redirect("ticket", pk=pk)


@hidden_staff_view
@require_POST
def log_time(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_object_or_404(Ticket.objects.select_related("organization"), pk=pk)
    form = TimeEntryForm(request.POST)
    if form.is_valid():
        try:
            entry = services.log_time(ticket=ticket, agent=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, f"{entry.minutes} min logged on {ticket.reference}.")
            return _ticket_back(request, pk)
    return render_ticket_page(request, pk, bound={"time_entry": form}, status=400)


def _entry(pk: int) -> TimeEntry:
    return get_object_or_404(
        TimeEntry.objects.select_related("ticket__organization", "agent", "work_type"), pk=pk
    )


@hidden_staff_view
@require_http_methods(["GET", "HEAD", "POST"])
def edit_entry(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(pk)
    form = TimeEntryChangeForm(request.POST or None, entry=entry)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            reason = data.pop("reason")
            try:
                services.change_entry(
                    entry, by=request.user, reason=reason, request=request, **data
                )
            except PermissionDenied as denied:
                form.add_error(None, str(denied))
            except ValidationError as error:
                apply_service_error(form, error)
            else:
                messages.success(request, "Time entry changed.")
                return redirect("ticket", pk=entry.ticket_id)
        status = 400
    return render(
        request,
        "billing/entry.html",
        {"entry": entry, "form": form, "needs_reason": _needs_reason(request, entry)},
        status=status,
    )


def _needs_reason(request: HttpRequest, entry: TimeEntry) -> bool:
    return not (entry.agent_id == request.user.pk and not entry.is_locked())


@hidden_staff_view
@require_POST
def delete_entry(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(pk)
    try:
        services.delete_entry(
            entry, by=request.user, reason=request.POST.get("reason", ""), request=request
        )
    except (PermissionDenied, ValidationError) as error:
        text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        messages.error(request, f"Not deleted: {text}")
        return redirect("billing:entry", pk=pk)
    messages.success(request, "Time entry deleted.")
    return redirect("ticket", pk=entry.ticket_id)


def _page_or_first(request: HttpRequest, pages: int) -> tuple[int, str]:
    """The ?page= asked for (1 to ``pages``), or the first; with the error to show for a bad one."""
    text = request.GET.get("page")
    if text is None:
        return 1, ""
    # len() first: int() refuses strings of thousands of digits (ValueError, not a 400).
    if text.isascii() and text.isdigit() and len(text) <= 9 and 1 <= int(text) <= pages:
        return int(text), ""
    return 1, f"Give a page number from 1 to {pages}."


@manager_view
@require_http_methods(["GET", "HEAD"])
def billing_page(request: HttpRequest) -> HttpResponse:
    """One page of the month's organisations (over contract first, then by amount); the totals
    above it are the whole month's, and the export is the whole month."""
    month, month_error = _month_or_current(request)
    rows = selectors.billing_overview(month)
    pages = max(1, -(-len(rows) // BILLING_PAGE_SIZE))
    number, page_error = _page_or_first(request, pages)
    first = (number - 1) * BILLING_PAGE_SIZE
    context = {
        "month": month,
        "month_error": month_error,
        "page_error": page_error,
        "rows": rows[first : first + BILLING_PAGE_SIZE],
        "first_row": first + 1,
        "last_row": min(first + BILLING_PAGE_SIZE, len(rows)),
        "totals": selectors.month_totals(rows),
        "page_number": number,
        "pages": pages,
        "page_links": _page_links(number, pages),
        "closed": month in selectors.closed_months(),
        "currency": settings.BILLING_CURRENCY,
        "previous": _shift(month, -1),
        "next": _shift(month, 1),
        "export_url": f"{reverse('v1:time-entries-export')}?month={month:%Y-%m}",
    }
    status = 400 if month_error or page_error else 200
    return render(request, "billing/billing.html", context, status=status)


def _page_links(number: int, pages: int) -> list[int | None]:
    """The page numbers to link: the first, the last and two either side of this one, with
    None where numbers are skipped."""
    shown = sorted({1, pages, *range(max(1, number - 2), min(pages, number + 2) + 1)})
    links: list[int | None] = []
    for page in shown:
        if links and page - (links[-1] or 0) > 1:
            links.append(None)
        links.append(page)
    return links


def _shift(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@manager_view
@require_http_methods(["GET", "HEAD"])
def organization_month(request: HttpRequest, pk: int) -> HttpResponse:
    organization = get_object_or_404(Organization, pk=pk)
    month, month_error = _month_or_current(request)
    usage = selectors.organization_usage(organization, month, lines=True)
    context = {
        "organization": organization,
        "month": month,
        "month_error": month_error,
        "usage": usage,
        "contract": selectors.contract_for(organization),
        "tickets": selectors.organization_tickets(organization, month),
        "entries": selectors.organization_entries(organization, month)[:500],
        "lines": {line.entry.id: line for line in usage.lines},
        "currency": settings.BILLING_CURRENCY,
        "export_url": (
            f"{reverse('v1:time-entries-export')}?month={month:%Y-%m}"
            f"&organization={organization.pk}"
        ),
    }
    return render(request, "billing/organization.html", context, status=400 if month_error else 200)


@manager_view
@require_http_methods(["GET", "HEAD", "POST"])
def contract_page(request: HttpRequest, pk: int) -> HttpResponse:
    organization = get_object_or_404(Organization, pk=pk)
    contract = selectors.contract_for(organization)
    work_types = list(selectors.work_types())
    form = ContractForm(request.POST or None, contract=contract, work_types=work_types)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.save_contract(
                    organization, by=request.user, request=request, **form.service_arguments()
                )
            except ValidationError as error:
                apply_service_error(form, error)
            else:
                messages.success(request, f"{organization.name}'s contract saved.")
                return redirect("billing:organization", pk=pk)
        status = 400
    context = {"organization": organization, "form": form, "currency": settings.BILLING_CURRENCY}
    return render(request, "billing/contract.html", context, status=status)


@manager_view
@require_POST
def close_or_reopen(request: HttpRequest, month: str, action: str) -> HttpResponse:
    try:
        first_day = services.parse_month(month)
    except ValidationError:
        messages.error(request, "Give a month as YYYY-MM.")
        return redirect("billing:month")
    if action == "close":
        services.close_month(first_day, by=request.user, request=request)
        messages.success(request, f"{first_day:%B %Y} closed: its time entries are locked.")
    else:
        services.reopen_month(first_day, by=request.user, request=request)
        messages.success(request, f"{first_day:%B %Y} reopened.")
    return redirect(f"{reverse('billing:month')}?month={first_day:%Y-%m}")
