from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.decorators import staff_required
from tickets import selectors

HOME_LIST_LENGTH = 25


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    """The staff landing page: what I owe, what is late, what nobody owns yet."""
    now = timezone.now()
    return render(
        request,
        "tickets/home.html",
        {
            "now": now,
            "mine": selectors.my_open_tickets(request.user)[:HOME_LIST_LENGTH],
            "breached": selectors.breached_tickets(now)[:HOME_LIST_LENGTH],
            "due_soon": selectors.due_within(timedelta(hours=1), now)[:HOME_LIST_LENGTH],
            "unowned": selectors.unowned_new_tickets()[:HOME_LIST_LENGTH],
        },
    )
