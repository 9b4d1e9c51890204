"""Staff pages of inbound mail: the list (the quarantine by default) and one message, with
release and discard as plain form posts."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from inbound import selectors, services
from inbound.forms import ReleaseForm
from inbound.models import InboundMessage, Outcome
from tickets.web import staff_view

PAGE_SIZE = 50


@staff_view
@require_GET
def message_list(request: HttpRequest) -> HttpResponse:
    outcome = request.GET.get("outcome", Outcome.QUARANTINED)
    if outcome not in Outcome.values and outcome != "all":
        outcome = Outcome.QUARANTINED
    rows = selectors.inbound_messages(outcome="" if outcome == "all" else outcome)
    page = Paginator(rows.select_related("ticket"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "inbound/message_list.html",
        {"page": page, "outcome": outcome, "outcomes": Outcome.choices},
    )


def _message_page(request, message: InboundMessage, *, form=None, status=200) -> HttpResponse:
    return render(
        request,
        "inbound/message.html",
        {
            "message": message,
            "reading": selectors.reading_of(message),
            "form": form or ReleaseForm(),
            "quarantined": message.outcome == Outcome.QUARANTINED,
        },
        status=status,
    )


@staff_view
@require_GET
def message_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _message_page(request, get_object_or_404(InboundMessage, pk=pk))


@staff_view
@require_POST
def release(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(InboundMessage, pk=pk)
    form = ReleaseForm(request.POST)
    if form.is_valid():
        try:
            message = services.release(message, by=request.user, ticket=form.cleaned_data["ticket"])
        except ValidationError as error:
            for text in error.messages:
                form.add_error(None, text)
    if form.errors:
        return _message_page(request, message, form=form, status=400)
    messages.success(request, f"Released to {message.ticket.reference}.")
    return redirect("ticket", pk=message.ticket_id)


@staff_view
@require_POST
def discard(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(InboundMessage, pk=pk)
    try:
        services.discard(message, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Discarded: it stays listed, and nothing was posted.")
    return redirect("inbound:list")
