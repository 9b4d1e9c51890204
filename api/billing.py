"""Time and billing (API.md "Time and billing"): work types, time entries, contracts, usage, the
CSV export and month close. Contacts get 404 on every path (except an organisation admin's own
usage); agents get 403 on the manager-only ones. Rules live in billing.services and
billing.selectors; these views only parse and answer."""

import csv
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import django_filters
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.dateparse import parse_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Organization
from api.base import StrictSerializer
from api.fields import (
    AwareDateTimeField,
    IdField,
    StrictBooleanField,
    StrictCharField,
    StrictIntegerField,
)
from api.filters import IdFilter, TrueOrFalseFilter
from api.permissions import IsHelpdeskStaffElseNotFound
from api.schema import ERRORS_400, ERRORS_403, ERRORS_404
from billing import selectors, services
from billing.models import MAX_ENTRY_MINUTES, TimeEntry, WorkType
from billing.services import NOTE_MAX_LENGTH, REASON_MAX_LENGTH, format_decimal
from tickets import validators
from tickets.models import Ticket

STAFF = "Helpdesk staff; contacts get 404."
MANAGER = "Managers; agents get 403, contacts 404."
EXPORT_HEADER = [
    "organization",
    "ticket",
    "date",
    "agent",
    "work_type",
    "minutes",
    "billable_minutes",
    "rate",
    "amount",
]
MONTH_PARAMETER = OpenApiParameter(
    "month",
    str,
    required=True,
    description="YYYY-MM",
    pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$",
)


class StaffReadManagerWriteElseNotFound(IsHelpdeskStaffElseNotFound):
    message = "Only managers make changes here."

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        return request.method in SAFE_METHODS or request.user.is_manager


class ManagerElseNotFound(IsHelpdeskStaffElseNotFound):
    message = "This is for managers."

    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and request.user.is_manager


# --- work types -----------------------------------------------------------------------------


class WorkTypeSerializer(StrictSerializer):
    id = serializers.IntegerField(read_only=True)
    name = StrictCharField(max_length=80)
    active = StrictBooleanField(required=False, default=True)

    def create(self, validated_data: dict[str, Any]) -> WorkType:
        return services.save_work_type(None, by=self.context["request"].user, **validated_data)

    def update(self, instance: WorkType, validated_data: dict[str, Any]) -> WorkType:
        return services.save_work_type(instance, by=self.context["request"].user, **validated_data)


@extend_schema_view(
    get=extend_schema(summary="Work types (staff)", description=STAFF),
    post=extend_schema(
        summary="Add a work type (manager)",
        description=MANAGER,
        responses={201: WorkTypeSerializer, **ERRORS_400, **ERRORS_403, **ERRORS_404},
    ),
)
class WorkTypeListView(generics.ListCreateAPIView):
    permission_classes = [StaffReadManagerWriteElseNotFound]
    serializer_class = WorkTypeSerializer
    filter_backends: list = []
    queryset = WorkType.objects.order_by("name", "id")


@extend_schema_view(
    get=extend_schema(summary="One work type (staff)", description=STAFF),
    patch=extend_schema(
        summary="Rename or retire a work type (manager)",
        description=MANAGER,
        responses={200: WorkTypeSerializer, **ERRORS_400, **ERRORS_403, **ERRORS_404},
    ),
)
class WorkTypeView(generics.RetrieveUpdateAPIView):
    permission_classes = [StaffReadManagerWriteElseNotFound]
    serializer_class = WorkTypeSerializer
    queryset = WorkType.objects.all()
    lookup_url_kwarg = "work_type_id"
    http_method_names = ["get", "patch", "head", "options"]


# --- time entries ---------------------------------------------------------------------------


class TimeEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = TimeEntry
        fields = [
            "id",
            "ticket",
            "agent",
            "started_at",
            "minutes",
            "billable",
            "work_type",
            "note",
            "created_at",
        ]
        read_only_fields = fields


class TimeEntryCreateSerializer(StrictSerializer):
    started_at = AwareDateTimeField(
        required=False, help_text="Any past time; default: now minus the minutes."
    )
    minutes = StrictIntegerField(min_value=1, max_value=MAX_ENTRY_MINUTES)
    billable = StrictBooleanField(required=False, default=True)
    work_type = IdField(
        queryset=WorkType.objects.filter(active=True),
        required=False,
        help_text="Default: the first active work type.",
    )
    note = StrictCharField(
        max_length=NOTE_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="Internal.",
    )


class TimeEntryChangeSerializer(StrictSerializer):
    started_at = AwareDateTimeField(required=False)
    minutes = StrictIntegerField(required=False, min_value=1, max_value=MAX_ENTRY_MINUTES)
    billable = StrictBooleanField(required=False)
    work_type = IdField(queryset=WorkType.objects.all(), required=False)
    note = StrictCharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True)
    reason = StrictCharField(
        max_length=REASON_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required from a manager changing an entry that is not theirs or is locked.",
    )


class TicketTimeView(APIView):
    permission_classes = [IsHelpdeskStaffElseNotFound]

    def _ticket(self) -> Ticket:
        return get_object_or_404(
            Ticket.objects.select_related("organization"), pk=self.kwargs["ticket_id"]
        )

    @extend_schema(
        summary="A ticket's time entries, latest first (staff)",
        description=STAFF,
        responses={200: TimeEntrySerializer(many=True), **ERRORS_404},
        tags=["time and billing"],
    )
    def get(self, request: Request, ticket_id: int) -> Response:
        entries = selectors.entries_for_ticket(self._ticket())
        return Response(TimeEntrySerializer(entries, many=True).data)

    @extend_schema(
        summary="Log time on a ticket (staff)",
        description=STAFF + " 400 when the month of started_at is closed.",
        request=TimeEntryCreateSerializer,
        responses={201: TimeEntrySerializer, **ERRORS_400, **ERRORS_404},
        examples=[
            OpenApiExample(
                "Half an hour on site",
                value={"minutes": 30, "work_type": 2, "note": "Replaced the switch."},
                request_only=True,
            )
        ],
        tags=["time and billing"],
    )
    def post(self, request: Request, ticket_id: int) -> Response:
        ticket = self._ticket()
        form = TimeEntryCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        entry = services.log_time(ticket=ticket, agent=request.user, **form.validated_data)
        return Response(TimeEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class MomentOrDayField(forms.Field):
    """An ISO 8601 datetime with its offset, or a date (its midnight in UTC)."""

    def to_python(self, value: Any) -> datetime | None:
        if value in (None, ""):
            return None
        try:
            day = parse_date(value)
        except ValueError:
            day = None
        if day is not None:
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        try:
            return validators.parse_moment(value, "value")
        except DjangoValidationError:
            raise forms.ValidationError(
                "Give an ISO 8601 date (2026-12-01) or date and time with its offset."
            ) from None


@extend_schema_field(OpenApiTypes.STR)
class MomentOrDayFilter(django_filters.Filter):
    field_class = MomentOrDayField


class TimeEntryFilter(django_filters.FilterSet):
    organization = IdFilter(field_name="ticket__organization_id")
    agent = IdFilter(field_name="agent_id")
    ticket = IdFilter(field_name="ticket_id")
    billable = TrueOrFalseFilter()
    since = MomentOrDayFilter(
        field_name="started_at",
        lookup_expr="gte",
        help_text="Inclusive: ISO 8601 datetime or date.",
    )
    until = MomentOrDayFilter(
        field_name="started_at", lookup_expr="lt", help_text="Exclusive: ISO 8601 datetime or date."
    )

    class Meta:
        model = TimeEntry
        fields: list[str] = []


@extend_schema(tags=["time and billing"])
@extend_schema_view(
    get=extend_schema(
        summary="Time entries, latest first (staff)",
        description=STAFF,
        responses={200: TimeEntrySerializer(many=True), **ERRORS_400, **ERRORS_404},
    )
)
class TimeEntryListView(generics.ListAPIView):
    permission_classes = [IsHelpdeskStaffElseNotFound]
    serializer_class = TimeEntrySerializer
    filterset_class = TimeEntryFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    queryset = TimeEntry.objects.order_by("-started_at", "-id")


def _reason(request: Request) -> str:
    reason = request.query_params.get("reason")
    if reason is None and isinstance(request.data, dict):
        reason = request.data.get("reason", "")
    if not isinstance(reason, str) or len(reason) > REASON_MAX_LENGTH:
        raise serializers.ValidationError(
            {"reason": [f"Give a reason of at most {REASON_MAX_LENGTH} characters."]}
        )
    return reason


@extend_schema(tags=["time and billing"])
class TimeEntryView(APIView):
    permission_classes = [IsHelpdeskStaffElseNotFound]

    def _entry(self) -> TimeEntry:
        return get_object_or_404(
            TimeEntry.objects.select_related("ticket__organization"), pk=self.kwargs["entry_id"]
        )

    @extend_schema(
        summary="One time entry (staff)",
        responses={200: TimeEntrySerializer, **ERRORS_404},
        description=STAFF,
    )
    def get(self, request: Request, entry_id: int) -> Response:
        return Response(TimeEntrySerializer(self._entry()).data)

    @extend_schema(
        summary="Change a time entry (its author within TIME_EDIT_DAYS, or a manager)",
        description=STAFF + " A manager gives `reason` unless they are the author within the "
        "window; 400 while the entry's month (or the one it would move into) is closed; 403 for "
        "anyone else.",
        request=TimeEntryChangeSerializer,
        responses={200: TimeEntrySerializer, **ERRORS_400, **ERRORS_403, **ERRORS_404},
    )
    def patch(self, request: Request, entry_id: int) -> Response:
        entry = self._entry()
        form = TimeEntryChangeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        changes = dict(form.validated_data)
        reason = changes.pop("reason", "")
        entry = services.change_entry(
            entry, by=request.user, reason=reason, request=request._request, **changes
        )
        return Response(TimeEntrySerializer(entry).data)

    @extend_schema(
        summary="Delete a time entry (its author within TIME_EDIT_DAYS, or a manager)",
        description=STAFF + " A manager gives `reason` (query parameter or body) unless they "
        "are the author within the window; 400 while the entry's month is closed.",
        parameters=[OpenApiParameter("reason", str, required=False, description="See above.")],
        request=None,
        responses={204: None, **ERRORS_400, **ERRORS_403, **ERRORS_404},
    )
    def delete(self, request: Request, entry_id: int) -> Response:
        entry = self._entry()
        services.delete_entry(
            entry, by=request.user, reason=_reason(request), request=request._request
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- contract, usage ------------------------------------------------------------------------


class ContractSerializer(StrictSerializer):
    included_minutes = StrictIntegerField(min_value=0, max_value=1_000_000)
    rates = serializers.DictField(
        child=serializers.CharField(),
        help_text='{"<work type id>": "<amount per hour>"}; a work type without a rate is '
        "charged 0.",
    )
    rounding_minutes = StrictIntegerField(min_value=0, max_value=1440)
    out_of_hours_multiplier = StrictCharField(help_text='A decimal such as "1.5" (string).')
    currency = serializers.CharField(read_only=True)


def _contract_data(organization: Organization) -> dict[str, Any]:
    contract = selectors.contract_for(organization)
    facts = services.contract_facts(contract)
    return {**facts, "currency": settings.BILLING_CURRENCY}


def _organization(organization_id: int) -> Organization:
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        raise NotFound()
    return organization


@extend_schema(tags=["time and billing"])
class ContractView(APIView):
    permission_classes = [ManagerElseNotFound]

    @extend_schema(
        summary="An organisation's contract (manager)",
        description=MANAGER,
        responses={200: ContractSerializer, **ERRORS_403, **ERRORS_404},
    )
    def get(self, request: Request, organization_id: int) -> Response:
        return Response(_contract_data(_organization(organization_id)))

    @extend_schema(
        summary="Replace an organisation's contract (manager)",
        description=MANAGER + " The change goes to the audit log (settings_changed).",
        request=ContractSerializer,
        responses={200: ContractSerializer, **ERRORS_400, **ERRORS_403, **ERRORS_404},
        examples=[
            OpenApiExample(
                "Ten hours a month, 15-minute steps",
                value={
                    "included_minutes": 600,
                    "rates": {"1": "95.00", "2": "120.00"},
                    "rounding_minutes": 15,
                    "out_of_hours_multiplier": "1.5",
                },
                request_only=True,
            )
        ],
    )
    def put(self, request: Request, organization_id: int) -> Response:
        organization = _organization(organization_id)
        form = ContractSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.save_contract(
            organization, by=request.user, request=request._request, **form.validated_data
        )
        return Response(_contract_data(organization))


UsageSerializer = inline_serializer(
    "Usage",
    fields={
        "month": serializers.CharField(),
        "minutes_logged": serializers.IntegerField(),
        "billable_minutes": serializers.CharField(help_text='Decimal string, e.g. "22.5".'),
        "included_minutes": serializers.IntegerField(),
        "over_minutes": serializers.CharField(help_text="Decimal string, never negative."),
        "amount": serializers.CharField(
            required=False, help_text="Managers; organisation admins if PORTAL_SHOWS_AMOUNTS."
        ),
        "currency": serializers.CharField(
            required=False, help_text="Managers; organisation admins if PORTAL_SHOWS_AMOUNTS."
        ),
    },
)


class OrganizationAdminOrManager(BasePermission):
    """Managers: any organisation. A contact with sees_organization_tickets: their own (without
    amount unless PORTAL_SHOWS_AMOUNTS). Every other contact: 404; agents: 403."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if user.is_contact:
            organization_id = view.kwargs.get("organization_id")
            if user.sees_organization_tickets and user.organization_id == organization_id:
                return True
            raise NotFound()
        if not user.is_manager:
            raise PermissionDenied("This is for managers.")
        return True


@extend_schema(tags=["time and billing"])
class UsageView(APIView):
    permission_classes = [OrganizationAdminOrManager]

    @extend_schema(
        summary="An organisation's usage in a month",
        description="Managers; an organisation admin contact gets their own organisation's "
        "usage, with amount and currency only when PORTAL_SHOWS_AMOUNTS is on; agents 403, "
        "other contacts 404.",
        parameters=[MONTH_PARAMETER],
        responses={200: UsageSerializer, **ERRORS_400, **ERRORS_403, **ERRORS_404},
    )
    def get(self, request: Request, organization_id: int) -> Response:
        organization = _organization(organization_id)
        month = services.parse_month(request.query_params.get("month"))
        usage = selectors.organization_usage(organization, month)
        data: dict[str, Any] = {
            "month": f"{month:%Y-%m}",
            "minutes_logged": usage.minutes_logged,
            "billable_minutes": format_decimal(usage.billable_minutes),
            "included_minutes": usage.included_minutes,
            "over_minutes": format_decimal(usage.over_minutes),
        }
        if request.user.is_manager or settings.PORTAL_SHOWS_AMOUNTS:
            data["amount"] = f"{usage.amount:.2f}"
            data["currency"] = settings.BILLING_CURRENCY
        return Response(data)


# --- export, month close --------------------------------------------------------------------


class _Echo:
    def write(self, value: str) -> str:
        return value


def export_rows(lines) -> Iterator[str]:
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield writer.writerow(EXPORT_HEADER)
    for line in lines:
        yield writer.writerow(
            [
                line.organization,
                line.ticket,
                line.date.isoformat(),
                line.agent,
                line.work_type,
                line.minutes,
                format_decimal(line.billable_minutes),
                f"{line.rate:.2f}",
                f"{line.amount:.2f}",
            ]
        )


class ExportView(APIView):
    permission_classes = [ManagerElseNotFound]

    def perform_content_negotiation(self, request: Request, force: bool = False):
        # Any Accept header gets the CSV (a StreamingHttpResponse skips the renderers); errors
        # stay JSON like every other API error instead of a 406.
        return (JSONRenderer(), "application/json")

    @extend_schema(
        summary="The month's billable entries as CSV (manager)",
        description=MANAGER
        + " text/csv whatever the Accept header, streamed; header row "
        + ",".join(EXPORT_HEADER)
        + ". The amounts add up to the usages' amounts.",
        parameters=[
            MONTH_PARAMETER,
            OpenApiParameter("organization", int, required=False, description="One organisation."),
        ],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The CSV."),
            **ERRORS_400,
            **ERRORS_403,
            **ERRORS_404,
        },
        tags=["time and billing"],
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        month = services.parse_month(request.query_params.get("month"))
        organization_id = _optional_id(request.query_params.get("organization"), "organization")
        services.record_export(
            by=request.user, month=month, organization_id=organization_id, request=request._request
        )
        response = StreamingHttpResponse(
            export_rows(selectors.export_lines(month, organization_id)),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="time-{month:%Y-%m}.csv"'
        return response


def _optional_id(value: str | None, field: str) -> int | None:
    if value is None:
        return None
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) < 2**63:
        raise serializers.ValidationError({field: ["Give an id (a whole number from 1)."]})
    return int(value)


MonthClosedSerializer = inline_serializer(
    "MonthClosed", fields={"month": serializers.CharField(), "closed": serializers.BooleanField()}
)


@extend_schema(tags=["time and billing"])
class MonthCloseView(APIView):
    permission_classes = [ManagerElseNotFound]
    closing = True

    @extend_schema(
        summary="Close (or reopen) a month for every organisation (manager)",
        description=MANAGER + " While a month is closed its entries cannot be created, changed "
        "or deleted.",
        request=None,
        responses={200: MonthClosedSerializer, **ERRORS_400, **ERRORS_403, **ERRORS_404},
    )
    def post(self, request: Request, month: str) -> Response:
        first_day = services.parse_month(month)
        if self.closing:
            services.close_month(first_day, by=request.user, request=request._request)
        else:
            services.reopen_month(first_day, by=request.user, request=request._request)
        return Response({"month": f"{first_day:%Y-%m}", "closed": self.closing})


class MonthReopenView(MonthCloseView):
    closing = False
