"""Reads of inbound mail for the staff page and the API."""

from dataclasses import dataclass

from django.db.models import QuerySet

from inbound import parsing
from inbound.models import InboundMessage, Outcome

LIST_FIELDS = (
    "id",
    "received_at",
    "sender",
    "subject",
    "message_id",
    "outcome",
    "reason",
    "detail",
    "ticket_id",
    "size",
)


def inbound_messages(*, outcome: str = "") -> QuerySet[InboundMessage]:
    """Newest first, without the raw bytes (a list never loads a 25 MB message)."""
    messages = InboundMessage.objects.only(*LIST_FIELDS).order_by("-received_at", "-id")
    if outcome:
        messages = messages.filter(outcome=outcome)
    return messages


def quarantined_count() -> int:
    return InboundMessage.objects.filter(outcome=Outcome.QUARANTINED).count()


@dataclass(frozen=True)
class Reading:
    """A stored message as staff read it before deciding: its text with the quoted history,
    and its files' names."""

    text: str
    files: list[str]
    readable: bool


# How much of a message's text the page shows.
READING_MAX_CHARS = 20_000


def reading_of(message: InboundMessage) -> Reading:
    try:
        mail = parsing.read_mail(bytes(message.raw))
    except parsing.Unparseable:
        text = bytes(message.raw[:READING_MAX_CHARS]).decode("latin-1")
        return Reading(text=text, files=[], readable=False)
    return Reading(
        text=mail.original_body[:READING_MAX_CHARS],
        files=[file.filename for file in mail.files],
        readable=True,
    )
