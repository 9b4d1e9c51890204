"""The managers' audit log page (/audit/): filters, pages of 100 and the CSV of what is shown."""

import csv

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.decorators import manager_required
from audit.forms import AuditFilterForm
from audit.selectors import events
from audit.services import record

PAGE_SIZE = 100
CSV_HEADER = ["id", "at", "actor", "actor_email", "action", "target_type", "target_id", "ip"]


@require_GET
@manager_required
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    rows = events(**form.filters())
    if request.GET.get("format") == "csv":
        return _csv(request, rows)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/log.html",
        {"form": form, "page": page, "query": query.urlencode()},
        status=400 if form.errors else 200,
    )


def _csv(request: HttpRequest, rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
    writer = csv.writer(response)
    writer.writerow([*CSV_HEADER, "detail"])
    for event in rows.iterator(chunk_size=2000):
        writer.writerow(
            [
                event.pk,
                event.at.isoformat(),
                event.actor_id or "",
                event.actor.email if event.actor else "",
                event.action,
                event.target_type,
                event.target_id,
                event.ip or "",
                event.detail,
            ]
        )
    record("export", request=request, detail={"table": "audit_log"})
    return response
