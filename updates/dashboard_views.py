"""The manager dashboard (issue 7): the "Now" panels refresh themselves every 30 s through htmx;
the trends cover a period chosen in the URL (?days=30); every table exports as CSV (?export=...)."""

import csv
from statistics import median

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.decorators import manager_required
from updates import dashboard

PERIOD_CHOICES = (7, 30, 90, 365)


def _period_days(request: HttpRequest) -> int:
    try:
        days = int(request.GET.get("days", 30))
    except ValueError:
        days = 30
    return days if days in PERIOD_CHOICES else 30


def _now_panels(now) -> dict:
    limit = dashboard.NOW_PANEL_LENGTH
    return {
        "breached": dashboard.breached_now(now)[:limit],
        "due_soon": dashboard.due_within_the_hour(now)[:limit],
        "unowned": dashboard.unowned(now)[:limit],
        "unconfirmed": dashboard.understanding_unconfirmed()[:limit],
        "vendor_waits": dashboard.waiting_on_vendor_longest()[:limit],
    }


def _trends(period: dashboard.Period, now) -> dict:
    first_response = dashboard.first_response_minutes(period)
    return {
        "overall": dashboard.overall_kept_rate(period, now),
        "by_week": dashboard.kept_rate_by(period, now, None),
        "by_owner": dashboard.kept_rate_by(period, now, "ticket__owner__name"),
        "by_organization": dashboard.kept_rate_by(period, now, "ticket__organization__name"),
        "by_priority": dashboard.kept_rate_by(period, now, "priority"),
        "breaches_by_hour": dashboard.breaches_by_hour(
            period, now, timezone.get_current_timezone()
        ),
        "first_response_median": round(median(first_response), 1) if first_response else None,
        "first_response_count": len(first_response),
        "ages": dashboard.open_tickets_by_age(now),
        "losses": dashboard.losses_by_category(period),
    }


def _csv(name: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


EXPORTS = {"by_week", "by_owner", "by_organization", "by_priority", "breached", "losses"}


@manager_required
def manager_dashboard(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    days = _period_days(request)
    period = dashboard.Period.last_days(days, now)
    export = request.GET.get("export")
    if export in EXPORTS:
        return _export(export, period, now)
    if request.htmx and request.GET.get("panel") == "now":
        return render(request, "updates/dashboard.html#now", {"now": now, **_now_panels(now)})
    context = {
        "now": now,
        "days": days,
        "period_choices": PERIOD_CHOICES,
        **_now_panels(now),
        **_trends(period, now),
    }
    return render(request, "updates/dashboard.html", context)


def _export(name: str, period: dashboard.Period, now) -> HttpResponse:
    if name == "breached":
        rows = [
            (
                t.reference,
                t.organization.name,
                t.subject,
                t.owner.display_name if t.owner else "",
                f"P{t.priority}",
                t.next_update_due.isoformat(),
                int((now - t.next_update_due).total_seconds() // 60),
            )
            for t in dashboard.breached_now(now)
        ]
        header = ["ticket", "customer", "subject", "owner", "priority", "promised", "minutes_late"]
        return _csv("breached", header, rows)
    if name == "losses":
        return _csv("losses", ["category", "losses"], dashboard.losses_by_category(period))
    group = {
        "by_week": None,
        "by_owner": "ticket__owner__name",
        "by_organization": "ticket__organization__name",
        "by_priority": "priority",
    }[name]
    rows = [
        (row["label"], row["kept"], row["total"], row["rate"])
        for row in dashboard.kept_rate_by(period, now, group)
    ]
    return _csv(f"promises_{name}", ["group", "kept", "due", "kept_percent"], rows)
