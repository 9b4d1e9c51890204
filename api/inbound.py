"""/api/v1/inbound/ (staff): inbound mail and what became of it; release and discard
quarantined mail (API.md "Email in and out")."""

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import EmptySerializer, StrictSerializer
from api.fields import IdField
from api.permissions import IsHelpdeskStaff
from api.schema import ERRORS_400, ERRORS_403, ERRORS_404
from inbound import selectors, services
from inbound.models import InboundMessage, Outcome, Reason
from tickets.models import Ticket


class InboundMessageSerializer(serializers.ModelSerializer):
    reason = serializers.SerializerMethodField()

    class Meta:
        model = InboundMessage
        fields = [
            "id",
            "received_at",
            "sender",
            "subject",
            "message_id",
            "outcome",
            "reason",
            "ticket",
        ]
        read_only_fields = fields

    def get_reason(self, message: InboundMessage) -> str | None:
        return message.reason or None


class ReleaseSerializer(StrictSerializer):
    ticket = IdField(
        queryset=Ticket.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="Add it to this ticket; leave it out to open a new ticket for the sender.",
    )


class InboundFilter(django_filters.FilterSet):
    outcome = django_filters.ChoiceFilter(choices=Outcome.choices)
    reason = django_filters.ChoiceFilter(choices=Reason.choices)

    class Meta:
        model = InboundMessage
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(
        summary="Inbound mail, newest first (staff)",
        responses={200: InboundMessageSerializer(many=True), **ERRORS_403},
    ),
    retrieve=extend_schema(
        summary="One inbound message (staff)",
        responses={200: InboundMessageSerializer, **ERRORS_403, **ERRORS_404},
    ),
)
class InboundMessageViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = InboundMessageSerializer
    permission_classes = [IsHelpdeskStaff]
    filterset_class = InboundFilter
    ordering_fields: list[str] = []
    lookup_value_regex = r"[0-9]{1,18}"
    queryset = InboundMessage.objects.none()

    def get_queryset(self) -> QuerySet[InboundMessage]:
        if getattr(self, "swagger_fake_view", False):
            return InboundMessage.objects.none()
        return selectors.inbound_messages()

    @extend_schema(
        summary="Release quarantined mail to a ticket, or as a new ticket (staff)",
        request=ReleaseSerializer,
        responses={200: InboundMessageSerializer, **ERRORS_400, **ERRORS_403, **ERRORS_404},
        examples=[OpenApiExample("To a ticket", value={"ticket": 1042}, request_only=True)],
    )
    @action(detail=True, methods=["post"])
    def release(self, request: Request, pk: str | None = None) -> Response:
        message = self.get_object()
        body = ReleaseSerializer(data=request.data or {})
        body.is_valid(raise_exception=True)
        message = services.release(
            message, by=request.user, ticket=body.validated_data.get("ticket")
        )
        return Response(self.get_serializer(message).data)

    @extend_schema(
        summary="Discard quarantined mail (staff)",
        request=EmptySerializer,
        responses={200: InboundMessageSerializer, **ERRORS_400, **ERRORS_403, **ERRORS_404},
    )
    @action(detail=True, methods=["post"])
    def discard(self, request: Request, pk: str | None = None) -> Response:
        message = self.get_object()
        EmptySerializer(data=request.data or {}).is_valid(raise_exception=True)
        message = services.discard(message, by=request.user)
        return Response(self.get_serializer(message).data)
