"""Major incidents (staff only): /api/v1/incidents/, /incidents/{id}/, /incidents/{id}/tickets/,
/incidents/{id}/tickets/{ticket}/ and /incidents/{id}/updates/.

To a customer contact none of it exists: every endpoint answers them 404 whatever the id. The
views are thin: rules live in incidents.services, reads in incidents.selectors.
"""

from typing import Any

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Role, User
from api.base import StrictSerializer
from api.fields import AwareDateTimeField, IdField, StrictBooleanField, StrictCharField
from api.permissions import IsHelpdeskStaffElseNotFound
from api.schema import ERRORS_400, ERRORS_404
from incidents import services
from incidents.models import (
    SUMMARY_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Incident,
    IncidentLink,
    IncidentStatus,
)
from tickets.models import BODY_MAX_LENGTH, Ticket

STAFF_ONLY = "Helpdesk staff only; to anyone else these endpoints answer 404."


def _staff_users():
    return User.objects.filter(is_active=True).exclude(role=Role.CONTACT)


class IncidentSerializer(serializers.ModelSerializer):
    tickets = serializers.SerializerMethodField()

    class Meta:
        model = Incident
        fields = [
            "id",
            "title",
            "summary",
            "status",
            "commander",
            "tickets",
            "next_update_due",
            "created_at",
        ]
        read_only_fields = fields

    def get_tickets(self, incident: Incident) -> list[int]:
        return sorted(link.ticket_id for link in incident.links.all())


class IncidentCreateSerializer(StrictSerializer):
    title = StrictCharField(max_length=TITLE_MAX_LENGTH, help_text="Staff only.")
    summary = StrictCharField(
        max_length=SUMMARY_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="The customer-facing text (the portal banner).",
    )
    status = serializers.ChoiceField(
        choices=[c for c in IncidentStatus.values if c != IncidentStatus.RESOLVED],
        required=False,
        default=IncidentStatus.INVESTIGATING,
    )
    commander = IdField(queryset=_staff_users(), required=False, help_text="Default: you.")


class IncidentChangeSerializer(StrictSerializer):
    title = StrictCharField(max_length=TITLE_MAX_LENGTH, required=False)
    summary = StrictCharField(max_length=SUMMARY_MAX_LENGTH, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=IncidentStatus.choices, required=False)
    commander = IdField(queryset=_staff_users(), required=False)
    resolution = StrictCharField(
        max_length=BODY_MAX_LENGTH,
        required=False,
        allow_blank=True,
        help_text="With status resolved: the public resolution message on every linked open "
        "ticket (required while one is open).",
    )
    confirm_vendor_mention = StrictBooleanField(required=False, default=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "resolution" in attrs and attrs.get("status") != IncidentStatus.RESOLVED:
            raise serializers.ValidationError(
                {"resolution": ["Send the resolution with status resolved."]}
            )
        return attrs


class IncidentLinkSerializer(StrictSerializer):
    ticket = IdField(queryset=Ticket.objects.all())


class IncidentUpdateSerializer(StrictSerializer):
    body = StrictCharField(max_length=BODY_MAX_LENGTH)
    next_update_due = AwareDateTimeField(
        required=False,
        allow_null=True,
        help_text="When customers hear from us next (default: each ticket's own cadence).",
    )
    confirm_vendor_mention = StrictBooleanField(required=False, default=False)


def _incidents():
    return Incident.objects.prefetch_related("links")


class IncidentScopedMixin:
    request: Request
    kwargs: dict[str, Any]

    def get_incident(self) -> Incident:
        return get_object_or_404(_incidents(), pk=self.kwargs["incident_id"])

    def incident_response(self, incident: Incident, code: int = status.HTTP_200_OK) -> Response:
        return Response(IncidentSerializer(_incidents().get(pk=incident.pk)).data, status=code)


@extend_schema(tags=["incidents"])
class IncidentListView(generics.ListCreateAPIView):
    permission_classes = [IsHelpdeskStaffElseNotFound]
    serializer_class = IncidentSerializer
    queryset = Incident.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Incident.objects.none()
        return _incidents().order_by("-created_at", "-pk")

    @extend_schema(summary="Major incidents, newest first (staff)", description=STAFF_ONLY)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Open a major incident (staff)",
        description=STAFF_ONLY + " The commander defaults to you.",
        request=IncidentCreateSerializer,
        responses={201: IncidentSerializer, **ERRORS_400, **ERRORS_404},
        examples=[
            OpenApiExample(
                "A mail outage",
                value={
                    "title": "Mail relay down in DC2",
                    "summary": "Some emails are delayed; we are working on it.",
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = IncidentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        incident = services.create_incident(by=request.user, **serializer.validated_data)
        return Response(
            IncidentSerializer(_incidents().get(pk=incident.pk)).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=["incidents"])
class IncidentView(IncidentScopedMixin, generics.GenericAPIView):
    permission_classes = [IsHelpdeskStaffElseNotFound]
    serializer_class = IncidentSerializer

    @extend_schema(
        summary="One major incident (staff)",
        description=STAFF_ONLY,
        responses={200: IncidentSerializer, **ERRORS_404},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(IncidentSerializer(self.get_incident()).data)

    @extend_schema(
        summary="Change or resolve a major incident (staff)",
        description="Status `resolved` with `resolution` resolves every linked open ticket with "
        "that text. A resolved incident takes no more changes (400). All or nothing.",
        request=IncidentChangeSerializer,
        responses={200: IncidentSerializer, **ERRORS_400, **ERRORS_404},
    )
    def patch(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incident = self.get_incident()
        serializer = IncidentChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        resolving = data.get("status") == IncidentStatus.RESOLVED
        resolution = data.pop("resolution", None)
        confirm = data.pop("confirm_vendor_mention")
        if resolving:
            data.pop("status")
        with transaction.atomic():
            if data or not resolving:
                incident = services.change_incident(incident, by=request.user, **data)
            if resolving:
                incident = services.resolve_incident(
                    incident, by=request.user, resolution=resolution, confirm_vendor_mention=confirm
                )
        return self.incident_response(incident)


@extend_schema(tags=["incidents"])
class IncidentTicketsView(IncidentScopedMixin, generics.GenericAPIView):
    permission_classes = [IsHelpdeskStaffElseNotFound]
    serializer_class = IncidentLinkSerializer

    @extend_schema(
        summary="Link a ticket to a major incident (staff)",
        description="An open ticket in no other open incident; it gets the incident's latest "
        "update at once.",
        request=IncidentLinkSerializer,
        responses={201: IncidentSerializer, **ERRORS_400, **ERRORS_404},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incident = self.get_incident()
        serializer = IncidentLinkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.link_ticket(incident, serializer.validated_data["ticket"], by=request.user)
        return self.incident_response(incident, status.HTTP_201_CREATED)


@extend_schema(tags=["incidents"])
class IncidentTicketView(IncidentScopedMixin, generics.GenericAPIView):
    permission_classes = [IsHelpdeskStaffElseNotFound]
    serializer_class = IncidentSerializer

    @extend_schema(
        summary="Unlink a ticket (staff)",
        description="It stays open when the incident resolves. 404 when it is not linked.",
        request=None,
        responses={204: None, **ERRORS_400, **ERRORS_404},
    )
    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incident = self.get_incident()
        try:
            services.unlink_ticket(incident, self.kwargs["ticket_id"], by=request.user)
        except IncidentLink.DoesNotExist as missing:
            raise NotFound("This ticket is not linked to this incident.") from missing
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["incidents"])
class IncidentUpdatesView(IncidentScopedMixin, generics.GenericAPIView):
    permission_classes = [IsHelpdeskStaffElseNotFound]
    serializer_class = IncidentUpdateSerializer

    @extend_schema(
        summary="Post an update to every linked open ticket (staff)",
        description="Each ticket gets it as its own public update (promise kept or breached, "
        "next promise: `next_update_due` or its cadence) and its requester one email. A body "
        "naming a vendor of any linked ticket answers 400 `vendor_mention` unless "
        "`confirm_vendor_mention` is true. The tickets are updated in the background.",
        request=IncidentUpdateSerializer,
        responses={
            201: inline_serializer(
                "IncidentUpdateCreated",
                {"id": serializers.IntegerField(), "tickets_updated": serializers.IntegerField()},
            ),
            **ERRORS_400,
            **ERRORS_404,
        },
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incident = self.get_incident()
        serializer = IncidentUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry, count = services.post_incident_update(
            incident, by=request.user, **serializer.validated_data
        )
        return Response({"id": entry.pk, "tickets_updated": count}, status=status.HTTP_201_CREATED)
