"""The outbox's email object: Django's EmailMultiAlternatives (text + HTML), with a cheaper MIME
build for the plain case every outbox email is.

Django 6.1 builds messages with Python's modern email API, whose header registry parses and
refolds every header it is given. Profiled on a 10,000-email burst, that was the largest single
cost of sending one (about 4 ms of CPU of roughly 10, more than rendering both templates and the
SMTP conversation together). The standard library's legacy (compat32) classes build the same
multipart/alternative message in about a quarter of the time. So `OutboxEmail.message()` uses
them when the message is the simple shape the outbox sends (ASCII addresses, no attachments, one
HTML alternative) and falls back to Django's own build for anything else. It keeps Django's rule
that a header value may not contain a line break (ValueError), so a ticket subject can never
inject a header, and every backend (SMTP, console, locmem in tests) receives an ordinary
EmailMultiAlternatives.
"""

import email.encoders
import email.policy
import uuid
from datetime import UTC, datetime
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.utils import format_datetime, make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.utils import DNS_NAME
from django.utils.timezone import get_current_timezone

# On the wire lines end in CRLF (smtplib sends bytes as they are).
WIRE_POLICY = email.policy.compat32.clone(linesep="\r\n")
# RFC 5321: a line of a message is at most 998 characters; longer text goes base64.
SMTP_LINE_LIMIT = 998
# Headers the fast build writes itself; extra headers must not override them.
OWN_HEADERS = {"subject", "from", "to", "cc", "bcc", "reply-to", "date", "message-id"}


class OutboxEmail(EmailMultiAlternatives):
    """One outbox email: a subject, a plain-text body and its HTML alternative."""

    def __init__(
        self,
        *,
        subject: str,
        text: str,
        html: str,
        to: list[str],
        headers: dict[str, str],
        message_id: str = "",
        reply_to: list[str] | None = None,
    ) -> None:
        # A stored Message-ID (the outbox message's) goes out as it is; Django's own build
        # takes it from the headers too.
        if message_id:
            headers = {**headers, "Message-ID": message_id}
        super().__init__(subject=subject, body=text, to=to, headers=headers, reply_to=reply_to)
        self.message_id = message_id
        self.attach_alternative(html, "text/html")

    def message(self, *, policy=email.policy.default):
        if not self._is_plain():
            return super().message(policy=policy)
        headers = {
            name: value for name, value in self.extra_headers.items() if name != "Message-ID"
        }
        for value in (
            self.subject,
            self.from_email,
            *self.to,
            *self.reply_to,
            *self.extra_headers.values(),
        ):
            _refuse_line_breaks(str(value))
        [(html, _mimetype)] = self.alternatives
        text, html = _canonical(self.body), _canonical(str(html))
        root = MIMEMultipart("alternative", boundary=_boundary(text, html), policy=WIRE_POLICY)
        root.attach(_text_part(text, "plain"))
        root.attach(_text_part(html, "html"))
        subject = str(self.subject)
        root["Subject"] = subject if subject.isascii() else Header(subject, "utf-8", 78, "Subject")
        root["From"] = self.from_email
        root["To"] = ", ".join(self.to)
        if self.reply_to:
            root["Reply-To"] = ", ".join(self.reply_to)
        zone = get_current_timezone() if settings.EMAIL_USE_LOCALTIME else UTC
        root["Date"] = format_datetime(datetime.now(zone))
        root["Message-ID"] = self.message_id or make_msgid(domain=str(DNS_NAME))
        for name, value in headers.items():
            root[name] = str(value)
        return root

    def _is_plain(self) -> bool:
        """ASCII addresses and header values, no attachments, cc or bcc, exactly one HTML
        alternative, and no extra header the build writes itself (but our own Message-ID)."""
        addresses = [self.from_email, *self.to, *self.reply_to]
        own = {str(name).lower() for name in self.extra_headers} - {"message-id"}
        return (
            not self.attachments
            and not (self.cc or self.bcc)
            and len(self.alternatives) == 1
            and self.alternatives[0][1] == "text/html"
            and all(isinstance(a, str) and a.isascii() for a in addresses)
            and all(
                str(name).isascii() and str(value).isascii()
                for name, value in self.extra_headers.items()
            )
            and not own & OWN_HEADERS
        )


def _refuse_line_breaks(value: str) -> None:
    if "\n" in value or "\r" in value:
        raise ValueError("Header values may not contain linefeed or carriage return characters")


def _canonical(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _boundary(*texts: str) -> str:
    """A fresh MIME boundary that occurs in none of the parts. Base64 never contains "_"; a 7bit
    part is checked. (Left to the generator, the boundary costs a regular expression compiled
    per message, a fifth of the build.)"""
    while True:
        boundary = f"=_{uuid.uuid4().hex}"
        if not any(boundary in text for text in texts):
            return boundary


def _text_part(text: str, subtype: str) -> MIMENonMultipart:
    """A UTF-8 text part: 7bit when it is ASCII with short lines (readable as it is), else
    base64 (any character, any line length) of the text in its canonical form, CRLF line ends
    (RFC 2045)."""
    part = MIMENonMultipart("text", subtype, policy=WIRE_POLICY, charset="utf-8")
    del part["MIME-Version"]  # said once, by the message itself
    if text.isascii() and max(map(len, text.split("\n"))) <= SMTP_LINE_LIMIT:
        part.set_payload(text)
        part["Content-Transfer-Encoding"] = "7bit"
    else:
        part.set_payload(text.replace("\n", "\r\n").encode("utf-8"))
        email.encoders.encode_base64(part)
    return part
