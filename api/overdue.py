"""/api/v1/overdue/: open tickets whose promised update is late, the latest first (staff)."""

import math
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from api.permissions import IsHelpdeskStaff
from api.schema import ERRORS_403
from api.tickets import TicketSerializer
from tickets.models import DONE_STATUSES, Ticket


class OverdueTicketSerializer(TicketSerializer):
    minutes_late = serializers.SerializerMethodField()

    class Meta(TicketSerializer.Meta):
        fields = [*TicketSerializer.Meta.fields, "minutes_late"]
        read_only_fields = fields

    def get_minutes_late(self, ticket: Ticket) -> int:
        late = self.context["now"] - ticket.next_update_due
        return max(0, math.floor(late.total_seconds() / 60))


@extend_schema(
    summary="Tickets whose promised update is late",
    description="Open tickets whose `next_update_due` has passed, most late first, each with "
    "`minutes_late`.",
    responses={200: OverdueTicketSerializer(many=True), **ERRORS_403},
)
class OverdueTicketsView(generics.ListAPIView):
    permission_classes = [IsHelpdeskStaff]
    serializer_class = OverdueTicketSerializer
    filter_backends: list = []

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["now"] = getattr(self, "_now", None) or timezone.now()
        return context

    def get_queryset(self) -> QuerySet[Ticket]:
        self._now = timezone.now()
        return (
            Ticket.objects.update_overdue(self._now)
            .exclude(status__in=DONE_STATUSES)
            .select_related("organization", "owner", "requester")
            .order_by("next_update_due", "id")
        )
