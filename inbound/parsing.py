"""Reading a raw message: who sent it, what it names, its new text and its files.

Pure functions of the bytes (and the trusted authserv-id): nothing here touches the database.
"""

import email
import email.policy
import re
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import getaddresses
from html.parser import HTMLParser

import nh3
from mailparser_reply import EmailReplyParser

# The languages whose quote headers ("On ... wrote:") the reply parser recognises.
REPLY_LANGUAGES = ["en", "de", "fr", "es", "it", "nl", "ja"]
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
SUBJECT_TAG = re.compile(r"\[SD-(\d{1,18})\]", re.IGNORECASE)
REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|wg|sv|vs|tr)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)
AUTOMATIC_SENDERS = ("mailer-daemon", "postmaster")


class Unparseable(ValueError):
    pass


@dataclass
class MailFile:
    filename: str
    content: bytes
    content_type: str


@dataclass
class ParsedMail:
    sender: str
    display_name: str
    subject: str
    message_id: str | None
    referenced_ids: list[str]
    ticket_number: int | None
    body: str
    original_body: str
    files: list[MailFile] = field(default_factory=list)
    automatic: str = ""  # why it is automatic mail; blank: a person wrote it


def parse_message(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)


def header_text(message: EmailMessage, name: str) -> str:
    """A header's decoded value ('' when missing or undecodable), on one line."""
    try:
        value = message.get(name)
    except Exception:
        return ""
    return " ".join(str(value).split()) if value is not None else ""


def message_id_of(message: EmailMessage) -> str | None:
    found = MESSAGE_ID.findall(header_text(message, "Message-ID"))
    return found[0][:998] if found else None


def sender_of(message: EmailMessage) -> tuple[str, str]:
    """The address in From (inside <...> when there is one; a display name never counts) and
    the display name. Unparseable when there is no address with a domain."""
    try:
        values = message.get_all("From") or []
        pairs = getaddresses([str(value) for value in values])
    except Exception as error:
        raise Unparseable("The From header cannot be read.") from error
    for name, address in pairs:
        address = address.strip()
        local, at, domain = address.rpartition("@")
        if at and local and "." in domain and " " not in address:
            return address.lower(), name.strip()
    raise Unparseable("The From header names no address.")


def referenced_ids(message: EmailMessage) -> list[str]:
    text = header_text(message, "In-Reply-To") + " " + header_text(message, "References")
    return MESSAGE_ID.findall(text)


def ticket_number_in(subject: str) -> int | None:
    match = SUBJECT_TAG.search(subject)
    return int(match.group(1)) if match else None


def clean_subject(subject: str) -> str:
    """The subject of a new ticket: without Re:/Fwd: prefixes and our tag."""
    subject = SUBJECT_TAG.sub("", subject)
    return REPLY_PREFIX.sub("", subject).strip() or "(no subject)"


def automatic_reason(message: EmailMessage, sender: str, own_domain: str) -> str:
    """Why this is mail no person wrote ('' when a person did): RFC 3834 Auto-Submitted,
    Precedence bulk/junk/list, X-Autoreply, List-Id, an empty Return-Path, a delivery report,
    a mailer-daemon or postmaster sender, or one of our own emails."""
    auto_submitted = header_text(message, "Auto-Submitted").split(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    if header_text(message, "Precedence").lower() in ("bulk", "junk", "list"):
        return "Precedence: " + header_text(message, "Precedence").lower()
    if message.get("X-Autoreply") is not None:
        return "X-Autoreply"
    if message.get("List-Id") is not None:
        return "List-Id (a mailing list)"
    return_path = message.get("Return-Path")
    if return_path is not None and str(return_path).strip() in ("<>", ""):
        return "empty Return-Path (a bounce or notification)"
    if message.get_content_type() == "multipart/report":
        return "delivery report"
    if sender.split("@")[0] in AUTOMATIC_SENDERS:
        return "sent by " + sender.split("@")[0]
    if message.get("X-Service-Desk-Message") is not None:
        return "one of our own emails"
    return ""


def _decoded(part: EmailMessage) -> str:
    """A text part decoded with its declared charset; an unknown charset is read as Latin-1
    (every byte is a character), never guessed as UTF-8."""
    try:
        return part.get_content()
    except (LookupError, UnicodeError, AssertionError):
        payload = part.get_payload(decode=True) or b""
        return payload.decode("latin-1")


class _TextFromHtml(HTMLParser):
    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag in self.BLOCKS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag) -> None:
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data) -> None:
        self.parts.append(data)


def html_to_text(html: str) -> str:
    """HTML made safe first (nh3 drops scripts, styles and every attribute), then read as text."""
    safe = nh3.clean(html, tags=_TextFromHtml.BLOCKS | {"span", "b", "i", "a", "ul", "ol"})
    reader = _TextFromHtml()
    reader.feed(safe)
    lines = [" ".join(line.split()) for line in "".join(reader.parts).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def body_text(message: EmailMessage) -> str:
    """The text/plain part when there is one, else the HTML part rendered as text."""
    plain = message.get_body(preferencelist=("plain",))
    if plain is not None:
        return _decoded(plain).strip()
    html = message.get_body(preferencelist=("html",))
    if html is not None:
        return html_to_text(_decoded(html))
    return ""


def new_text(body: str) -> str:
    """The reply without its quoted history and signature, where they are recognisable."""
    if not body:
        return ""
    try:
        reply = EmailReplyParser(languages=REPLY_LANGUAGES).read(text=body)
        latest = reply.replies[0].body if reply.replies else ""
    except Exception:
        return body
    return latest.strip() or body


def files_of(message: EmailMessage) -> list[MailFile]:
    """Attachments, inline images with a name, and forwarded messages (kept whole as .eml)."""
    files = []
    for part in message.iter_attachments():
        content_type = part.get_content_type()
        if content_type == "message/rfc822":
            inner = part.get_payload()[0] if part.is_multipart() else None
            name = header_text(inner, "Subject") if inner is not None else ""
            content = inner.as_bytes() if inner is not None else b""
            files.append(MailFile(f"{name or 'forwarded message'}.eml", content, content_type))
            continue
        filename = part.get_filename() or ""
        if not filename:
            continue
        try:
            content = part.get_payload(decode=True) or b""
        except Exception:
            continue
        files.append(MailFile(filename, content, content_type))
    return files


def read_mail(raw: bytes, *, own_domain: str = "") -> ParsedMail:
    """Everything the pipeline decides on. Raises Unparseable."""
    try:
        message = parse_message(raw)
    except Exception as error:
        raise Unparseable("The message cannot be read.") from error
    sender, display_name = sender_of(message)
    subject = header_text(message, "Subject")
    try:
        body = body_text(message)
        files = files_of(message)
    except Exception as error:
        raise Unparseable("The message's body cannot be read.") from error
    return ParsedMail(
        sender=sender,
        display_name=display_name,
        subject=subject,
        message_id=message_id_of(message),
        referenced_ids=referenced_ids(message),
        ticket_number=ticket_number_in(subject),
        body=new_text(body),
        original_body=body,
        files=files,
        automatic=automatic_reason(message, sender, own_domain),
    )


def authenticated(message: EmailMessage, *, authserv_id: str, sender: str) -> bool:
    """Whether our own server's Authentication-Results (the topmost header carrying its
    authserv-id; any other server's count for nothing) shows dmarc=pass, or dkim=pass for the
    From domain."""
    domain = sender.rpartition("@")[2].lower()
    for value in message.get_all("Authentication-Results") or []:
        text = " ".join(str(value).split())
        server = text.split(";", 1)[0].strip().split(" ")[0].lower()
        if server != authserv_id.lower():
            continue
        results = [item.strip().lower() for item in text.split(";")[1:]]
        for result in results:
            if re.match(r"dmarc\s*=\s*pass\b", result):
                return True
            if re.match(r"dkim\s*=\s*pass\b", result):
                signer = re.search(r"header\.(?:d|i)\s*=\s*@?([^\s;]+)", result)
                if signer and signer.group(1).rpartition("@")[2] == domain:
                    return True
        return False  # only the topmost header of our server counts
    return False


def display_address(address: str, name: str) -> str:
    return str(Address(display_name=name, addr_spec=address)) if name else address


@dataclass
class Bounce:
    original_ids: list[str]  # Message-IDs of the returned original (ours when it is a bounce)
    hard: bool  # a permanent failure (Action: failed, status 5.x.x)
    recipients: list[str]  # the addresses that failed


def bounce_of(message: EmailMessage) -> Bounce | None:
    """The delivery report in a multipart/report message (RFC 3464), or None."""
    if message.get_content_type() != "multipart/report":
        return None
    original_ids: list[str] = []
    hard, recipients = False, []
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type == "message/delivery-status":
            for group in part.get_payload():
                action = header_text(group, "Action").lower()
                status = header_text(group, "Status")
                if action == "failed" or status.startswith("5"):
                    hard = hard or status.startswith("5") or not status
                    final = header_text(group, "Final-Recipient") or header_text(
                        group, "Original-Recipient"
                    )
                    if final:
                        recipients.append(final.split(";")[-1].strip().lower())
        elif content_type in ("message/rfc822", "text/rfc822-headers"):
            if content_type == "message/rfc822":
                payload = part.get_payload()
                original = payload[0] if isinstance(payload, list) and payload else None
            else:
                original = email.message_from_string(_decoded(part), policy=email.policy.default)
            if original is not None:
                found = message_id_of(original)
                if found:
                    original_ids.append(found)
    return Bounce(original_ids=original_ids, hard=hard, recipients=recipients)
