"""/api/v1/notifications/: the caller's own in-app notifications, and marking them read."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import EmptySerializer, StrictSerializer
from api.fields import StrictBooleanField
from api.schema import ERRORS_400, ERRORS_404
from updates import inbox
from updates.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    ticket_reference = serializers.CharField(
        source="ticket.reference", read_only=True, allow_null=True, default=None
    )
    read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "ticket", "ticket_reference", "message", "created_at", "read"]
        read_only_fields = fields


class NotificationChangeSerializer(StrictSerializer):
    read = StrictBooleanField()


@extend_schema_view(
    list=extend_schema(summary="My notifications, newest first"),
    retrieve=extend_schema(
        summary="One of my notifications", responses={200: NotificationSerializer, **ERRORS_404}
    ),
    partial_update=extend_schema(
        summary="Mark a notification read or unread",
        request=NotificationChangeSerializer,
        responses={200: NotificationSerializer, **ERRORS_400, **ERRORS_404},
        examples=[OpenApiExample("Mark read", value={"read": True}, request_only=True)],
    ),
)
class NotificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = NotificationSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = r"[0-9]{1,18}"
    filter_backends: list = []

    queryset = Notification.objects.none()

    def get_queryset(self) -> QuerySet[Notification]:
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return (
            Notification.objects.filter(recipient_id=self.request.user.pk)
            .select_related("ticket")
            .order_by("-created_at", "-id")
        )

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        notification = self.get_object()
        serializer = NotificationChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        inbox.set_read(notification, read=serializer.validated_data["read"])
        return Response(self.get_serializer(notification).data)

    @extend_schema(
        summary="Mark all my notifications read",
        request=EmptySerializer,
        responses={
            200: inline_serializer("MarkedRead", fields={"marked": serializers.IntegerField()}),
            **ERRORS_400,
        },
    )
    @action(detail=False, methods=["post"], url_path="mark-all-read")
    def mark_all_read(self, request: Request) -> Response:
        EmptySerializer(data=request.data or {}).is_valid(raise_exception=True)
        return Response({"marked": inbox.mark_all_read(request.user)})
