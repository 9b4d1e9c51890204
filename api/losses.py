"""/api/v1/losses/: dissatisfaction events, from low feedback or recorded by a manager."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from accounts.models import Organization
from api.base import StrictModelSerializer
from api.fields import IdField, StrictCharField
from api.filters import IdFilter
from api.permissions import IsManager
from api.schema import ERRORS_400, ERRORS_403, ERRORS_404
from tickets.models import BODY_MAX_LENGTH, Ticket
from updates.feedback import record_loss
from updates.models import Loss, LossCategory


class LossSerializer(StrictModelSerializer):
    ticket = IdField(queryset=Ticket.objects.all(), required=False, allow_null=True, default=None)
    organization = IdField(
        queryset=Organization.objects.all(),
        required=False,
        help_text="Defaults to the ticket's organisation.",
    )
    category = serializers.ChoiceField(choices=LossCategory.choices)
    description = StrictCharField(
        max_length=BODY_MAX_LENGTH, required=False, allow_blank=True, default=""
    )
    lessons = StrictCharField(
        max_length=BODY_MAX_LENGTH, required=False, allow_blank=True, default=""
    )

    class Meta:
        model = Loss
        fields = [
            "id",
            "ticket",
            "organization",
            "category",
            "description",
            "lessons",
            "feedback",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = ["id", "feedback", "recorded_by", "created_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "organization" not in attrs:
            if attrs.get("ticket") is None:
                raise serializers.ValidationError(
                    {"organization": ["Give the organisation, or the ticket the loss is about."]}
                )
            attrs["organization"] = attrs["ticket"].organization
        return attrs

    def create(self, validated_data: dict[str, Any]) -> Loss:
        return record_loss(recorded_by=self.context["request"].user, **validated_data)


class LossFilter(django_filters.FilterSet):
    organization = IdFilter(field_name="organization_id")
    ticket = IdFilter(field_name="ticket_id")
    category = django_filters.ChoiceFilter(choices=LossCategory.choices)

    class Meta:
        model = Loss
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(
        summary="Losses, newest first (manager)",
        responses={200: LossSerializer(many=True), **ERRORS_403},
    ),
    retrieve=extend_schema(
        summary="One loss (manager)", responses={200: LossSerializer, **ERRORS_403, **ERRORS_404}
    ),
    create=extend_schema(
        summary="Record a loss by hand (manager)",
        responses={201: LossSerializer, **ERRORS_400, **ERRORS_403},
        examples=[
            OpenApiExample(
                "A missed update",
                value={
                    "ticket": 1042,
                    "category": "missed_update",
                    "description": "Customer chased us twice before hearing back.",
                    "lessons": "Owner was on leave; hand over before leave.",
                },
                request_only=True,
            )
        ],
    ),
)
class LossViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [IsManager]
    serializer_class = LossSerializer
    lookup_value_regex = r"[0-9]{1,18}"
    filterset_class = LossFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]

    def get_queryset(self) -> QuerySet[Loss]:
        return Loss.objects.order_by("-created_at", "-id")
