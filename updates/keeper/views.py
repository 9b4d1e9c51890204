"""The promise keeper's status page: staff see at a glance whether reminders are flowing."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from accounts.decorators import staff_required
from updates.keeper.clock import database_now
from updates.keeper.health import keeper_health


@staff_required
def status_page(request: HttpRequest) -> HttpResponse:
    health = keeper_health(now=database_now())
    template = "keeper/status.html#health" if request.htmx else "keeper/status.html"
    return render(request, template, {"health": health})


@staff_required
def status_json(request: HttpRequest) -> JsonResponse:
    """Machine-readable; answers 503 while the keeper is stalled so a monitor can alert on it."""
    health = keeper_health(now=database_now())
    return JsonResponse(health.as_json(), status=200 if health.healthy else 503)
