"""What each outbox message says: the in-app line and the email (plain text and HTML).

Rendered at delivery time, in the reader's time zone, so lateness is counted when it is read.

The wording of each message kind is registered here, keyed by kind (`WORDINGS`): the promise
alerts and the customer emails below, and kinds of apps above updates (the vendors app registers
`vendor_chase` from its AppConfig.ready(), so updates never imports vendors). A kind with no
registered wording is an error at delivery (the message is retried, then dead-lettered): it never
falls back to another kind's template, so an internal reminder can never go out dressed as a
customer update.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.template.loader import render_to_string

from accounts.models import User
from attachments.downloads import files_for_email
from attachments.selectors import FileLink, files_by_entry
from tickets.models import Ticket, customer_status_label
from updates.keeper import wording
from updates.models import OutboxKind, OutboxMessage, TimelineEntry

NOTIFICATION_MAX_LENGTH = 300
# The ticket subject's share of an email subject line.
SUBJECT_MAX_LENGTH = 60


@dataclass(frozen=True)
class Email:
    subject: str
    text: str
    html: str
    # (filename, content, content type): a public update's small files (ATTACHMENT_EMAIL_MAX_BYTES).
    attachments: tuple[tuple[str, bytes, str], ...] = ()


def subject_line(text: str, limit: int = SUBJECT_MAX_LENGTH) -> str:
    """`text` cut to `limit` characters with an ellipsis: email subjects and bell lines."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _cover_text(message: OutboxMessage, now: datetime) -> str:
    """A ticket alert the sweep found covered (updates.keeper.sources.Cover) but not answered
    for by its deadline: which incident the ticket is in, and when that one's update is due."""
    cover = message.data.get("cover")
    if not cover:
        return ""
    due = message.data.get("cover_due")
    if not due:
        return f"This ticket is in {cover}, which has no next update time yet."
    due_text = wording.staff_time(datetime.fromisoformat(due), user=message.recipient, now=now)
    return f"This ticket is in {cover}, whose next update is due {due_text}, after this promise."


def _staff_context(message: OutboxMessage, now: datetime) -> dict:
    ticket = message.ticket
    promise = message.alert.promise
    due_at = promise.due_at
    return {
        "cover": _cover_text(message, now),
        "cover_url": settings.SITE_URL + message.data.get("cover_link", ""),
        "kind": message.kind,
        "ticket": ticket,
        "customer": ticket.organization.name,
        "recipient": message.recipient,
        "due_at": due_at,
        "due_text": wording.staff_time(due_at, user=message.recipient, now=now),
        "left": wording.duration(due_at - now) if due_at > now else "",
        "late": wording.duration(now - due_at) if now > due_at else "",
        "is_first_response": promise.is_first_response,
        "owner": ticket.owner.display_name if ticket.owner_id else "",
        "url": wording.staff_ticket_url(ticket),
    }


def notification_text(message: OutboxMessage, now: datetime) -> str:
    """The one line shown in the notification bell."""
    return _notification_line(message, _staff_context(message, now))


def _notification_line(message: OutboxMessage, context: dict) -> str:
    head = f"{message.ticket.reference} ({context['customer']})"
    what = "first response" if context["is_first_response"] else "update"
    match message.kind:
        case OutboxKind.DUE_SOON if context["late"]:
            # Fired in time, delivered after the deadline (PromiseAlert.is_worth_sending).
            text = (
                f"{head}: late reminder, the {what} was due by {context['due_text']} "
                f"({context['late']} ago). Update the customer now."
            )
        case OutboxKind.DUE_SOON:
            left = f", {context['left']} left" if context["left"] else ""
            text = f"{head}: {what} promised by {context['due_text']}{left}."
        case OutboxKind.BREACHED:
            text = f"{head}: the {what} promised by {context['due_text']} is late. Update the customer now."
        case _:
            late = context["late"] or "past its deadline"
            owner = f" Owner: {context['owner']}." if context["owner"] else " Nobody owns it."
            text = f"{head}: still no {what}; promised by {context['due_text']}, now {late} late.{owner}"
    if context["cover"]:
        text = f"{text} {context['cover']}"
    return subject_line(text, NOTIFICATION_MAX_LENGTH)


def staff_email(message: OutboxMessage, now: datetime) -> Email:
    context = _staff_context(message, now)
    reference, subject = message.ticket.reference, subject_line(message.ticket.subject)
    match message.kind:
        case OutboxKind.DUE_SOON if context["late"]:
            title = f"[{reference}] Late reminder: update was due {context['due_text']}: {subject}"
        case OutboxKind.DUE_SOON:
            title = f"[{reference}] Update due by {context['due_text']}: {subject}"
        case OutboxKind.BREACHED:
            title = (
                f"[{reference}] Promise breached: update was due {context['due_text']}: {subject}"
            )
        case _:
            title = f"[{reference}] Still no update, {context['late'] or 'late'}: {subject}"
    context["summary"] = _notification_line(message, context)
    return Email(
        subject=title,
        text=render_to_string("keeper/email/staff_alert.txt", context),
        html=render_to_string("keeper/email/staff_alert.html", context),
    )


def customer_email(message: OutboxMessage, now: datetime) -> Email:
    """Acknowledgement, public update or resolution, in the requester's time zone."""
    return customer_email_for(
        message.kind,
        ticket=message.ticket,
        recipient=message.recipient,
        entry=message.entry,
        now=now,
    )


def customer_email_for(
    kind: str, *, ticket: Ticket, recipient: User, entry: TimelineEntry | None, now: datetime
) -> Email:
    """The customer email of `kind` about `ticket` (and `entry`, the update it reports). The
    composer's preview (updates.previews) renders through here with the update not yet saved, so
    the preview is the email, never a look-alike."""
    zone = wording.reader_zone(recipient)
    promised = ticket.next_update_due
    if kind == OutboxKind.CUSTOMER_UPDATE and entry is not None:
        # The promise this update made, as the customer was told, even if it moved since.
        promised = entry.next_update_due
    context = {
        "kind": kind,
        "ticket": ticket,
        "recipient": recipient,
        "entry": entry,
        "body": entry.body if entry is not None else "",
        "author": entry.author.display_name if entry is not None and entry.author else "",
        "owner": ticket.owner.display_name if ticket.owner_id else "",
        "status_label": customer_status_label(ticket.status),
        "waiting_on_you": ticket.status == "waiting_on_customer",
        "next_update_text": (
            wording.local_time(promised, zone=zone, now=now) if promised is not None else ""
        ),
        "url": wording.portal_ticket_url(ticket),
        "feedback_url": wording.feedback_url(ticket),
    }
    # A public update's files: linked (each link asks who is signed in), and attached as well
    # while they are small. An unsaved entry (the composer's preview) has none yet.
    files: list[FileLink] = []
    if entry is not None and entry.pk is not None and entry.is_public:
        files = files_by_entry([entry.pk], public_only=True).get(entry.pk, [])
    context["files"] = [
        {"name": link.filename, "size": link.size, "url": settings.SITE_URL + link.url}
        for link in files
    ]
    subject = subject_line(ticket.subject)
    match kind:
        case OutboxKind.CUSTOMER_ACKNOWLEDGEMENT:
            title = f"[{ticket.reference}] We have your request: {subject}"
            template = "customer_acknowledgement"
        case OutboxKind.CUSTOMER_RESOLUTION:
            title = f"[{ticket.reference}] Resolved: {subject}"
            template = "customer_resolution"
        case OutboxKind.CUSTOMER_MERGED:
            # updates.merging: the request goes on under another reference.
            survivor = Ticket(pk=ticket.merged_into_id)
            context["survivor_reference"] = survivor.reference
            context["url"] = wording.portal_ticket_url(survivor)
            title = f"[{ticket.reference}] Now followed as {survivor.reference}: {subject}"
            template = "customer_merged"
        case _:
            title = f"[{ticket.reference}] Update: {subject}"
            template = "customer_update"
    return Email(
        subject=title,
        text=render_to_string(f"keeper/email/{template}.txt", context),
        html=render_to_string(f"keeper/email/{template}.html", context),
        attachments=tuple(files_for_email(files, limit=settings.ATTACHMENT_EMAIL_MAX_BYTES)),
    )


@dataclass(frozen=True)
class Wording:
    """How one kind of outbox message is said.

    email: the email (subject, text, HTML). notification: the one line in the bell, for kinds
    delivered in-app (None: email only). still_true: an extra check just before delivery, on top
    of "the recipient is still active" and the promise checks of the alerts (None: always true).
    """

    email: Callable[[OutboxMessage, datetime], Email]
    notification: Callable[[OutboxMessage, datetime], str] | None = None
    still_true: Callable[[OutboxMessage, datetime], bool] | None = None


WORDINGS: dict[str, Wording] = {}


class UnknownMessageKind(LookupError):
    pass


def register_wording(kind: str, wording: Wording) -> None:
    """Add (or replace: ready() may run twice in tests) the wording of a message kind."""
    WORDINGS[kind] = wording


def wording_for(kind: str) -> Wording:
    try:
        return WORDINGS[kind]
    except KeyError:
        raise UnknownMessageKind(
            f"No wording is registered for outbox messages of kind {kind!r}."
        ) from None


def render_email(message: OutboxMessage, now: datetime) -> Email:
    return wording_for(message.kind).email(message, now)


def render_notification(message: OutboxMessage, now: datetime) -> str:
    wording = wording_for(message.kind)
    if wording.notification is None:
        raise UnknownMessageKind(f"Outbox messages of kind {message.kind!r} are not in-app.")
    return subject_line(wording.notification(message, now), NOTIFICATION_MAX_LENGTH)


def still_true_for_kind(message: OutboxMessage, now: datetime) -> bool:
    """The kind's own pre-delivery check; a kind without wording passes here and fails when it
    is rendered, where delivery records the failure."""
    wording = WORDINGS.get(message.kind)
    return wording is None or wording.still_true is None or wording.still_true(message, now)


for _kind in (OutboxKind.DUE_SOON, OutboxKind.BREACHED, OutboxKind.STILL_BREACHED):
    register_wording(_kind, Wording(email=staff_email, notification=notification_text))
for _kind in (
    OutboxKind.CUSTOMER_ACKNOWLEDGEMENT,
    OutboxKind.CUSTOMER_UPDATE,
    OutboxKind.CUSTOMER_RESOLUTION,
    OutboxKind.CUSTOMER_MERGED,
):
    register_wording(_kind, Wording(email=customer_email))
