"""/api/v1/responses/: saved replies (API.md "Agent speed"). Staff only: a contact gets 404 on
every path. Staff see the shared replies and their own; managers change the shared ones, each
person their own personal ones (403 otherwise)."""

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import StrictModelSerializer, StrictSerializer
from api.fields import StrictBooleanField, StrictCharField, StrictIntegerField
from api.permissions import IsHelpdeskStaffElseNotFound
from api.schema import ERRORS_400, ERRORS_403, ERRORS_404
from api.selectors import visible_tickets
from saved_replies import services
from saved_replies.models import LONGEST_PROMISE_MINUTES, TITLE_MAX_LENGTH, SavedReply
from saved_replies.rendering import VARIABLES
from saved_replies.selectors import visible_replies
from tickets.models import BODY_MAX_LENGTH, Status
from updates.replies import render_reply

STAFF_ONLY = "Helpdesk staff only; to anyone else these endpoints answer 404."
VARIABLES_TEXT = ", ".join(f"`{{{{ {name} }}}}`" for name in VARIABLES)


class SavedReplySerializer(StrictModelSerializer):
    title = StrictCharField(max_length=TITLE_MAX_LENGTH)
    body = StrictCharField(
        max_length=BODY_MAX_LENGTH,
        help_text=f"The text, in markdown; it may use exactly these variables: {VARIABLES_TEXT}.",
    )
    shared = StrictBooleanField(
        required=False, help_text="true: every staff member sees it (managers only)."
    )
    status = serializers.ChoiceField(
        choices=Status.choices,
        required=False,
        allow_null=True,
        help_text="The status an update with this reply sets (null: unchanged).",
    )
    next_update_minutes = StrictIntegerField(
        min_value=1,
        max_value=LONGEST_PROMISE_MINUTES,
        required=False,
        allow_null=True,
        help_text="The promise an update with it makes: that many wall-clock minutes after "
        "posting (null: the cadence default).",
    )

    class Meta:
        model = SavedReply
        fields = [
            "id",
            "title",
            "body",
            "shared",
            "status",
            "next_update_minutes",
            "author",
            "usage_count",
        ]
        read_only_fields = ["id", "author", "usage_count"]
        validators: list = []

    def to_representation(self, instance: SavedReply) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["status"] = instance.status or None
        return data

    def create(self, validated_data: dict[str, Any]) -> SavedReply:
        return services.create_reply(author=self.context["request"].user, **validated_data)

    def update(self, instance: SavedReply, validated_data: dict[str, Any]) -> SavedReply:
        return services.update_reply(instance, by=self.context["request"].user, **validated_data)


class RenderRequestSerializer(StrictSerializer):
    ticket = StrictIntegerField(min_value=1, max_value=2**63 - 1)


RenderedSerializer = inline_serializer("RenderedReply", fields={"body": serializers.CharField()})


@extend_schema_view(
    list=extend_schema(
        summary="Saved replies (staff)",
        description=f"{STAFF_ONLY} The shared replies and the caller's own.",
        responses={200: SavedReplySerializer(many=True), **ERRORS_404},
    ),
    retrieve=extend_schema(
        summary="One saved reply (staff)", responses={200: SavedReplySerializer, **ERRORS_404}
    ),
    create=extend_schema(
        summary="Save a reply (staff)",
        description="Any other variable, attribute, tag or filter in `body` answers 400 naming "
        "`body`. Only managers may create a shared reply.",
        responses={201: SavedReplySerializer, **ERRORS_400, **ERRORS_404},
        examples=[
            OpenApiExample(
                "Still on it",
                value={
                    "title": "Still on it",
                    "body": "Hello {{ customer.first_name }}, we are still working on "
                    "{{ ticket.reference }}. You will hear from us by {{ next_update_due }}.",
                    "status": "in_progress",
                    "next_update_minutes": 120,
                },
                request_only=True,
            )
        ],
    ),
    partial_update=extend_schema(
        summary="Change a saved reply (its author; managers for shared ones)",
        responses={200: SavedReplySerializer, **ERRORS_400, **ERRORS_403, **ERRORS_404},
    ),
    destroy=extend_schema(
        summary="Delete a saved reply (its author; managers for shared ones)",
        responses={204: None, **ERRORS_403, **ERRORS_404},
    ),
)
class SavedReplyViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [IsHelpdeskStaffElseNotFound]
    serializer_class = SavedReplySerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_value_regex = r"[0-9]{1,18}"
    filter_backends: list = []
    queryset = SavedReply.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SavedReply.objects.none()
        return visible_replies(self.request.user)

    def perform_destroy(self, instance: SavedReply) -> None:
        services.delete_reply(instance, by=self.request.user)

    @extend_schema(
        summary="A saved reply's text for one ticket (not a use)",
        request=RenderRequestSerializer,
        responses={200: RenderedSerializer, **ERRORS_400, **ERRORS_404},
    )
    @action(detail=True, methods=["post"], url_path="render")
    def render(self, request: Request, pk: str | None = None) -> Response:
        reply = self.get_object()
        serializer = RenderRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket = visible_tickets(request.user).filter(pk=serializer.validated_data["ticket"])
        ticket = ticket.select_related("organization", "owner", "requester").first()
        if ticket is None:
            raise serializers.ValidationError({"ticket": ["No such ticket."]})
        body = render_reply(reply, ticket=ticket, agent=request.user)
        return Response({"body": body}, status=status.HTTP_200_OK)


def reply_for(user, pk: int) -> SavedReply:
    """A reply the caller may use, for POST /tickets/{id}/updates/ `response`."""
    return get_object_or_404(visible_replies(user), pk=pk)
