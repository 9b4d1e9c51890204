"""A ticket's timeline and the customer's actions on a ticket:
/api/v1/tickets/{id}/updates/, /confirm-understanding/ and /feedback/."""

from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from api.attachments import AttachmentSerializer
from api.base import EmptySerializer, StrictSerializer
from api.fields import AwareDateTimeField, StrictBooleanField, StrictCharField, StrictIntegerField
from api.multipart import attachments_field, form_data
from api.parsers import LimitedJSONParser
from api.schema import ERRORS_400, ERRORS_403, ERRORS_404
from api.selectors import visible_tickets, visible_timeline
from api.tickets import TicketSerializer, ticket_serializer_for
from attachments.services import files_removed_on_failure
from saved_replies.selectors import visible_replies
from tickets import services as ticket_services
from tickets.models import BODY_MAX_LENGTH, Status, Ticket
from updates import services as update_services
from updates.events import describe
from updates.feedback import record_feedback
from updates.models import EntryKind, Feedback, TimelineEntry
from updates.replies import post_saved_reply

PUBLIC, INTERNAL = "public", "internal"


class TimelineEntrySerializer(serializers.ModelSerializer):
    """One timeline entry as staff see it. For a system event (kind "event"), `body` is the
    event in words and `data` its details."""

    visibility = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    author_name = serializers.CharField(
        source="author.display_name", read_only=True, allow_null=True
    )
    attachments = AttachmentSerializer(many=True, read_only=True)
    original_body = serializers.SerializerMethodField(
        help_text="A reply that came by email: the whole email as decoded, quoted history and "
        "signature kept (staff only); null otherwise."
    )

    class Meta:
        model = TimelineEntry
        fields = [
            "id",
            "ticket",
            "kind",
            "visibility",
            "event",
            "body",
            "author",
            "author_name",
            "created_at",
            "next_update_due",
            "attachments",
            "original_body",
            "data",
            "merged_from",
        ]
        read_only_fields = fields

    for_customer = False

    def get_original_body(self, entry: TimelineEntry) -> str | None:
        return (entry.data or {}).get("original_body")

    @extend_schema_field(serializers.ChoiceField(choices=[PUBLIC, INTERNAL]))
    def get_visibility(self, entry: TimelineEntry) -> str:
        return PUBLIC if entry.is_public else INTERNAL

    def get_body(self, entry: TimelineEntry) -> str:
        if entry.kind != EntryKind.EVENT:
            return entry.body
        text = describe(entry, for_customer=self.for_customer, tz=self.context.get("tz"))
        if not self.for_customer and entry.body and entry.body not in text:
            # The handover note and other staff words recorded with the event.
            text = f"{text}\n\n{entry.body}"
        return text


class CustomerTimelineEntrySerializer(TimelineEntrySerializer):
    """A public entry as the customer sees it: events in the customer's wording, never their
    internal details."""

    for_customer = True

    class Meta(TimelineEntrySerializer.Meta):
        fields = [
            name
            for name in TimelineEntrySerializer.Meta.fields
            if name not in ("data", "original_body")
        ]
        read_only_fields = fields


class TimelineEntryCreateSerializer(StrictSerializer):
    body = StrictCharField(max_length=BODY_MAX_LENGTH, required=False)
    response = StrictIntegerField(
        min_value=1,
        max_value=2**63 - 1,
        required=False,
        help_text="Staff: a saved reply (/api/v1/responses/) to post as a public update, its "
        "text filled for this ticket (then `body` may be left out), with its status and promise "
        "unless this request gives its own. Counts one use.",
    )
    visibility = serializers.ChoiceField(
        choices=[PUBLIC, INTERNAL],
        default=PUBLIC,
        help_text="internal: a note for colleagues, never shown to the customer (staff only).",
    )
    next_update_due = AwareDateTimeField(
        required=False,
        allow_null=True,
        help_text="Public updates: when the customer hears from us next (default: the cadence).",
    )
    eta = AwareDateTimeField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    confirm_vendor_mention = StrictBooleanField(
        required=False,
        default=False,
        help_text="Send a public update even though it names a vendor or blames a third party.",
    )
    attachments = attachments_field()

    STAFF_ONLY = ("next_update_due", "eta", "status", "confirm_vendor_mention", "response")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        user: User = self.context["request"].user
        if "body" not in attrs and "response" not in attrs:
            raise serializers.ValidationError({"body": ["This field is required."]})
        if user.is_helpdesk_staff and "response" in attrs:
            if attrs["visibility"] != PUBLIC:
                raise serializers.ValidationError(
                    {"response": ["A saved reply is posted as a public update."]}
                )
            reply = visible_replies(user).filter(pk=attrs["response"]).first()
            if reply is None:
                raise serializers.ValidationError({"response": ["No such saved reply."]})
            attrs["response"] = reply
        if user.is_helpdesk_staff:
            if attrs["visibility"] == INTERNAL and attrs.get("next_update_due") is not None:
                raise serializers.ValidationError(
                    {"next_update_due": ["Only a public update makes a promise to the customer."]}
                )
            return attrs
        errors = {
            name: ["Only the helpdesk sets this."]
            for name in self.STAFF_ONLY
            if name in self.initial_data
        }
        if attrs["visibility"] != PUBLIC:
            errors["visibility"] = ["Your messages are always visible to the helpdesk team."]
        if "body" not in attrs:
            errors["body"] = ["This field is required."]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


def _viewer_timezone(user: User) -> ZoneInfo:
    return ZoneInfo(user.effective_timezone)


class TicketScopedMixin:
    """Views under /tickets/{ticket_id}/: the ticket must be visible to the caller, else 404."""

    request: Request
    kwargs: dict[str, Any]

    def get_ticket(self) -> Ticket:
        return get_object_or_404(visible_tickets(self.request.user), pk=self.kwargs["ticket_id"])


@extend_schema(tags=["tickets"])
class TicketUpdatesView(TicketScopedMixin, generics.ListCreateAPIView):
    """The ticket's timeline, oldest first. Contacts see the public entries only."""

    queryset = TimelineEntry.objects.none()
    parser_classes = [LimitedJSONParser, MultiPartParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return TimelineEntry.objects.none()
        return visible_timeline(self.request.user, self.get_ticket())

    def get_serializer_class(self) -> type[serializers.Serializer]:
        if getattr(self, "swagger_fake_view", False) or self.request.user.is_helpdesk_staff:
            return TimelineEntrySerializer
        return CustomerTimelineEntrySerializer

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if self.request and self.request.user.is_authenticated:
            context["tz"] = _viewer_timezone(self.request.user)
        return context

    @extend_schema(
        summary="A ticket's timeline",
        responses={200: TimelineEntrySerializer(many=True), **ERRORS_404},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Post an update, a note or a customer reply",
        description="Staff: `visibility` public (the default; keeps the pending promise and makes "
        "the next one, `next_update_due` or the cadence default) or internal (a note; never keeps "
        "a promise). Either may carry `status` and `eta`. A public update that names a linked "
        "vendor or blames a third party answers 400 with code `vendor_mention` unless "
        "`confirm_vendor_mention` is true. Contacts: `body` only; it reaches the helpdesk as a "
        "reply and reopens a ticket waiting on them. Send `multipart/form-data` to attach files "
        "(`attachments` parts; the other fields as text); a file over a limit answers 400 naming "
        "`attachments` and writes nothing.",
        request=TimelineEntryCreateSerializer,
        responses={201: TimelineEntrySerializer, **ERRORS_400, **ERRORS_404},
        examples=[
            OpenApiExample(
                "Public update with the next promise",
                value={
                    "body": "We have reset the mail connector; checking every mailbox now.",
                    "next_update_due": "2026-03-02T15:30:00+00:00",
                    "status": "in_progress",
                },
                request_only=True,
            ),
            OpenApiExample(
                "Internal note",
                value={
                    "body": "Connector logs show TLS errors since 09:05.",
                    "visibility": "internal",
                },
                request_only=True,
            ),
            OpenApiExample(
                "Customer reply", value={"body": "It works again, thank you!"}, request_only=True
            ),
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ticket = self.get_ticket()
        serializer = TimelineEntryCreateSerializer(
            data=form_data(request.data, TimelineEntryCreateSerializer),
            context=self.get_serializer_context(),
        )
        serializer.is_valid(raise_exception=True)
        entry = self._post(ticket, request.user, serializer.validated_data)
        entry = visible_timeline(request.user, ticket).get(pk=entry.pk)
        return Response(self.get_serializer(entry).data, status=status.HTTP_201_CREATED)

    @staticmethod
    def _post(ticket: Ticket, user: User, data: dict[str, Any]) -> TimelineEntry:
        files = data.get("attachments", [])
        if not user.is_helpdesk_staff:
            return update_services.post_customer_reply(
                ticket, author=user, body=data["body"], attachments=files
            )
        if data.get("response") is not None:
            return post_saved_reply(
                ticket,
                reply=data["response"],
                author=user,
                body=data.get("body"),
                status=data.get("status"),
                next_update_due=data.get("next_update_due"),
                eta=data.get("eta", update_services.UNSET),
                confirm_vendor_mention=data["confirm_vendor_mention"],
                attachments=files,
            )
        if data["visibility"] == PUBLIC:
            return update_services.post_public_update(
                ticket,
                author=user,
                body=data["body"],
                next_update_due=data.get("next_update_due"),
                status=data.get("status"),
                eta=data.get("eta", update_services.UNSET),
                confirm_vendor_mention=data["confirm_vendor_mention"],
                attachments=files,
            )
        # A note may carry a status or ETA change; all of it happens or none does (its files
        # too: a refused status change deletes them again).
        with files_removed_on_failure(), transaction.atomic():
            entry = update_services.add_internal_note(
                ticket, author=user, body=data["body"], attachments=files
            )
            if "status" in data:
                ticket_services.change_status(ticket, status=data["status"], by=user)
            if "eta" in data:
                ticket_services.set_eta(ticket, eta=data["eta"], by=user)
        return entry


@extend_schema(tags=["tickets"])
class ConfirmUnderstandingView(TicketScopedMixin, generics.GenericAPIView):
    serializer_class = EmptySerializer

    @extend_schema(
        summary="Confirm our understanding of the problem (contact)",
        description="The customer agrees with the ticket's `problem_statement`; sets "
        "`understanding_confirmed_at`. Answers with the ticket.",
        request=EmptySerializer,
        responses={200: TicketSerializer, **ERRORS_400, **ERRORS_403, **ERRORS_404},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ticket = self.get_ticket()
        if not request.user.is_contact:
            raise PermissionDenied("Only the customer confirms our understanding of the problem.")
        EmptySerializer(data=request.data or {}).is_valid(raise_exception=True)
        ticket_services.confirm_understanding(ticket, by=request.user)
        ticket = visible_tickets(request.user).get(pk=ticket.pk)
        return Response(ticket_serializer_for(request.user)(ticket).data)


class FeedbackSerializer(StrictSerializer, serializers.ModelSerializer):
    kept_informed = StrictIntegerField(
        min_value=1, max_value=5, help_text="How well we kept you informed, 1 (poor) to 5."
    )
    resolved = StrictIntegerField(
        min_value=1, max_value=5, help_text="How well the problem was solved, 1 (poor) to 5."
    )
    comment = StrictCharField(
        max_length=BODY_MAX_LENGTH, required=False, allow_blank=True, default=""
    )

    class Meta:
        model = Feedback
        fields = ["id", "ticket", "kept_informed", "resolved", "comment", "created_at"]
        read_only_fields = ["id", "ticket", "created_at"]


@extend_schema(tags=["tickets"])
class FeedbackView(TicketScopedMixin, generics.GenericAPIView):
    serializer_class = FeedbackSerializer

    @extend_schema(
        summary="Rate a resolved ticket (contact)",
        description="Once per ticket. A 1 or 2 in either score records a loss for the managers.",
        responses={201: FeedbackSerializer, **ERRORS_400, **ERRORS_403, **ERRORS_404},
        examples=[
            OpenApiExample(
                "Feedback",
                value={"kept_informed": 5, "resolved": 4, "comment": "Quick and clear."},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ticket = self.get_ticket()
        if not request.user.is_contact:
            raise PermissionDenied("Only the customer rates the service.")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        feedback = record_feedback(ticket, author=request.user, **serializer.validated_data)
        return Response(self.get_serializer(feedback).data, status=status.HTTP_201_CREATED)
