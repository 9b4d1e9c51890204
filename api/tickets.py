"""/api/v1/tickets/: list, create, read and (staff) change tickets through tickets.services."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.filters import OrderingFilter
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Organization, Role, User
from api.base import ReadListSerializer, StrictSerializer
from api.fields import (
    AwareDateTimeField,
    IdField,
    StrictCharField,
    StrictIntegerField,
)
from api.filters import IdFilter, PriorityFilter, TrueOrFalseFilter
from api.multipart import attachments_field, form_data
from api.pagination import TicketPagination
from api.parsers import LimitedJSONParser
from api.permissions import StaffMayChangeTickets
from api.schema import ERRORS_400, ERRORS_403, ERRORS_404, ERRORS_409
from api.selectors import visible_tickets
from tickets import services as ticket_services
from tickets.models import BODY_MAX_LENGTH, SUBJECT_MAX_LENGTH, Status, Ticket, customer_status
from tickets.search import search_tickets
from updates import services as update_services

# TicketSerializer's fields that are not columns of the ticket.
_COMPUTED = {"reference", "organization_name", "requester_name", "owner_name", "update_overdue"}


class TicketSerializer(serializers.ModelSerializer):
    """A ticket as staff see it."""

    reference = serializers.CharField(read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    requester_name = serializers.CharField(
        source="requester.display_name", read_only=True, allow_null=True
    )
    owner_name = serializers.CharField(source="owner.display_name", read_only=True, allow_null=True)
    update_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Ticket
        fields = [
            "id",
            "reference",
            "organization",
            "organization_name",
            "requester",
            "requester_name",
            "subject",
            "description",
            "status",
            "impact",
            "urgency",
            "priority",
            "priority_override",
            "priority_override_reason",
            "owner",
            "owner_name",
            "next_update_due",
            "update_overdue",
            "eta",
            "needed_by",
            "problem_statement",
            "understanding_confirmed_at",
            "created_at",
            "updated_at",
            "resolved_at",
            "closed_at",
            "merged_into",
        ]
        read_only_fields = fields
        list_serializer_class = ReadListSerializer


# The columns TicketSerializer reads (its own fields, the names beside the ids); a list row
# needs nothing else.
LIST_COLUMNS = (
    *(name for name in TicketSerializer.Meta.fields if name not in _COMPUTED),
    "organization__name",
    "requester__name",
    "requester__email",
    "owner__name",
    "owner__email",
)


class CustomerTicketSerializer(TicketSerializer):
    """A ticket as its customer sees it: a vendor wait reads "in_progress" and the internal
    reasoning behind a priority override is left out (DESIGN rule 7)."""

    status = serializers.SerializerMethodField()

    class Meta(TicketSerializer.Meta):
        fields = [
            name
            for name in TicketSerializer.Meta.fields
            if name not in ("priority_override", "priority_override_reason")
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=Status.choices))
    def get_status(self, ticket: Ticket) -> str:
        return customer_status(ticket.status)


def ticket_serializer_for(user: User) -> type[TicketSerializer]:
    return TicketSerializer if user.is_helpdesk_staff else CustomerTicketSerializer


class TicketCreateSerializer(StrictSerializer):
    """Staff give the organisation (and may give requester, owner); a contact's tickets are
    always their organisation's and their own."""

    organization = IdField(queryset=Organization.objects.none(), required=False)
    requester = IdField(queryset=User.objects.none(), required=False, allow_null=True)
    owner = IdField(queryset=User.objects.none(), required=False, allow_null=True)
    subject = StrictCharField(max_length=SUBJECT_MAX_LENGTH)
    description = StrictCharField(
        max_length=BODY_MAX_LENGTH, required=False, allow_blank=True, default=""
    )
    impact = StrictIntegerField(min_value=1, max_value=4)
    urgency = StrictIntegerField(min_value=1, max_value=4)
    needed_by = AwareDateTimeField(required=False, allow_null=True)
    attachments = attachments_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is None:  # the schema generator describes the fields without a caller
            return
        user: User = request.user
        # The organisation comes with its support plan and cadence rules: creating the ticket
        # reads them for the first promise and again for its reminders (two queries saved).
        organizations = Organization.objects.select_related("support_plan").prefetch_related(
            "support_plan__cadence_rules"
        )
        if user.is_helpdesk_staff:
            self.fields["organization"].queryset = organizations
            self.fields["requester"].queryset = User.objects.filter(role=Role.CONTACT)
            self.fields["owner"].queryset = User.objects.all()
        else:
            # A contact can name only what they can see: their organisation and themselves.
            self.fields["organization"].queryset = organizations.filter(pk=user.organization_id)
            self.fields["requester"].queryset = User.objects.filter(pk=user.pk)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        user: User = self.context["request"].user
        if user.is_helpdesk_staff:
            if "organization" not in attrs:
                raise serializers.ValidationError({"organization": ["This field is required."]})
        else:
            if attrs.get("owner") is not None:
                raise serializers.ValidationError(
                    {"owner": ["The helpdesk assigns an owner; leave this out."]}
                )
            attrs["organization"] = user.organization
            attrs["requester"] = user
        return attrs


class TicketChangeSerializer(StrictSerializer):
    impact = StrictIntegerField(min_value=1, max_value=4, required=False)
    urgency = StrictIntegerField(min_value=1, max_value=4, required=False)
    owner = IdField(queryset=User.objects.all(), required=False, allow_null=True)
    handover_note = StrictCharField(
        max_length=BODY_MAX_LENGTH,
        required=False,
        allow_blank=True,
        write_only=True,
        help_text="Required when the ticket already has another owner.",
    )
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    eta = AwareDateTimeField(required=False, allow_null=True)
    needed_by = AwareDateTimeField(required=False, allow_null=True)
    problem_statement = StrictCharField(
        max_length=BODY_MAX_LENGTH,
        required=False,
        allow_blank=True,
        help_text="Our restatement of the problem; changing it clears the customer's confirmation.",
    )
    priority_override = StrictIntegerField(
        min_value=1, max_value=4, required=False, allow_null=True
    )
    priority_override_reason = StrictCharField(max_length=2000, required=False, allow_blank=True)
    expected_updated_at = AwareDateTimeField(
        required=False,
        write_only=True,
        help_text="The ticket's updated_at as you last read it; if it has changed since, nothing "
        "is written and the answer is 409 (someone else edited the ticket meanwhile).",
    )


class TicketFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Status.choices, method="filter_status")
    owner = IdFilter(field_name="owner_id")
    organization = IdFilter(field_name="organization_id")
    priority = PriorityFilter(field_name="priority")
    update_overdue = TrueOrFalseFilter(
        method="filter_update_overdue",
        help_text="true: a promised update is late; false: nothing is late.",
    )
    search = django_filters.CharFilter(
        method="filter_search",
        max_length=200,
        help_text="Words in the subject or description, or a reference such as SD-1042.",
    )

    class Meta:
        model = Ticket
        fields: list[str] = []

    def filter_status(self, queryset: QuerySet[Ticket], name: str, value: str):
        user = getattr(self.request, "user", None)
        if user is not None and not user.is_helpdesk_staff:
            # Contacts filter by the status they are shown (rule 7): a vendor wait is in progress.
            if value == Status.WAITING_ON_VENDOR:
                return queryset.none()
            if value == Status.IN_PROGRESS:
                return queryset.filter(status__in=[Status.IN_PROGRESS, Status.WAITING_ON_VENDOR])
        return queryset.filter(status=value)

    @extend_schema_field(OpenApiTypes.BOOL)
    def filter_update_overdue(self, queryset: QuerySet[Ticket], name: str, value: bool | None):
        if value is None:
            return queryset
        return queryset.update_overdue() if value else queryset.update_not_overdue()

    def filter_search(self, queryset: QuerySet[Ticket], name: str, value: str):
        """The staff queue's full-text search (GIN-indexed on PostgreSQL), never a LIKE scan;
        a contact's search never matches internal notes."""
        user = getattr(self.request, "user", None)
        staff = bool(user is not None and user.is_helpdesk_staff)
        return search_tickets(queryset, value, include_internal=staff)


TICKET_CREATE_EXAMPLES = [
    OpenApiExample(
        "Staff raise a ticket for a customer",
        value={
            "organization": 3,
            "subject": "Email is down for the whole office",
            "description": "Outlook cannot connect since 09:10; webmail works.",
            "impact": 2,
            "urgency": 1,
            "requester": 12,
        },
        request_only=True,
    ),
    OpenApiExample(
        "A customer contact raises their own ticket",
        value={
            "organization": 3,
            "subject": "New starter needs a laptop",
            "description": "Sam joins next week.",
            "impact": 4,
            "urgency": 3,
            "needed_by": "2026-03-09T08:00:00+00:00",
        },
        request_only=True,
    ),
]
TICKET_CHANGE_EXAMPLES = [
    OpenApiExample(
        "Hand the ticket over",
        value={"owner": 7, "handover_note": "Customer prefers phone calls after 14:00."},
        request_only=True,
    ),
    OpenApiExample(
        "Override the priority",
        value={"priority_override": 1, "priority_override_reason": "CEO's laptop, board at 10:00"},
        request_only=True,
    ),
    OpenApiExample(
        "Restate the problem",
        value={"problem_statement": "Outlook on 3 PCs cannot reach Exchange"},
        request_only=True,
    ),
    OpenApiExample(
        "Change only if nobody else did meanwhile",
        value={"status": "in_progress", "expected_updated_at": "2026-03-02T09:14:03.512000Z"},
        request_only=True,
    ),
]


@extend_schema_view(
    list=extend_schema(
        summary="Tickets the caller can see",
        description="Staff see every ticket; a contact sees their organisation's tickets (only "
        "their own unless they are its admin contact). Ordered newest first unless `ordering` "
        "says otherwise.",
    ),
    retrieve=extend_schema(summary="One ticket", responses={200: TicketSerializer, **ERRORS_404}),
    create=extend_schema(
        summary="Raise a ticket",
        description="The response carries the priority (impact x urgency) and `next_update_due`, "
        "the first-response promise. Send `multipart/form-data` to attach files (`attachments` "
        "parts, the other fields as text): they belong to the ticket's opening entry.",
        request={
            "application/json": TicketCreateSerializer,
            "multipart/form-data": TicketCreateSerializer,
        },
        responses={201: TicketSerializer, **ERRORS_400},
        examples=TICKET_CREATE_EXAMPLES,
    ),
    partial_update=extend_schema(
        summary="Change a ticket (staff)",
        description="All changes apply or none does. A contact's PATCH answers 403. Send "
        "`expected_updated_at` (the `updated_at` you read) to refuse the change with 409 if "
        "someone else changed the ticket since.",
        request={"application/json": TicketChangeSerializer},
        responses={
            200: TicketSerializer,
            **ERRORS_400,
            **ERRORS_403,
            **ERRORS_404,
            **ERRORS_409,
        },
        examples=TICKET_CHANGE_EXAMPLES,
    ),
)
class TicketViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [*viewsets.GenericViewSet.permission_classes, StaffMayChangeTickets]
    http_method_names = ["get", "post", "patch", "head", "options"]
    parser_classes = [LimitedJSONParser, MultiPartParser]  # multipart: files with a new ticket
    lookup_value_regex = r"[0-9]{1,18}"
    filterset_class = TicketFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend, OrderingFilter]
    pagination_class = TicketPagination
    ordering_fields = ["created_at", "updated_at", "priority", "next_update_due", "id"]
    ordering = ["-created_at", "-id"]

    queryset = Ticket.objects.none()

    def get_queryset(self) -> QuerySet[Ticket]:
        if getattr(self, "swagger_fake_view", False):
            return Ticket.objects.none()
        tickets = visible_tickets(self.request.user)
        if self.action == "list":
            # Only what a list row shows: the search columns alone are kilobytes a ticket, and
            # the customer's and people's other columns were built into models for nothing.
            tickets = tickets.only(*LIST_COLUMNS)
        return tickets

    def get_serializer_class(self) -> type[serializers.Serializer]:
        if getattr(self, "swagger_fake_view", False):
            return TicketSerializer
        return ticket_serializer_for(self.request.user)

    def filter_queryset(self, queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
        # Filters and ordering shape lists; looking up one ticket ignores them.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = TicketCreateSerializer(
            data=form_data(request.data, TicketCreateSerializer),
            context=self.get_serializer_context(),
        )
        serializer.is_valid(raise_exception=True)
        ticket = update_services.open_ticket(created_by=request.user, **serializer.validated_data)
        ticket = self.get_queryset().get(pk=ticket.pk)
        return Response(self.get_serializer(ticket).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ticket = self.get_object()
        serializer = TicketChangeSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        expected = changes.pop("expected_updated_at", None)
        ticket_services.update_ticket(
            ticket, by=request.user, changes=changes, expected_updated_at=expected
        )
        ticket = self.get_queryset().get(pk=ticket.pk)
        return Response(self.get_serializer(ticket).data)
