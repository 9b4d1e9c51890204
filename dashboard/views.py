"""The manager dashboard (issue 7), thin callers of dashboard.selectors (reads) and the services.

- `/dashboard/`: the Now panels (an htmx partial that refreshes itself every
  DASHBOARD_REFRESH_SECONDS, 30 by default) and the trends for the period and filters in the URL.
- `/dashboard/mine/`: an agent's own promise-kept figures.
- `/dashboard/losses/`: the loss log, its breakdown by cause and the lessons; a manager records a
  loss by hand for a ticket and revises the cause and lessons of any loss.
- Every table exports as CSV with `?export=<table>` and the same filters (dashboard.exports).

Managers only, except "my figures" (any staff member); customer contacts get 404 everywhere here,
so the dashboard's existence tells them nothing.
"""

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from audit.services import record
from billing import selectors as billing_selectors
from billing.models import month_of
from dashboard import selectors
from dashboard.exports import export_table
from dashboard.forms import (
    DEFAULT_DAYS,
    PERIOD_CHOICES,
    DashboardFilterForm,
    LossForm,
    LossLessonsForm,
    ReassignForm,
)
from dashboard.rows import panel_rows, panel_values
from incidents import selectors as incident_selectors
from tickets import services as ticket_services
from tickets.models import Ticket
from updates.feedback import record_loss, revise_loss
from updates.models import Loss, LossCategory

DEFAULT_REFRESH_SECONDS = 30
HOURS_PER_CUSTOMER_SHOWN = 10


def _dashboard_access(*, managers_only: bool) -> Callable:
    """Anonymous -> sign in; customer contacts -> 404; agents on manager pages -> 403."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.is_helpdesk_staff:
                raise Http404
            if managers_only and not user.is_manager:
                raise PermissionDenied("The dashboard is for managers; see your own figures.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


manager_only = _dashboard_access(managers_only=True)
staff_only = _dashboard_access(managers_only=False)


def _exported(request: HttpRequest, table: str, response: HttpResponse) -> HttpResponse:
    """Data leaving the service desk is in the audit log (``export``)."""
    record("export", request=request, detail={"table": table, "path": request.path})
    return response


def refresh_seconds() -> int:
    return int(getattr(settings, "DASHBOARD_REFRESH_SECONDS", DEFAULT_REFRESH_SECONDS))


def _query_without_export(request: HttpRequest) -> str:
    query = request.GET.copy()
    for name in ("export", "panel"):
        query.pop(name, None)
    return query.urlencode()


# ---- the Now panels --------------------------------------------------------------------------


def _limited(name: str, queryset, now) -> dict:
    """One query per panel: the first NOW_PANEL_LENGTH rows, whether there are more, and the
    rows' HTML (dashboard.rows)."""
    rows = panel_values(queryset, selectors.NOW_PANEL_LENGTH + 1)
    shown = rows[: selectors.NOW_PANEL_LENGTH]
    return {
        "rows": shown,
        "more": len(rows) > selectors.NOW_PANEL_LENGTH,
        "html": panel_rows(name, shown, now),
    }


MAJOR_INCIDENTS_SHOWN = 10


def now_panels(now) -> dict:
    return {
        "breached": _limited("breached", selectors.breached_now(now), now),
        "due_soon": _limited("due_soon", selectors.due_within_the_hour(now), now),
        "unowned": _limited("unowned", selectors.unowned(now), now),
        "unconfirmed": _limited("unconfirmed", selectors.understanding_unconfirmed(), now),
        "vendor_waits": _limited("vendor_waits", selectors.waiting_on_vendor_longest(), now),
        # Few at a time by nature; the panel shows the first ten and links to the list.
        "major_incidents": list(incident_selectors.open_incidents()[:MAJOR_INCIDENTS_SHOWN]),
    }


def _now_context(request: HttpRequest, now, **extra) -> dict:
    return {
        "now": now,
        "refresh_seconds": refresh_seconds(),
        **now_panels(now),
        **extra,
    }


# ---- trends ----------------------------------------------------------------------------------


def trends(period: selectors.Period, now) -> dict:
    first_response = selectors.first_response_figures(period)
    return {
        **selectors.promise_figures(period, now, timezone.get_current_timezone()),
        "first_response": first_response,
        "ages": selectors.open_tickets_by_age(now, period),
        "losses": selectors.losses_by_category(period),
    }


def recent_trends(request: HttpRequest, period: selectors.Period, now) -> tuple[dict, datetime]:
    """The trends of this period and these filters, and the time they were computed: reused
    for DASHBOARD_TRENDS_CACHE_SECONDS.

    Weeks of promises do not change in a minute, but computing them is most of the page's
    database time at a million tickets; the Now panels stay live (they are never cached).
    The key is the query string (without export/panel) and the viewer's time zone, so every
    filtered view is its own entry, and a "last 30 days" period ends at most that many seconds
    before `now` (the page says "as of"). Two processes missing at once both compute: harmless.
    """
    seconds = settings.DASHBOARD_TRENDS_CACHE_SECONDS
    if seconds <= 0:
        return trends(period, now), now
    query = request.GET.copy()
    for name in ("export", "panel"):
        query.pop(name, None)
    identity = f"{sorted(query.lists())}|{timezone.get_current_timezone_name()}"
    key = "dashboard-trends:" + hashlib.sha256(identity.encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None and now - cached["computed_at"] < timedelta(seconds=seconds):
        return cached["figures"], cached["computed_at"]
    figures = trends(period, now)
    cache.set(key, {"computed_at": now, "figures": figures}, seconds)
    return figures, now


GROUPS_ON_PAGE = 15


def lowest_rates(rows: list[dict], limit: int = GROUPS_ON_PAGE) -> list[dict]:
    """The groups that most need a manager's eye: lowest kept rate first, the busiest first among
    equals. Two thousand customers do not fit a chart; the CSV has every group."""
    return sorted(rows, key=lambda row: (row["rate"], -row["total"], str(row["label"])))[:limit]


def _on_page(figures: dict) -> dict:
    """Owners and customers on the page: the lowest rates only, and how many there are."""
    shown = {}
    for name in ("by_owner", "by_organization"):
        rows = figures[name]
        shown[name] = lowest_rates(rows) if len(rows) > GROUPS_ON_PAGE else rows
        shown[f"{name}_count"] = len(rows)
    return shown


def _chart_rows(figures: dict) -> dict:
    """(label, value) rows for the charts, derived from the same figures as the tables."""
    return {
        "by_week": [(row["label"].strftime("%d %b"), row["rate"]) for row in figures["by_week"]],
        "by_owner": [(row["label"] or "unowned", row["rate"]) for row in figures["by_owner"]],
        "by_organization": [(row["label"], row["rate"]) for row in figures["by_organization"]],
        "by_priority": [(f"P{row['label']}", row["rate"]) for row in figures["by_priority"]],
        "breaches_by_hour": [
            (f"{hour:02d}", n) for hour, n in enumerate(figures["breaches_by_hour"])
        ],
        "first_response": figures["first_response"]["buckets"],
        "ages": figures["ages"],
        "losses": figures["losses"],
    }


def _filter_form(request: HttpRequest, **kwargs) -> DashboardFilterForm:
    """The period and filters from the URL; a missing period reads as the default one."""
    data = request.GET.copy()
    if not data.get("days"):
        data["days"] = str(DEFAULT_DAYS)
    form = DashboardFilterForm(data, **kwargs)
    form.is_valid()
    return form


# ---- pages -----------------------------------------------------------------------------------


@manager_only
def manager_dashboard(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    if request.htmx and request.GET.get("panel") == "now":
        return render(request, "dashboard/overview.html#now", _now_context(request, now))
    form = _filter_form(request)
    period = form.period(now)
    export = request.GET.get("export")
    if export:
        response = export_table(export, period, now)
        if response is None:
            raise Http404("No such table.")
        return _exported(request, export, response)
    figures, trends_as_of = recent_trends(request, period, now)
    figures = figures | _on_page(figures)
    context = _now_context(
        request,
        now,
        form=form,
        period=period,
        trends_as_of=trends_as_of,
        period_choices=PERIOD_CHOICES,
        query=_query_without_export(request),
        charts=_chart_rows(figures),
        broken=figures["overall"]["total"] - figures["overall"]["kept"],
        losses_total=sum(n for _, n in figures["losses"]),
        hours_per_customer=_hours_per_customer(now),
        **figures,
    )
    return render(request, "dashboard/overview.html", context)


@manager_only
@require_http_methods(["GET", "POST"])
def reassign(request: HttpRequest, pk: int) -> HttpResponse:
    """One click from the Now panel: hand the ticket to someone else, with a handover note, through
    the same service as the ticket page (tickets.services.assign_owner).

    GET shows the form (a fragment for htmx, which loads it when the row's "Reassign" opens, so
    the panel does not carry a staff list per row); POST assigns and answers with the refreshed
    Now panel (htmx) or a redirect to the dashboard; a refused POST without htmx shows the form
    again with the errors.
    """
    ticket = get_object_or_404(Ticket.objects.select_related("organization", "owner"), pk=pk)
    form = ReassignForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            ticket = ticket_services.assign_owner(
                ticket,
                owner=form.cleaned_data["owner"],
                by=request.user,
                handover_note=form.cleaned_data["handover_note"],
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            messages.success(
                request, f"{ticket.reference} is now owned by {ticket.owner.display_name}."
            )
            if request.htmx:
                return render(
                    request, "dashboard/overview.html#now", _now_context(request, timezone.now())
                )
            return redirect("manager-dashboard")
    if request.method == "POST" and request.htmx:
        text = " ".join(str(e) for errors in form.errors.values() for e in errors)
        messages.error(request, f"{ticket.reference} was not reassigned: {text}")
        return render(request, "dashboard/overview.html#now", _now_context(request, timezone.now()))
    staff = ReassignForm.base_fields["owner"].queryset.exclude(pk=ticket.owner_id or 0)
    template = "dashboard/reassign.html#form" if request.htmx else "dashboard/reassign.html"
    return render(
        request,
        template,
        {"ticket": ticket, "form": form, "staff": list(staff)},
        status=400 if form.errors else 200,
    )


@staff_only
def my_figures(request: HttpRequest) -> HttpResponse:
    """An agent's own promise-kept figures (tickets they own now), for the period in the URL."""
    now = timezone.now()
    form = _filter_form(request, with_owner=False)
    period = form.period(now).narrowed(owner_id=request.user.pk)
    export = request.GET.get("export")
    if export:
        if export not in ("by_week", "by_priority", "by_organization"):
            raise Http404("No such table.")
        return _exported(request, export, export_table(export, period, now))
    by_week = selectors.kept_rate_by(period, now, None)
    by_priority = selectors.kept_rate_by(period, now, "priority")
    by_organization = selectors.kept_rate_by(period, now, "organization__name")
    mine_breached = list(
        selectors.breached_now(now).filter(owner=request.user)[: selectors.NOW_PANEL_LENGTH]
    )
    first_response = selectors.first_response_figures(period)
    return render(
        request,
        "dashboard/my_figures.html",
        {
            "now": now,
            "form": form,
            "period": period,
            "query": _query_without_export(request),
            "overall": selectors.overall_kept_rate(period, now),
            "by_week": by_week,
            "by_priority": by_priority,
            "by_organization": by_organization,
            "first_response": first_response,
            "charts": {
                "by_week": [(row["label"].strftime("%d %b"), row["rate"]) for row in by_week],
                "by_priority": [(f"P{row['label']}", row["rate"]) for row in by_priority],
            },
            "breached": mine_breached,
            "time_per_day": billing_selectors.minutes_per_day(request.user),
        },
    )


def _hours_per_customer(now) -> dict:
    """This month's logged time per organisation, most first (the billing page has the money)."""
    month = month_of(now, settings.TIME_ZONE)
    rows = billing_selectors.minutes_per_organization(month)
    return {"month": month, "rows": rows[:HOURS_PER_CUSTOMER_SHOWN], "count": len(rows)}


@manager_only
def losses(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    form = _filter_form(request)
    period = form.period(now)
    if request.GET.get("export"):
        response = export_table(request.GET["export"], period, now)
        if response is None:
            raise Http404("No such table.")
        return _exported(request, request.GET["export"], response)
    category = request.GET.get("category")
    category = category if category in LossCategory.values else None
    log = list(selectors.loss_log(period, category)[: selectors.LOSS_LOG_LENGTH + 1])
    breakdown = selectors.losses_by_category(period)
    return render(
        request,
        "dashboard/losses.html",
        {
            "form": form,
            "period": period,
            "query": _query_without_export(request),
            "category": category,
            "categories": LossCategory.choices,
            "log": log[: selectors.LOSS_LOG_LENGTH],
            "more": len(log) > selectors.LOSS_LOG_LENGTH,
            "breakdown": breakdown,
            "total": sum(n for _, n in breakdown),
        },
    )


@manager_only
def record_loss_for_ticket(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_object_or_404(Ticket.objects.select_related("organization"), pk=pk)
    form = LossForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record_loss(
                organization=ticket.organization,
                ticket=ticket,
                recorded_by=request.user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            messages.success(request, f"Loss recorded for {ticket.reference}.")
            return redirect("ticket", pk=ticket.pk)
    return render(
        request,
        "dashboard/loss_form.html",
        {"form": form, "ticket": ticket},
        status=400 if form.errors else 200,
    )


@manager_only
def revise_loss_view(request: HttpRequest, pk: int) -> HttpResponse:
    loss = get_object_or_404(Loss.objects.select_related("ticket", "organization"), pk=pk)
    form = LossLessonsForm(
        request.POST or None, initial={"category": loss.category, "lessons": loss.lessons}
    )
    if request.method == "POST" and form.is_valid():
        try:
            revise_loss(loss, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            messages.success(request, "Loss updated.")
            return redirect("dashboard-losses")
    return render(
        request,
        "dashboard/loss_revise.html",
        {"form": form, "loss": loss},
        status=400 if form.errors else 200,
    )
