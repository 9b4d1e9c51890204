"""The inbound pipeline: store the raw message first, then classify and act on it in one short
transaction (docs/email.md).

1. `store` writes the bytes as received (a Message-ID seen before is stored as a `duplicate`);
   when it fails the MTA is told to retry (ingest_email exits 75).
2. `act` takes a stored message that is still pending (its row locked, so it is acted on once
   whoever runs it) and decides, the first rule that applies deciding: too large, unparseable,
   automatic, unauthenticated, unknown sender, staff sender, wrong organisation; then a reply to
   its ticket, or a new ticket through the portal's intake service.
3. `act_on_stored` acts on whatever was stored but not acted on (a crash between the two).
"""

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.parser import BytesHeaderParser

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Role, User
from inbound import parsing
from inbound.models import InboundMessage, Outcome, Reason
from tickets.models import BODY_MAX_LENGTH, SUBJECT_MAX_LENGTH, Status, Ticket
from updates import services as update_services
from updates.events import record_event
from updates.models import EntryKind, OutboxMessage, TimelineEntry

logger = logging.getLogger(__name__)

# A message whose acting failed this many times is quarantined as unparseable for staff to read.
MAX_ATTEMPTS = 5


@dataclass
class Decision:
    outcome: str
    reason: str = ""
    detail: str = ""
    ticket: Ticket | None = None


def _headers(raw: bytes):
    try:
        return BytesHeaderParser(policy=parsing.email.policy.default).parsebytes(raw)
    except Exception:
        return None


def dedupe_key_of(raw: bytes, message_id: str | None) -> str:
    """The Message-ID, else a hash of the bytes: a retried delivery of a message without one is
    the same bytes again. The prefix keeps a hash from ever equalling a Message-ID (<...>)."""
    if message_id is not None:
        return message_id
    return f"sha256:{hashlib.sha256(raw).hexdigest()}"


def store(raw: bytes, *, via: str = "pipe", now: datetime | None = None) -> InboundMessage:
    """Write the message as received. A Message-ID stored before (or, without one, the same
    bytes) makes this one a `duplicate` (its own row, acted on at once: it changes nothing else).
    Database errors propagate."""
    now = now or timezone.now()
    headers = _headers(raw)
    message_id = parsing.message_id_of(headers) if headers is not None else None
    sender, subject = "", ""
    if headers is not None:
        subject = parsing.header_text(headers, "Subject")[:998]
        try:
            sender = parsing.sender_of(headers)[0][:254]
        except parsing.Unparseable:
            sender = parsing.header_text(headers, "From")[:254]
    fields = {
        "raw": raw,
        "size": len(raw),
        "via": via,
        "received_at": now,
        "message_id": message_id,
        "sender": sender,
        "subject": subject,
    }
    key = dedupe_key_of(raw, message_id)
    try:
        with transaction.atomic():
            return InboundMessage.objects.create(dedupe_key=key, **fields)
    except IntegrityError:
        first = InboundMessage.objects.filter(dedupe_key=key).first()
        seen = "This Message-ID" if message_id is not None else "This message (the same bytes)"
        return InboundMessage.objects.create(
            outcome=Outcome.DUPLICATE,
            acted_at=now,
            ticket_id=first.ticket_id if first else None,
            detail=f"{seen} was received before; nothing changed.",
            **fields,
        )


def ingest(raw: bytes, *, via: str = "pipe") -> InboundMessage:
    """Store, then act. Acting that fails leaves the message stored and pending (retried by
    act_on_stored); only storing failing propagates."""
    message = store(raw, via=via)
    if message.outcome == Outcome.PENDING:
        try:
            act(message.pk)
        except Exception:
            logger.exception("Acting on inbound message %s failed; it will be retried", message.pk)
        message.refresh_from_db()
    return message


def act_on_stored(*, limit: int = 100) -> int:
    """Act on messages stored but not acted on yet (oldest first); returns how many were."""
    ids = list(
        InboundMessage.objects.filter(outcome=Outcome.PENDING)
        .order_by("received_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    done = 0
    for pk in ids:
        try:
            done += act(pk) is not None
        except Exception:
            logger.exception("Acting on inbound message %s failed; it will be retried", pk)
    return done


def act(pk: int, *, now: datetime | None = None) -> InboundMessage | None:
    """Classify and act on one stored message, in one transaction with its row locked; None when
    it is not pending (already acted on, or being acted on by someone else right now)."""
    try:
        with transaction.atomic():
            message = (
                InboundMessage.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, outcome=Outcome.PENDING)
                .first()
            )
            if message is None:
                return None
            decision = decide(message, now=now or timezone.now())
            _record(message, decision, now=now)
            return message
    except Exception as error:
        _failed(pk, error)
        raise


def _record(message: InboundMessage, decision: Decision, *, now: datetime | None) -> None:
    message.outcome, message.reason = decision.outcome, decision.reason
    message.detail = decision.detail[:300]
    message.ticket = decision.ticket
    message.acted_at = now or timezone.now()
    message.save(update_fields=["outcome", "reason", "detail", "ticket", "acted_at"])


def _failed(pk: int, error: BaseException) -> None:
    text = f"{type(error).__name__}: {error}"[:2000]
    try:
        message = InboundMessage.objects.get(pk=pk)
        message.attempts += 1
        message.last_error = text
        fields = ["attempts", "last_error"]
        if message.attempts >= MAX_ATTEMPTS and message.outcome == Outcome.PENDING:
            message.outcome, message.reason = Outcome.QUARANTINED, Reason.UNPARSEABLE
            message.detail = "Acting on it failed repeatedly; see the error."
            fields += ["outcome", "reason", "detail"]
        message.save(update_fields=fields)
    except Exception:
        logger.exception("Could not record the failure of inbound message %s", pk)


def quarantine(reason: str, detail: str, ticket: Ticket | None = None) -> Decision:
    return Decision(Outcome.QUARANTINED, reason=reason, detail=detail, ticket=ticket)


def decide(message: InboundMessage, *, now: datetime) -> Decision:
    raw = bytes(message.raw)
    if message.size > settings.INBOUND_MAX_MESSAGE_BYTES:
        return quarantine(Reason.TOO_LARGE, f"{message.size} bytes is over the limit.")
    try:
        mail = parsing.read_mail(raw)
        parsed = parsing.parse_message(raw)
    except parsing.Unparseable as error:
        return quarantine(Reason.UNPARSEABLE, str(error))
    if mail.automatic:
        return ignore_automatic(parsed, mail, now=now)
    trusted = settings.INBOUND_TRUSTED_AUTHSERV_ID
    if trusted and not parsing.authenticated(parsed, authserv_id=trusted, sender=mail.sender):
        return quarantine(
            Reason.UNAUTHENTICATED, f"{trusted} shows no DMARC or DKIM pass for {mail.sender}."
        )
    sender = User.objects.filter(email__iexact=mail.sender, is_active=True).first()
    named = ticket_named(mail)
    if sender is None:
        return quarantine(Reason.UNKNOWN_SENDER, f"{mail.sender} is not an active contact.")
    if sender.is_helpdesk_staff:
        if named is None:
            return quarantine(
                Reason.STAFF_SENDER, "Mail from staff names no ticket; write in the app."
            )
        entry = _post(
            lambda files: update_services.add_internal_note(
                named, author=sender, body=_body(mail, prefix="By email: "), attachments=files
            ),
            mail,
        )
        return Decision(Outcome.REPLY_ADDED, detail=f"Internal note {entry.pk}.", ticket=named)
    if not sender.is_contact:
        return quarantine(Reason.UNKNOWN_SENDER, f"{mail.sender} is not a contact.")
    if named is not None and named.organization_id != sender.organization_id:
        return quarantine(
            Reason.WRONG_ORGANIZATION,
            f"{mail.sender} is not a contact of {named.reference}'s organisation.",
            ticket=named,
        )
    if named is None:
        ticket = open_ticket_from(mail, sender)
        return Decision(Outcome.TICKET_CREATED, ticket=ticket)
    return reply(named, mail, sender, now=now)


def ticket_named(mail: parsing.ParsedMail) -> Ticket | None:
    """The ticket a message answers: one of our emails named in In-Reply-To/References, else
    the [SD-n] tag in its subject."""
    if mail.referenced_ids:
        ticket_id = (
            OutboxMessage.objects.filter(email_message_id__in=mail.referenced_ids)
            .values_list("ticket_id", flat=True)
            .first()
        )
        if ticket_id is None:
            ticket_id = (
                InboundMessage.objects.filter(
                    dedupe_key__in=mail.referenced_ids, ticket__isnull=False
                )
                .values_list("ticket_id", flat=True)
                .first()
            )
        if ticket_id is not None:
            return _survivor(ticket_id)
    if mail.ticket_number is not None:
        return _survivor(mail.ticket_number)
    return None


def _survivor(ticket_id: int) -> Ticket | None:
    """The ticket, or the one it was merged into: replies to either thread land there."""
    ticket = Ticket.objects.filter(pk=ticket_id).select_related("organization").first()
    if ticket is not None and ticket.merged_into_id is not None:
        return _survivor(ticket.merged_into_id)
    return ticket


def reply(ticket: Ticket, mail: parsing.ParsedMail, sender: User, *, now: datetime) -> Decision:
    """A public customer reply (reopening a recently resolved ticket), or a follow-up ticket
    when the ticket is closed or was resolved more than INBOUND_REOPEN_DAYS ago."""
    too_old = ticket.status == Status.RESOLVED and (
        ticket.resolved_at is None
        or ticket.resolved_at < now - timedelta(days=settings.INBOUND_REOPEN_DAYS)
    )
    if ticket.status == Status.CLOSED or too_old:
        follow_up = open_ticket_from(mail, sender, follows=ticket)
        # Both tickets name the other, for staff only: the staff timeline links each to the other.
        record_event(
            ticket,
            "follow_up_opened",
            at=now,
            by=sender,
            linked_ticket=follow_up.pk,
            reference=follow_up.reference,
        )
        record_event(
            follow_up,
            "follow_up_of",
            at=now,
            by=sender,
            linked_ticket=ticket.pk,
            reference=ticket.reference,
            status=ticket.status,
        )
        return Decision(
            Outcome.TICKET_CREATED,
            detail=f"A follow-up to {ticket.reference}, which is {ticket.status}.",
            ticket=follow_up,
        )
    entry = _post(
        lambda files: update_services.post_customer_reply(
            ticket, author=sender, body=_body(mail), attachments=files
        ),
        mail,
    )
    return Decision(Outcome.REPLY_ADDED, detail=f"Customer reply {entry.pk}.", ticket=ticket)


def open_ticket_from(
    mail: parsing.ParsedMail, contact: User, *, follows: Ticket | None = None
) -> Ticket:
    """A new ticket in the contact's organisation through the portal's intake service (impact
    and urgency 3 until triaged; the acknowledgement and first promise come with it)."""
    prefix = f"Follow-up to {follows.reference}.\n\n" if follows is not None else ""

    def create(files):
        ticket = update_services.open_ticket(
            attachments=files,
            organization=contact.organization,
            subject=parsing.clean_subject(mail.subject)[:SUBJECT_MAX_LENGTH],
            description=_body(mail, prefix=prefix, full=True),
            impact=3,
            urgency=3,
            created_by=contact,
            requester=contact,
        )
        return ticket

    return _post(create, mail)


def _body(mail: parsing.ParsedMail, *, prefix: str = "", full: bool = False) -> str:
    text = (mail.original_body if full else mail.body) or (
        "(No text: see the attached files.)" if mail.files else "(An empty email.)"
    )
    text = prefix + text
    if len(text) > BODY_MAX_LENGTH:
        text = text[: BODY_MAX_LENGTH - 40].rstrip() + "\n\n[Cut here: the email was longer.]"
    return text


def _uploads(mail: parsing.ParsedMail) -> list[SimpleUploadedFile]:
    return [
        SimpleUploadedFile(file.filename or "attachment", file.content, file.content_type)
        for file in mail.files
    ]


def _post(write, mail: parsing.ParsedMail):
    """Write with the message's files; files the attachment rules refuse (too many, too large,
    a program) are left out rather than losing the message: the original stays for staff."""
    files = _uploads(mail)
    try:
        result = write(files)
    except ValidationError as error:
        if not files or "attachments" not in getattr(error, "error_dict", {}):
            raise
        mail.original_body = (
            f"[Files not attached: {' '.join(error.message_dict['attachments'])}]\n\n"
            + mail.original_body
        )
        result = write([])
    entry = result if isinstance(result, TimelineEntry) else None
    if entry is not None and entry.kind == EntryKind.CUSTOMER_REPLY:
        TimelineEntry.objects.filter(pk=entry.pk).update(
            data={**entry.data, "original_body": mail.original_body, "via": "email"}
        )
    return result


def ignore_automatic(parsed, mail: parsing.ParsedMail, *, now: datetime) -> Decision:
    """Automatic mail changes nothing. A bounce of one of our emails is shown to staff on its
    ticket; a hard bounce marks the recipient's address as failing."""
    bounce = parsing.bounce_of(parsed)
    ticket = None
    if bounce is not None and bounce.original_ids:
        sent = (
            OutboxMessage.objects.filter(email_message_id__in=bounce.original_ids)
            .select_related("ticket", "recipient")
            .first()
        )
        if sent is not None:
            ticket, recipient = sent.ticket, sent.recipient
            failing = bounce.hard and (
                not bounce.recipients or recipient.email.lower() in bounce.recipients
            )
            if failing and recipient.email_failing_since is None:
                User.objects.filter(pk=recipient.pk).update(email_failing_since=now)
            record_event(
                ticket,
                "email_bounced",
                at=now,
                body=(
                    f"Our email to {recipient.email} bounced"
                    + (": the address is marked as failing." if failing else " (for now).")
                ),
                recipient=recipient.pk,
                hard=failing,
            )
    if ticket is None:
        ticket = ticket_named(mail)
    return Decision(Outcome.IGNORED_AUTOMATIC, detail=mail.automatic, ticket=ticket)


# Staff decisions on quarantined mail.


def discard(message: InboundMessage, *, by: User) -> InboundMessage:
    with transaction.atomic():
        message = _locked_quarantined(message.pk)
        message.outcome, message.handled_by = Outcome.DISCARDED, by
        message.save(update_fields=["outcome", "handled_by"])
    return message


def release(message: InboundMessage, *, by: User, ticket: Ticket | None = None) -> InboundMessage:
    """Staff let a quarantined message through: onto `ticket` (a public reply when the sender is
    a contact of its organisation, else an internal note naming the sender), or as a new ticket
    of the sender (a known contact, or a new contact of the one organisation whose contacts
    share the sender's domain)."""
    if not by.is_helpdesk_staff:
        raise ValidationError({"ticket": "Only staff release quarantined mail."})
    with transaction.atomic():
        message = _locked_quarantined(message.pk)
        try:
            mail = parsing.read_mail(bytes(message.raw))
        except parsing.Unparseable:
            mail = _unreadable(message)
        sender = User.objects.filter(email__iexact=mail.sender, is_active=True).first()
        if ticket is not None:
            if (
                sender is not None
                and sender.is_contact
                and (sender.organization_id == ticket.organization_id)
            ):
                _post(
                    lambda files: update_services.post_customer_reply(
                        ticket, author=sender, body=_body(mail), attachments=files
                    ),
                    mail,
                )
            else:
                _post(
                    lambda files: update_services.add_internal_note(
                        ticket,
                        author=by,
                        body=_body(
                            mail,
                            prefix=f"Email from {mail.sender or 'an unknown sender'}"
                            ", released from quarantine:\n\n",
                            full=True,
                        ),
                        attachments=files,
                    ),
                    mail,
                )
            message.outcome, message.ticket = Outcome.REPLY_ADDED, ticket
        else:
            contact = sender if sender is not None and sender.is_contact else None
            if contact is None:
                contact = _new_contact(mail)
            message.ticket = open_ticket_from(mail, contact)
            message.outcome = Outcome.TICKET_CREATED
        message.handled_by = by
        message.save(update_fields=["outcome", "ticket", "handled_by"])
    return message


def _unreadable(message: InboundMessage) -> parsing.ParsedMail:
    text = bytes(message.raw[:BODY_MAX_LENGTH]).decode("latin-1")
    return parsing.ParsedMail(
        sender=message.sender if "@" in message.sender else "",
        display_name="",
        subject=message.subject,
        message_id=message.message_id,
        referenced_ids=[],
        ticket_number=None,
        body=text,
        original_body=text,
    )


def _new_contact(mail: parsing.ParsedMail) -> User:
    """A contact for an unknown sender, in the one organisation whose contacts share the
    sender's domain; refused when there is no such organisation or the address is staff's."""
    domain = mail.sender.rpartition("@")[2]
    if not domain or User.objects.filter(email__iexact=mail.sender).exists():
        raise ValidationError(
            {"ticket": "This sender cannot open a ticket: choose the ticket to add it to."}
        )
    organizations = set(
        User.objects.filter(role=Role.CONTACT, email__iendswith="@" + domain).values_list(
            "organization_id", flat=True
        )
    )
    if len(organizations) != 1:
        raise ValidationError(
            {
                "ticket": f"No one organisation has contacts at {domain}: add the sender as a "
                "contact first, or choose the ticket to add it to."
            }
        )
    contact = User(
        email=mail.sender.lower(),
        name=mail.display_name[:150],
        role=Role.CONTACT,
        organization_id=organizations.pop(),
    )
    contact.set_unusable_password()
    contact.save()
    return contact


def _locked_quarantined(pk: int) -> InboundMessage:
    message = InboundMessage.objects.select_for_update().get(pk=pk)
    if message.outcome != Outcome.QUARANTINED:
        raise ValidationError(
            {
                "outcome": f"Only quarantined mail can be released or discarded (this is {message.outcome})."
            }
        )
    return message
