"""Vendors, vendor escalations and their notes, and vendor scorecards (staff only):

- /api/v1/vendors/ and /api/v1/vendors/{id}/, /api/v1/vendors/{id}/scorecard/
- /api/v1/tickets/{id}/escalations/
- /api/v1/escalations/{id}/ and /api/v1/escalations/{id}/notes/

Everything here is internal (DESIGN rule 7): to a customer contact none of it exists, so every
endpoint answers them 404 (api.permissions.IsHelpdeskStaffElseNotFound), whatever the id. The
views are thin: rules live in vendors.services, reads in vendors.selectors.
"""

from datetime import datetime, time
from typing import Any

import django_filters
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import StrictModelSerializer, StrictSerializer
from api.fields import (
    AwareDateTimeField,
    IdField,
    StrictBooleanField,
    StrictCharField,
    StrictIntegerField,
)
from api.filters import TrueOrFalseFilter
from api.permissions import IsHelpdeskStaffElseNotFound
from api.schema import ERRORS_400, ERRORS_404
from api.selectors import visible_tickets
from audit.services import record
from tickets import validators
from tickets.models import Ticket
from vendors import selectors, services
from vendors.models import (
    NOTE_MAX_LENGTH,
    SUMMARY_MAX_LENGTH,
    EscalationNote,
    EscalationStatus,
    Vendor,
    VendorEscalation,
)

STAFF_ONLY = "Helpdesk staff only; to anyone else these endpoints answer 404."


# --- vendors ------------------------------------------------------------------------------------


class VendorSerializer(StrictModelSerializer):
    name = StrictCharField(max_length=200)
    aliases = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=5000,
        help_text="Other names for the vendor, one per line or comma-separated; the "
        "vendor-mention guard looks for these too.",
    )
    support_email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    support_phone = StrictCharField(max_length=50, required=False, allow_blank=True)
    portal_url = serializers.URLField(max_length=200, required=False, allow_blank=True)
    account_number = StrictCharField(max_length=100, required=False, allow_blank=True)
    contract_reference = StrictCharField(max_length=100, required=False, allow_blank=True)
    support_hours = StrictCharField(max_length=200, required=False, allow_blank=True)
    expected_response_minutes = StrictIntegerField(
        min_value=1,
        max_value=2**31 - 1,
        required=False,
        allow_null=True,
        help_text="How soon the vendor promises to acknowledge a case; null if unknown.",
    )
    notes = StrictCharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True)
    is_active = StrictBooleanField(
        required=False, help_text="Inactive vendors keep their history but take no new cases."
    )

    class Meta:
        model = Vendor
        fields = ["id", *services.VENDOR_FIELDS, "created_at"]
        read_only_fields = ["id", "created_at"]
        # The service runs the model's full validation (uniqueness included) in one place.
        validators: list = []

    def _audit(self, vendor: Vendor, fields) -> Vendor:
        request = self.context["request"]
        record(
            "settings_changed",
            target=vendor,
            request=request._request,
            actor=request.user,
            detail={"fields": sorted(fields), "via": "api"},
        )
        return vendor

    def create(self, validated_data: dict[str, Any]) -> Vendor:
        # The change and its audit event commit together.
        with transaction.atomic():
            return self._audit(services.create_vendor(**validated_data), validated_data)

    def update(self, instance: Vendor, validated_data: dict[str, Any]) -> Vendor:
        with transaction.atomic():
            vendor = services.update_vendor(instance, changes=validated_data)
            return self._audit(vendor, validated_data)


# What scorecard_period reads, as the schema says it (years 2000-2099, tickets.validators).
DAY_OR_MOMENT = {
    "anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}],
    "description": "A date, or a date and time with its offset, in the years "
    f"{validators.EARLIEST_YEAR}-{validators.LATEST_YEAR}.",
}


def _moment(value: str, field: str, *, end_of_day: bool = False) -> datetime:
    """An ISO 8601 date-time with offset, or a plain date (midnight in the server's zone)."""
    value = value.strip()
    # A plain date first: parse_datetime would read "2026-03-01" as a naive midnight.
    try:
        day = parse_date(value)
        moment = None if day is not None else parse_datetime(value)
    except ValueError:
        moment = day = None
    if moment is not None:
        if timezone.is_naive(moment):
            raise ValidationError({field: ["Give the time zone offset, e.g. 2026-03-02T00:00Z."]})
        return validators.moment_in_range(moment, field)
    if day is not None:
        return timezone.make_aware(datetime.combine(validators.day_in_range(day, field), time.min))
    raise ValidationError({field: ["Give a date (2026-03-01) or a date and time with its offset."]})


def scorecard_period(query: dict[str, str]) -> tuple[datetime | None, datetime | None]:
    since = _moment(query["since"], "since") if query.get("since") else None
    until = _moment(query["until"], "until") if query.get("until") else None
    if since is not None and until is not None and until <= since:
        raise ValidationError({"until": ["Must be after since."]})
    return since, until


ScorecardSerializer = inline_serializer(
    "VendorScorecard",
    fields={
        "vendor": serializers.IntegerField(),
        "vendor_name": serializers.CharField(),
        "since": serializers.DateTimeField(allow_null=True),
        "until": serializers.DateTimeField(allow_null=True),
        "escalations": serializers.IntegerField(help_text="Cases opened in the period."),
        "median_minutes_to_acknowledge": serializers.FloatField(allow_null=True),
        "p90_minutes_to_acknowledge": serializers.FloatField(allow_null=True),
        "median_minutes_to_resolve": serializers.FloatField(allow_null=True),
        "p90_minutes_to_resolve": serializers.FloatField(allow_null=True),
        "breached_expected_response": serializers.IntegerField(
            help_text="Cases acknowledged after the vendor's expected response time, or not "
            "acknowledged and already past it."
        ),
        "breached_expected_response_share": serializers.FloatField(allow_null=True),
        "pushbacks": serializers.IntegerField(help_text="Notes flagged as pushback."),
        "rca_requested": serializers.IntegerField(),
        "rca_received": serializers.IntegerField(),
        "repeat_incidents": serializers.IntegerField(
            help_text="Cases for a customer within 30 days of that customer's previous case."
        ),
        "acknowledgement_overdue": serializers.IntegerField(
            help_text="Cases still waiting for acknowledgement past the expected response time."
        ),
    },
)


class VendorFilter(django_filters.FilterSet):
    is_active = TrueOrFalseFilter()
    search = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", max_length=200, help_text="Part of the name."
    )

    class Meta:
        model = Vendor
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(
        summary="Vendors (staff)",
        description=STAFF_ONLY,
        responses={200: VendorSerializer(many=True), **ERRORS_404},
    ),
    retrieve=extend_schema(
        summary="One vendor (staff)", responses={200: VendorSerializer, **ERRORS_404}
    ),
    create=extend_schema(
        summary="Add a vendor (staff)",
        responses={201: VendorSerializer, **ERRORS_400, **ERRORS_404},
        examples=[
            OpenApiExample(
                "A supplier with a response commitment",
                value={
                    "name": "Contoso Networks",
                    "aliases": "Contoso, CNW",
                    "support_email": "support@contoso.example",
                    "support_phone": "+44 20 7946 0000",
                    "expected_response_minutes": 60,
                },
                request_only=True,
            )
        ],
    ),
    partial_update=extend_schema(
        summary="Change a vendor (staff)",
        responses={200: VendorSerializer, **ERRORS_400, **ERRORS_404},
        examples=[
            OpenApiExample(
                "New response commitment",
                value={"expected_response_minutes": 30},
                request_only=True,
            )
        ],
    ),
    scorecard=extend_schema(
        summary="How a vendor supported us (staff)",
        description="Figures over the escalations opened in [since, until); both optional, each "
        "a date (midnight, server time zone) or an ISO 8601 date-time with offset. Minutes are "
        "wall-clock minutes from opening; percentiles use the nearest-rank method.",
        parameters=[
            OpenApiParameter("since", DAY_OR_MOMENT, description="e.g. 2026-01-01"),
            OpenApiParameter("until", DAY_OR_MOMENT, description="e.g. 2026-04-01T00:00:00Z"),
        ],
        responses={200: ScorecardSerializer, **ERRORS_400, **ERRORS_404},
        examples=[
            OpenApiExample(
                "A quarter",
                value={
                    "vendor": 3,
                    "vendor_name": "Contoso Networks",
                    "since": "2026-01-01T00:00:00Z",
                    "until": "2026-04-01T00:00:00Z",
                    "escalations": 12,
                    "median_minutes_to_acknowledge": 42.5,
                    "p90_minutes_to_acknowledge": 180.0,
                    "median_minutes_to_resolve": 1260.0,
                    "p90_minutes_to_resolve": 4320.0,
                    "breached_expected_response": 3,
                    "breached_expected_response_share": 0.25,
                    "pushbacks": 4,
                    "rca_requested": 2,
                    "rca_received": 1,
                    "repeat_incidents": 1,
                    "acknowledgement_overdue": 0,
                },
                response_only=True,
            )
        ],
    ),
)
class VendorViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [IsHelpdeskStaffElseNotFound]
    serializer_class = VendorSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = r"[0-9]{1,18}"
    filterset_class = VendorFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    queryset = Vendor.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Vendor.objects.none()
        return selectors.vendors_for_staff()

    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def scorecard(self, request: Request, pk: str | None = None) -> Response:
        vendor = self.get_object()
        since, until = scorecard_period(request.query_params)
        (card,) = selectors.vendor_scorecards(since=since, until=until, vendors=[vendor])
        return Response(
            {
                "vendor": vendor.pk,
                "vendor_name": vendor.name,
                "since": since.isoformat() if since else None,
                "until": until.isoformat() if until else None,
                **card.figures(),
            }
        )


# --- escalations --------------------------------------------------------------------------------


class EscalationSerializer(serializers.ModelSerializer):
    """A vendor case as staff see it."""

    # Null on a major incident's case, which has `incident` instead.
    ticket_reference = serializers.CharField(
        source="ticket.reference", read_only=True, allow_null=True
    )
    vendor_name = serializers.CharField(source="vendor.name", read_only=True)
    opened_by_name = serializers.CharField(
        source="opened_by.display_name", read_only=True, allow_null=True
    )
    pushbacks = serializers.IntegerField(source="pushback_count", read_only=True)
    breached_expected_response = serializers.SerializerMethodField()
    acknowledgement_overdue = serializers.SerializerMethodField()

    class Meta:
        model = VendorEscalation
        fields = [
            "id",
            "ticket",
            "ticket_reference",
            "incident",
            "vendor",
            "vendor_name",
            "vendor_reference",
            "summary",
            "status",
            "opened_at",
            "opened_by",
            "opened_by_name",
            "acknowledged_at",
            "resolved_at",
            "acknowledge_by",
            "next_chase_at",
            "rca_requested",
            "rca_received",
            "pushbacks",
            "breached_expected_response",
            "acknowledgement_overdue",
            "updated_at",
        ]
        read_only_fields = fields

    def get_breached_expected_response(self, escalation: VendorEscalation) -> bool:
        return escalation.breached_expected_response()

    def get_acknowledgement_overdue(self, escalation: VendorEscalation) -> bool:
        return escalation.acknowledgement_overdue()


class EscalationCreateSerializer(StrictSerializer):
    vendor = IdField(queryset=Vendor.objects.all(), help_text="An active vendor.")
    summary = StrictCharField(max_length=SUMMARY_MAX_LENGTH, help_text="What we asked them.")
    vendor_reference = StrictCharField(
        max_length=services.REFERENCE_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="The vendor's own case number.",
    )
    status = serializers.ChoiceField(
        choices=EscalationStatus.choices, required=False, default=EscalationStatus.OPEN
    )
    next_chase_at = AwareDateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="When the ticket owner is reminded to chase the vendor (future, within a year).",
    )
    mark_ticket_waiting = StrictBooleanField(
        required=False,
        default=False,
        help_text="Also move the ticket to waiting_on_vendor (the customer still gets updates).",
    )


class EscalationChangeSerializer(StrictSerializer):
    vendor_reference = StrictCharField(
        max_length=services.REFERENCE_MAX_LENGTH, required=False, allow_blank=True
    )
    summary = StrictCharField(max_length=SUMMARY_MAX_LENGTH, required=False)
    status = serializers.ChoiceField(
        choices=EscalationStatus.choices,
        required=False,
        help_text="The first status other than open stamps acknowledged_at; resolved or closed "
        "stamps resolved_at and stops the chasing. Closed is final; nothing goes back to open.",
    )
    next_chase_at = AwareDateTimeField(
        required=False, allow_null=True, help_text="null stops the chase reminders."
    )
    rca_requested = StrictBooleanField(required=False)
    rca_received = StrictBooleanField(required=False)


class EscalationScopedMixin:
    request: Request
    kwargs: dict[str, Any]

    def get_escalation(self) -> VendorEscalation:
        try:
            return selectors.escalation_with_notes(self.kwargs["escalation_id"])
        except VendorEscalation.DoesNotExist:
            raise NotFound() from None


@extend_schema(tags=["escalations"])
class TicketEscalationsView(generics.ListCreateAPIView):
    """A ticket's vendor escalations, active ones first."""

    permission_classes = [IsHelpdeskStaffElseNotFound]
    serializer_class = EscalationSerializer
    filter_backends: list = []
    queryset = VendorEscalation.objects.none()

    def get_ticket(self) -> Ticket:
        return get_object_or_404(visible_tickets(self.request.user), pk=self.kwargs["ticket_id"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return VendorEscalation.objects.none()
        return selectors.ticket_escalations(self.get_ticket()).select_related("ticket")

    @extend_schema(
        summary="A ticket's vendor escalations (staff)",
        description=STAFF_ONLY,
        responses={200: EscalationSerializer(many=True), **ERRORS_404},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Escalate a ticket to a vendor (staff)",
        description="Records the case we opened with the vendor; logged on the ticket's internal "
        "timeline, never shown to the customer.",
        request=EscalationCreateSerializer,
        responses={201: EscalationSerializer, **ERRORS_400, **ERRORS_404},
        examples=[
            OpenApiExample(
                "A case opened by phone",
                value={
                    "vendor": 3,
                    "vendor_reference": "CN-558812",
                    "summary": "Core switch stack member 2 reboots every ~40 minutes.",
                    "next_chase_at": "2026-03-02T16:00:00+00:00",
                    "mark_ticket_waiting": True,
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ticket = self.get_ticket()
        serializer = EscalationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        escalation = services.open_escalation(
            ticket=ticket, by=request.user, **serializer.validated_data
        )
        escalation = selectors.escalation_with_notes(escalation.pk)
        return Response(EscalationSerializer(escalation).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["escalations"])
class EscalationView(EscalationScopedMixin, generics.GenericAPIView):
    permission_classes = [IsHelpdeskStaffElseNotFound]
    serializer_class = EscalationSerializer

    @extend_schema(
        summary="One vendor escalation (staff)",
        description=STAFF_ONLY,
        responses={200: EscalationSerializer, **ERRORS_404},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(EscalationSerializer(self.get_escalation()).data)

    @extend_schema(
        summary="Change a vendor escalation (staff)",
        description="All changes apply or none does.",
        request=EscalationChangeSerializer,
        responses={200: EscalationSerializer, **ERRORS_400, **ERRORS_404},
        examples=[
            OpenApiExample(
                "The vendor acknowledged",
                value={"status": "acknowledged", "vendor_reference": "CN-558812"},
                request_only=True,
            ),
            OpenApiExample(
                "Resolved, RCA asked for",
                value={"status": "resolved", "rca_requested": True},
                request_only=True,
            ),
        ],
    )
    def patch(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        escalation = self.get_escalation()
        serializer = EscalationChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.update_escalation(escalation, by=request.user, changes=serializer.validated_data)
        return Response(EscalationSerializer(self.get_escalation()).data)


class EscalationNoteSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(
        source="author.display_name", read_only=True, allow_null=True
    )

    class Meta:
        model = EscalationNote
        fields = ["id", "escalation", "author", "author_name", "body", "pushback", "created_at"]
        read_only_fields = fields


class EscalationNoteCreateSerializer(StrictSerializer):
    body = StrictCharField(max_length=NOTE_MAX_LENGTH)
    pushback = StrictBooleanField(
        required=False,
        default=False,
        help_text="The vendor pushed work back to us or to the customer.",
    )


@extend_schema(tags=["escalations"])
class EscalationNotesView(EscalationScopedMixin, generics.ListCreateAPIView):
    permission_classes = [IsHelpdeskStaffElseNotFound]
    serializer_class = EscalationNoteSerializer
    filter_backends: list = []
    queryset = EscalationNote.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return EscalationNote.objects.none()
        return selectors.escalation_notes(self.get_escalation())

    @extend_schema(
        summary="Notes on a vendor escalation, oldest first (staff)",
        description=STAFF_ONLY,
        responses={200: EscalationNoteSerializer(many=True), **ERRORS_404},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Add a note to a vendor escalation (staff)",
        description="Internal; never a customer update and never keeps a promise.",
        request=EscalationNoteCreateSerializer,
        responses={201: EscalationNoteSerializer, **ERRORS_400, **ERRORS_404},
        examples=[
            OpenApiExample(
                "Pushback",
                value={
                    "body": "Vendor asks the customer to re-run the diagnostics we sent on Monday.",
                    "pushback": True,
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        escalation = self.get_escalation()
        serializer = EscalationNoteCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        note = services.log_escalation_note(
            escalation, author=request.user, **serializer.validated_data
        )
        note = selectors.escalation_notes(escalation).get(pk=note.pk)
        return Response(EscalationNoteSerializer(note).data, status=status.HTTP_201_CREATED)
