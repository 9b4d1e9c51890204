"""/api/v1/organizations/ (agents read, managers change) and /api/v1/users/ (managers)."""

from typing import Any

import django_filters
from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import services as account_services
from accounts.models import Organization, Role, SupportPlan, User
from api.base import StrictModelSerializer
from api.fields import IdField, StrictBooleanField, StrictCharField, WallClockTimeField
from api.filters import IdFilter
from api.permissions import IsManager, StaffReadManagerWrite
from api.schema import ERRORS_400, ERRORS_403, ERRORS_404
from audit.services import record


class OrganizationSerializer(StrictModelSerializer):
    name = StrictCharField(max_length=200)
    timezone = StrictCharField(
        max_length=64, required=False, help_text="An IANA time zone such as Europe/London."
    )
    business_weekdays = StrictCharField(
        max_length=13, required=False, help_text="Weekdays the clock runs, 0 = Monday: 0,1,2,3,4."
    )
    holiday_country = StrictCharField(
        max_length=2, required=False, allow_blank=True, help_text="ISO code, e.g. GB."
    )
    holiday_subdivision = StrictCharField(max_length=10, required=False, allow_blank=True)
    support_plan = IdField(queryset=SupportPlan.objects.all(), required=False)
    business_opens = WallClockTimeField(required=False, help_text="Local time, e.g. 08:00.")
    business_closes = WallClockTimeField(required=False, help_text="Local time, e.g. 18:00.")

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "timezone",
            "business_opens",
            "business_closes",
            "business_weekdays",
            "holiday_country",
            "holiday_subdivision",
            "support_plan",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]
        # The service runs the model's full validation (uniqueness included) in one place.
        validators: list = []

    def create(self, validated_data: dict[str, Any]) -> Organization:
        return account_services.create_organization(**validated_data)

    def update(self, instance: Organization, validated_data: dict[str, Any]) -> Organization:
        return account_services.update_organization(instance, changes=validated_data)


@extend_schema_view(
    list=extend_schema(
        summary="Customer organisations (staff)",
        responses={200: OrganizationSerializer(many=True), **ERRORS_403},
    ),
    retrieve=extend_schema(
        summary="One organisation (staff)",
        responses={200: OrganizationSerializer, **ERRORS_403, **ERRORS_404},
    ),
    create=extend_schema(
        summary="Add a customer organisation (manager)",
        responses={201: OrganizationSerializer, **ERRORS_400, **ERRORS_403},
        examples=[
            OpenApiExample(
                "New customer",
                value={
                    "name": "Kiwi Freight Ltd",
                    "timezone": "Pacific/Auckland",
                    "holiday_country": "NZ",
                },
                request_only=True,
            )
        ],
    ),
    partial_update=extend_schema(
        summary="Change an organisation (manager)",
        responses={200: OrganizationSerializer, **ERRORS_400, **ERRORS_403, **ERRORS_404},
    ),
)
class OrganizationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [StaffReadManagerWrite]
    serializer_class = OrganizationSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = r"[0-9]{1,18}"
    filter_backends: list = []
    queryset = Organization.objects.order_by("name", "id")

    def perform_create(self, serializer) -> None:
        with transaction.atomic():
            organization = serializer.save()
            self._audit(organization, serializer.validated_data)

    def perform_update(self, serializer) -> None:
        # The change and its audit event commit together.
        with transaction.atomic():
            organization = serializer.save()
            self._audit(organization, serializer.validated_data)

    def _audit(self, organization: Organization, fields) -> None:
        record(
            "settings_changed",
            target=organization,
            request=self.request._request,
            actor=self.request.user,
            detail={"fields": sorted(fields), "via": "api"},
        )


class UserSerializer(StrictModelSerializer):
    email = serializers.EmailField(max_length=254)
    name = StrictCharField(max_length=150, required=False, allow_blank=True, default="")
    password = StrictCharField(
        write_only=True, max_length=128, trim_whitespace=False, style={"input_type": "password"}
    )
    role = serializers.ChoiceField(choices=Role.choices)
    organization = IdField(
        queryset=Organization.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="Contacts only: the customer organisation they belong to.",
    )
    sees_organization_tickets = StrictBooleanField(
        required=False,
        default=False,
        help_text="Contacts only: sees every ticket of their organisation, not just their own.",
    )
    timezone = StrictCharField(
        max_length=64,
        required=False,
        allow_blank=True,
        default="",
        help_text="Blank: the organisation's time zone.",
    )

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "name",
            "password",
            "role",
            "organization",
            "sees_organization_tickets",
            "timezone",
            "is_active",
            "date_joined",
            "triage_duty",
            "notification_email_off",
            "two_factor_enabled",
        ]
        read_only_fields = [
            "id",
            "is_active",
            "date_joined",
            "triage_duty",
            "notification_email_off",
            "two_factor_enabled",
        ]
        validators: list = []

    triage_duty = serializers.BooleanField(
        read_only=True,
        help_text="Told of new unowned tickets: true for managers and false for agents unless set.",
    )
    notification_email_off = serializers.ListField(child=serializers.CharField(), read_only=True)

    def create(self, validated_data: dict[str, Any]) -> User:
        return account_services.create_user(**validated_data)


NOTIFICATION_KIND = r"^[a-z_]{1,40}$"


class UserChangeSerializer(UserSerializer):
    """PATCH /api/v1/users/{id}/ (manager): the person's fields, triage duty, active, and the
    notification kinds they get in the app only. ``is_active`` false signs them out everywhere
    and their API tokens stop at once."""

    email = serializers.EmailField(max_length=254, read_only=True)
    password = None
    triage_duty = StrictBooleanField(
        required=False,
        source="triage_duty_setting",
        help_text="Told of new unowned tickets (true for managers and false for agents unless set).",
    )
    is_active = StrictBooleanField(
        required=False, help_text="false signs the person out everywhere and stops their tokens."
    )
    notification_email_off = serializers.ListField(
        child=serializers.RegexField(NOTIFICATION_KIND, max_length=40),
        max_length=20,
        required=False,
        help_text="Notification kinds this person gets in the app only, not by email.",
    )

    class Meta(UserSerializer.Meta):
        fields = [name for name in UserSerializer.Meta.fields if name != "password"]
        read_only_fields = ["id", "email", "date_joined", "two_factor_enabled"]

    def to_representation(self, instance: User) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["triage_duty"] = instance.triage_duty
        return data

    def update(self, instance: User, validated_data: dict[str, Any]) -> User:
        request = self.context["request"]
        if "notification_email_off" in validated_data:
            validated_data["notification_email_off"] = sorted(
                set(validated_data["notification_email_off"])
            )
        return account_services.update_user(
            instance, changes=validated_data, actor=request.user, request=request._request
        )


class UserFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices)
    organization = IdFilter(field_name="organization_id")

    class Meta:
        model = User
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(
        summary="People (manager)", responses={200: UserSerializer(many=True), **ERRORS_403}
    ),
    retrieve=extend_schema(
        summary="One person (manager)",
        responses={200: UserChangeSerializer, **ERRORS_403, **ERRORS_404},
    ),
    create=extend_schema(
        summary="Add an agent, manager or customer contact (manager)",
        responses={201: UserSerializer, **ERRORS_400, **ERRORS_403},
        examples=[
            OpenApiExample(
                "A customer contact",
                value={
                    "email": "sam@kiwifreight.example",
                    "name": "Sam Carter",
                    "password": "a long passphrase 2026",
                    "role": "contact",
                    "organization": 4,
                },
                request_only=True,
            ),
            OpenApiExample(
                "An agent",
                value={
                    "email": "dev@msp.example",
                    "name": "Dev Patel",
                    "password": "another long passphrase",
                    "role": "agent",
                },
                request_only=True,
            ),
        ],
    ),
    me=extend_schema(summary="Who am I", responses={200: UserSerializer}),
    partial_update=extend_schema(
        summary="Change a person: role, triage duty, active, email preferences (manager)",
        request=UserChangeSerializer,
        responses={200: UserChangeSerializer, **ERRORS_400, **ERRORS_403, **ERRORS_404},
    ),
)
class UserViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [IsManager]
    serializer_class = UserSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = r"[0-9]{1,18}"
    filterset_class = UserFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]

    def get_queryset(self) -> QuerySet[User]:
        return User.objects.order_by("email", "id")

    def get_serializer_class(self):
        if self.action in ("retrieve", "partial_update", "update"):
            return UserChangeSerializer
        return UserSerializer

    def get_permissions(self):
        if self.action == "me":
            return [IsAuthenticated()]
        return super().get_permissions()

    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def me(self, request: Request) -> Response:
        return Response(self.get_serializer(request.user).data, status=status.HTTP_200_OK)
