"""Agent speed (API.md "Agent speed (v1.2)"): merge, split and bulk changes of tickets.

Thin views: the serializers check the shapes, updates.merging and tickets.bulk decide.
"""

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import StrictSerializer
from api.fields import StrictCharField
from api.parsers import LimitedJSONParser
from api.permissions import IsHelpdeskStaffElseNotFound
from api.schema import ERRORS_400, ERRORS_403, ERRORS_404
from api.selectors import visible_tickets
from api.tickets import TicketSerializer
from api.timeline import TicketScopedMixin
from tickets import bulk
from tickets.models import BODY_MAX_LENGTH, SUBJECT_MAX_LENGTH, Status, Ticket
from updates import merging


def _staff_only(request: Request) -> None:
    # A contact may see the ticket (so not a 404), but only staff merge or split it.
    if not request.user.is_helpdesk_staff:
        raise PermissionDenied("Only staff merge and split tickets.")


class MergeSerializer(StrictSerializer):
    into = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text="The id of the ticket that survives."
    )


class SplitSerializer(StrictSerializer):
    entries = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        min_length=1,
        max_length=merging.MAX_SPLIT_ENTRIES,
        help_text="Ids of customer_reply entries of this ticket; the first one's author becomes "
        "the new ticket's requester.",
    )
    subject = StrictCharField(max_length=SUBJECT_MAX_LENGTH)


@extend_schema(tags=["tickets"])
class MergeView(TicketScopedMixin, generics.GenericAPIView):
    serializer_class = MergeSerializer
    parser_classes = [LimitedJSONParser]

    @extend_schema(
        summary="Merge this ticket into another (staff)",
        description="Both must be unresolved tickets of the same organisation. This ticket is "
        "closed with `merged_into`; its timeline appears in the survivor's, each entry marked "
        "`merged_from`; its requester gets one email naming the survivor. Answers the survivor.",
        request=MergeSerializer,
        responses={200: TicketSerializer, **ERRORS_400, **ERRORS_403, **ERRORS_404},
        examples=[OpenApiExample("Merge into SD-1042", value={"into": 1042}, request_only=True)],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ticket = self.get_ticket()
        _staff_only(request)
        serializer = MergeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        survivor = merging.merge_ticket(
            ticket, into=serializer.validated_data["into"], by=request.user
        )
        survivor = visible_tickets(request.user).get(pk=survivor.pk)
        return Response(TicketSerializer(survivor).data)


@extend_schema(tags=["tickets"])
class SplitView(TicketScopedMixin, generics.GenericAPIView):
    serializer_class = SplitSerializer
    parser_classes = [LimitedJSONParser]

    @extend_schema(
        summary="Split customer messages off into a new ticket (staff)",
        description="A new ticket of the same organisation, with this one's impact and urgency, "
        "no owner and its own first-response promise; its requester is the author of the first "
        "chosen entry and its description the chosen entries' text.",
        request=SplitSerializer,
        responses={201: TicketSerializer, **ERRORS_400, **ERRORS_403, **ERRORS_404},
        examples=[
            OpenApiExample(
                "Split one reply off",
                value={"entries": [5531], "subject": "Printer on floor 2 jams"},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ticket = self.get_ticket()
        _staff_only(request)
        serializer = SplitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        new = merging.split_ticket(ticket, by=request.user, **serializer.validated_data)
        new = visible_tickets(request.user).get(pk=new.pk)
        return Response(TicketSerializer(new).data, status=status.HTTP_201_CREATED)


class BulkSerializer(StrictSerializer):
    tickets = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        min_length=1,
        max_length=bulk.MAX_TICKETS * 4,  # duplicates allowed; distinct ids are capped below
        help_text=f"Ticket ids; at most {bulk.MAX_TICKETS} distinct.",
    )
    action = serializers.ChoiceField(choices=["assign", "status", "link_incident", "merge"])
    owner = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, required=False, help_text="assign: the new owner."
    )
    handover_note = StrictCharField(
        max_length=BODY_MAX_LENGTH,
        required=False,
        allow_blank=True,
        help_text="assign: needed for tickets that have another owner.",
    )
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    incident = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, required=False, help_text="link_incident: its id."
    )
    into = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, required=False, help_text="merge: the survivor's id."
    )


class BulkResultSerializer(serializers.Serializer):
    updated = serializers.IntegerField()


class BulkView(generics.GenericAPIView):
    """Contacts get 404: bulk changes do not exist for them."""

    permission_classes = [IsHelpdeskStaffElseNotFound]
    serializer_class = BulkSerializer
    parser_classes = [LimitedJSONParser]
    queryset = Ticket.objects.none()

    @extend_schema(
        tags=["tickets"],
        summary="Change many tickets at once (staff)",
        description="All or nothing: if any ticket cannot take the change (or does not exist), "
        "400 names the action's field (owner, status, incident, into) and `tickets` (every "
        f"failing id), and nothing changes. At most {bulk.MAX_TICKETS} distinct tickets. Each "
        "ticket's timeline shows its change; emails and notifications follow after commit.",
        request=BulkSerializer,
        responses={200: BulkResultSerializer, **ERRORS_400, **ERRORS_404},
        examples=[
            OpenApiExample(
                "Hand tickets over",
                value={
                    "tickets": [1042],
                    "action": "assign",
                    "owner": 7,
                    "handover_note": "Covering while Sam is out.",
                },
                request_only=True,
            ),
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = BulkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        action = data.pop("action")
        ids = data.pop("tickets")
        field = bulk.ACTIONS[action].field
        if field not in data:
            return Response({field: ["This field is required for this action."]}, status=400)
        try:
            updated = bulk.run(action=action, tickets=ids, params=data, by=request.user)
        except bulk.BulkRefused as refused:
            return Response(
                {refused.field: [refused.message_text], "tickets": refused.failing}, status=400
            )
        return Response({"updated": updated})
