"""GET /api/v1/audit-log/ (manager): the security and configuration events, newest first."""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from api.filters import LARGEST_ID
from api.permissions import IsManager
from api.schema import ERRORS_400, ERRORS_403
from api.vendors import DAY_OR_MOMENT, scorecard_period
from audit.models import AuditEvent
from audit.selectors import ACTIONS, events


class AuditEventSerializer(serializers.ModelSerializer):
    target = inline_serializer(
        "AuditTarget",
        fields={"type": serializers.CharField(), "id": serializers.CharField()},
        allow_null=True,
        read_only=True,
    )

    class Meta:
        model = AuditEvent
        fields = ["id", "at", "actor", "action", "target", "ip", "detail"]
        read_only_fields = fields


class AuditQuery(serializers.Serializer):
    action = serializers.CharField(required=False, max_length=64)
    actor = serializers.IntegerField(required=False, min_value=1, max_value=LARGEST_ID)


class AuditLogView(ListAPIView):
    permission_classes = [IsManager]
    serializer_class = AuditEventSerializer
    filter_backends: list = []

    def get_queryset(self):
        query = AuditQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        since, until = scorecard_period(self.request.query_params)
        return events(
            action=query.validated_data.get("action"),
            actor=query.validated_data.get("actor"),
            since=since,
            until=until,
        )

    @extend_schema(
        summary="The audit log, newest first (manager)",
        description="Sign-ins and failures, two-factor enrolment, tokens issued, role changes, "
        "deactivations, exports, configuration changes and staff downloads of customer files. "
        f"Actions: {', '.join(ACTIONS)}. `since` is inclusive, `until` exclusive.",
        parameters=[
            OpenApiParameter("action", str, description="One action name, e.g. sign_in."),
            OpenApiParameter("actor", int, description="The acting user's id."),
            OpenApiParameter("since", DAY_OR_MOMENT),
            OpenApiParameter("until", DAY_OR_MOMENT),
        ],
        responses={200: AuditEventSerializer(many=True), **ERRORS_400, **ERRORS_403},
        tags=["audit"],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)
