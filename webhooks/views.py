"""Managers' webhook pages: the subscriptions (/webhooks/), a new one with its secret shown once,
a subscription's deliveries with redeliver, ping, pause and resume. Thin views: the form parses,
webhooks.services decides. Anyone but a manager gets 404."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from tickets.web import apply_service_error, hidden_staff_view
from webhooks import services
from webhooks.forms import SubscriptionForm
from webhooks.models import Delivery, Subscription

DELIVERIES_SHOWN = 100


def manager_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @hidden_staff_view
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_manager:
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return wrapper


@manager_view
@require_http_methods(["GET", "HEAD", "POST"])
def subscription_list(request: HttpRequest) -> HttpResponse:
    form = SubscriptionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                subscription = services.create_subscription(
                    by=request.user,
                    url=data["url"],
                    events=["*"] if "*" in data["events"] else data["events"],
                    format=data["format"],
                    organization=data["organization"],
                    priorities=data["priorities"],
                    internal=data["internal"],
                )
            except ValidationError as error:
                apply_service_error(form, error)
            else:
                # The secret is shown on this answer only; it is never displayed again.
                return render(
                    request, "webhooks/created.html", {"subscription": subscription}, status=201
                )
        status = 400
    context = {"subscriptions": Subscription.objects.select_related("organization"), "form": form}
    return render(request, "webhooks/subscription_list.html", context, status=status)


@manager_view
@require_http_methods(["GET", "HEAD"])
def subscription_page(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = get_object_or_404(Subscription.objects.select_related("organization"), pk=pk)
    deliveries = (
        Delivery.objects.filter(subscription=subscription)
        .select_related("event")
        .order_by("-id")[:DELIVERIES_SHOWN]
    )
    return render(
        request,
        "webhooks/subscription.html",
        {"subscription": subscription, "deliveries": deliveries},
    )


@manager_view
@require_POST
def ping(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = get_object_or_404(Subscription, pk=pk)
    services.ping(subscription, by=request.user)
    messages.success(request, "Ping queued: it appears below once sent.")
    return redirect("webhooks:detail", pk=pk)


@manager_view
@require_POST
def redeliver(request: HttpRequest, pk: int, delivery_id: int) -> HttpResponse:
    delivery = get_object_or_404(Delivery, pk=delivery_id, subscription_id=pk)
    services.redeliver(delivery, by=request.user)
    messages.success(request, "Queued to be delivered again, with the same webhook-id.")
    return redirect("webhooks:detail", pk=pk)


@manager_view
@require_POST
def set_active(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = get_object_or_404(Subscription, pk=pk)
    active = request.POST.get("active") == "1"
    services.change_subscription(subscription, by=request.user, changes={"active": active})
    messages.success(
        request,
        "Active again: waiting deliveries go out now." if active else "Paused: events wait.",
    )
    return redirect("webhooks:detail", pk=pk)


@manager_view
@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = get_object_or_404(Subscription, pk=pk)
    services.delete_subscription(subscription, by=request.user)
    messages.success(request, f"Subscription to {subscription.url} deleted.")
    return redirect("webhooks:list")
