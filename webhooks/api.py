"""/api/v1/webhooks/: subscriptions, their deliveries, redelivery and ping (managers only).

Routed from servicedesk/urls.py (the api app sits below this one and cannot import it); the
schema generator walks the root URLconf, so these operations are in /api/schema/ like the rest.
"""

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Organization
from api.base import EmptySerializer, StrictModelSerializer
from api.fields import IdField, StrictBooleanField, StrictCharField, StrictIntegerField
from api.schema import ERRORS_400, ERRORS_404
from webhooks import events, services
from webhooks.models import Delivery, Format, Subscription


class IsManagerElseNotFound(BasePermission):
    """Webhooks are manager business: anyone else signed in gets 404, as if nothing were here;
    anonymous callers 401."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if not user.is_manager:
            raise NotFound()
        return True


class SubscriptionSerializer(StrictModelSerializer):
    url = StrictCharField(max_length=2000, help_text="http or https; internal addresses refused.")
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=["*", *events.EVENT_TYPES]),
        allow_empty=False,
        help_text='Event types, or ["*"] for all.',
    )
    format = serializers.ChoiceField(choices=Format.choices, default=Format.JSON)
    organization = IdField(
        queryset=Organization.objects.all(), required=False, allow_null=True, default=None
    )
    priorities = serializers.ListField(
        child=StrictIntegerField(min_value=1, max_value=4), required=False, default=list
    )
    internal = StrictBooleanField(required=False, default=False)
    active = StrictBooleanField(required=False, default=True)

    class Meta:
        model = Subscription
        fields = [
            "id",
            "url",
            "events",
            "format",
            "organization",
            "priorities",
            "internal",
            "active",
            "paused_at",
            "created_at",
        ]
        read_only_fields = ["id", "paused_at", "created_at"]


class SubscriptionCreateSerializer(SubscriptionSerializer):
    secret = StrictCharField(
        required=False,
        write_only=True,
        max_length=200,
        help_text="whsec_ + base64 of 24-64 bytes; generated when not given.",
    )

    class Meta(SubscriptionSerializer.Meta):
        fields = [*SubscriptionSerializer.Meta.fields, "secret"]

    def create(self, validated_data: dict[str, Any]) -> Subscription:
        return services.create_subscription(by=self.context["request"].user, **validated_data)


class SubscriptionCreatedSerializer(SubscriptionSerializer):
    """The answer to the POST that creates a subscription: the only time the secret is shown."""

    secret = serializers.CharField(read_only=True)

    class Meta(SubscriptionSerializer.Meta):
        fields = [*SubscriptionSerializer.Meta.fields, "secret"]


class SubscriptionChangeSerializer(SubscriptionSerializer):
    url = StrictCharField(max_length=2000, required=False)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=["*", *events.EVENT_TYPES]),
        allow_empty=False,
        required=False,
    )
    format = serializers.ChoiceField(choices=Format.choices, required=False)
    organization = IdField(queryset=Organization.objects.all(), required=False, allow_null=True)
    priorities = serializers.ListField(
        child=StrictIntegerField(min_value=1, max_value=4), required=False
    )
    internal = StrictBooleanField(required=False)
    active = StrictBooleanField(
        required=False, help_text="true again after a pause retries the pending deliveries."
    )


class DeliverySerializer(serializers.ModelSerializer):
    event_id = serializers.CharField(source="event.event_id", read_only=True)
    event_type = serializers.CharField(source="event.type", read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "event_id",
            "event_type",
            "status",
            "attempts",
            "response_status",
            "last_attempt_at",
            "duration_ms",
        ]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary="Webhook subscriptions (manager)"),
    retrieve=extend_schema(
        summary="One webhook subscription (manager)",
        responses={200: SubscriptionSerializer, **ERRORS_404},
    ),
    create=extend_schema(
        summary="Subscribe a URL to events (manager); the answer shows the secret once",
        request=SubscriptionCreateSerializer,
        responses={201: SubscriptionCreatedSerializer, **ERRORS_400},
        examples=[
            OpenApiExample(
                "Every event to a signed JSON receiver",
                value={"url": "https://hooks.example.com/desk", "events": ["*"]},
                request_only=True,
            )
        ],
    ),
    partial_update=extend_schema(
        summary="Change a webhook subscription (manager)",
        request=SubscriptionChangeSerializer,
        responses={200: SubscriptionSerializer, **ERRORS_400, **ERRORS_404},
    ),
    destroy=extend_schema(summary="Delete a webhook subscription (manager)"),
)
class WebhookViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [IsManagerElseNotFound]
    serializer_class = SubscriptionSerializer
    lookup_value_regex = r"[0-9]{1,18}"
    filter_backends: list = []
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Subscription]:
        return Subscription.objects.order_by("id")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = SubscriptionCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        subscription = serializer.save()
        return Response(SubscriptionCreatedSerializer(subscription).data, status=201)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        subscription = self.get_object()
        serializer = SubscriptionChangeSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        subscription = services.change_subscription(
            subscription, by=request.user, changes=dict(serializer.validated_data)
        )
        return Response(SubscriptionSerializer(subscription).data)

    def perform_destroy(self, instance: Subscription) -> None:
        services.delete_subscription(instance, by=self.request.user)

    @extend_schema(
        summary="A subscription's deliveries, newest first (manager)",
        responses={200: DeliverySerializer(many=True), **ERRORS_404},
    )
    @action(detail=True, methods=["get"], serializer_class=DeliverySerializer)
    def deliveries(self, request: Request, pk: str | None = None) -> Response:
        subscription = self.get_object()
        queryset = (
            Delivery.objects.filter(subscription=subscription)
            .select_related("event")
            .order_by("-id")
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)

    @extend_schema(
        summary="Send a webhook.ping event to this subscription (manager)",
        request=EmptySerializer,
        responses={202: DeliverySerializer, **ERRORS_404},
    )
    @action(detail=True, methods=["post"], serializer_class=EmptySerializer)
    def ping(self, request: Request, pk: str | None = None) -> Response:
        subscription = self.get_object()
        EmptySerializer(data=request.data).is_valid(raise_exception=True)
        delivery = services.ping(subscription, by=request.user)
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Deliver an event again, with the same webhook-id (manager)",
        request=EmptySerializer,
        responses={202: DeliverySerializer, **ERRORS_404},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"deliveries/(?P<delivery_id>[0-9]{1,18})/redeliver",
        serializer_class=EmptySerializer,
    )
    def redeliver(self, request: Request, pk: str | None = None, delivery_id: str = "") -> Response:
        subscription = self.get_object()
        EmptySerializer(data=request.data).is_valid(raise_exception=True)
        delivery = get_object_or_404(Delivery, pk=int(delivery_id), subscription=subscription)
        delivery = services.redeliver(delivery, by=request.user)
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
