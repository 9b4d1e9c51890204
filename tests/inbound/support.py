"""The test corpus (tests/inbound/messages/) and helpers to feed it through the pipeline."""

from pathlib import Path

from inbound import services
from inbound.models import InboundMessage
from updates.models import OutboxMessage

MESSAGES = Path(__file__).parent / "messages"


def corpus(name: str, *, ticket=None, message_id: str = "", **replace: str) -> bytes:
    """A corpus message, its placeholders filled: SD-TICKET (the ticket's tag) and
    <OUR-MESSAGE-ID> (an email we sent)."""
    raw = (MESSAGES / name).read_bytes()
    if ticket is not None:
        raw = raw.replace(b"SD-TICKET", ticket.reference.encode())
    if message_id:
        raw = raw.replace(b"<OUR-MESSAGE-ID>", message_id.encode())
    for old, new in replace.items():
        raw = raw.replace(old.encode(), new.encode())
    return raw


def our_message_id(ticket) -> str:
    """The Message-ID of the first email we wrote about the ticket (its acknowledgement)."""
    return (
        OutboxMessage.objects.filter(ticket=ticket, channel="email")
        .order_by("pk")
        .values_list("email_message_id", flat=True)
        .first()
    )


def ingest(raw: bytes) -> InboundMessage:
    return services.ingest(raw)


def plain(
    *,
    sender: str = "Priya Customer <priya@northwind.test>",
    subject: str = "Printer trouble",
    body: str = "The printer is jammed again.",
    message_id: str | None = "<plain-1@northwind.test>",
    headers: str = "",
) -> bytes:
    lines = [f"From: {sender}", "To: help@desk.example", f"Subject: {subject}"]
    if message_id:
        lines.append(f"Message-ID: {message_id}")
    lines += ["Date: Mon, 7 Dec 2026 09:00:00 +0000", "MIME-Version: 1.0"]
    lines += [line for line in headers.splitlines() if line]
    lines += ['Content-Type: text/plain; charset="utf-8"', "", body, ""]
    return "\r\n".join(lines).encode()
