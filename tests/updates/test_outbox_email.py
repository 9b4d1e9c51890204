"""The outbox's email object (updates/keeper/mail.py): its cheaper MIME build says exactly what
Django's own would (subject, addresses, key header, text and HTML), in any script and any line
length, with CRLF line ends, and refuses line breaks in headers as Django does."""

import email
import email.message
import email.policy

import pytest
from django.core.mail import EmailMultiAlternatives

from updates.keeper.mail import SMTP_LINE_LIMIT, OutboxEmail

KEY = {"X-Service-Desk-Message": "alert:17:3:email"}


def wire_bytes(message: EmailMultiAlternatives) -> bytes:
    """What Django's SMTP backend hands to smtplib."""
    return message.message(policy=email.policy.SMTP).as_bytes()


def parsed(message: EmailMultiAlternatives) -> email.message.EmailMessage:
    return email.message_from_bytes(wire_bytes(message), policy=email.policy.default)


def content(message: email.message.EmailMessage, kind: str) -> str:
    """A part's text with its line ends as written (CRLF on the wire) and no final newline."""
    return message.get_body((kind,)).get_content().replace("\r\n", "\n").rstrip("\n")


def django_built(subject: str, text: str, html: str) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=subject, body=text, to=["alice@msp.test"], headers=dict(KEY)
    )
    message.attach_alternative(html, "text/html")
    return message


@pytest.mark.parametrize(
    ("subject", "text", "html"),
    [
        (
            "[SD-1042] Update due by 10:00 UTC: Shared mailbox stopped",
            "SD-1042 (Northwind Traders): first response promised by 10:00 UTC.\n\nOpen it.\n",
            "<p><strong>SD-1042</strong></p>\n<p>Open it.</p>\n",
        ),
        (
            "[SD-7] Update due by 10:00 CET: Drucker im Büro druckt nicht mehr, gar nicht…",
            "Müller GmbH: 東京 office — promised by 10:00 CET.\n.a line starting with a dot\n",
            "<p>Müller GmbH — 東京</p>",
        ),
        ("[SD-8] Long update", "word " * 400 + "\n", "<p>" + "x" * 3000 + "</p>"),
    ],
    ids=["ascii", "non-ascii", "long-lines"],
)
def test_the_fast_build_says_what_djangos_build_says(settings, subject, text, html):
    settings.DEFAULT_FROM_EMAIL = "Service Desk <servicedesk@msp.test>"
    fast = parsed(
        OutboxEmail(subject=subject, text=text, html=html, to=["alice@msp.test"], headers=dict(KEY))
    )
    reference = parsed(django_built(subject, text, html))

    for header in ("Subject", "From", "To", "X-Service-Desk-Message", "MIME-Version"):
        assert str(fast[header]) == str(reference[header]), header
    assert fast.get_content_type() == reference.get_content_type() == "multipart/alternative"
    for kind, sent in (("plain", text), ("html", html)):
        assert content(fast, kind) == content(reference, kind) == sent.rstrip("\n")
    assert fast["Date"]
    assert fast["Message-ID"]


def test_every_wire_line_ends_in_crlf_and_stays_within_the_smtp_limit():
    data = wire_bytes(
        OutboxEmail(
            subject="[SD-8] Long update",
            text="ünïcode " + "y" * 5000,
            html="<p>" + "z" * 5000 + "</p>",
            to=["alice@msp.test"],
            headers=dict(KEY),
        )
    )
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert max(len(line) for line in data.split(b"\r\n")) <= SMTP_LINE_LIMIT


@pytest.mark.parametrize(
    "field", ["subject", "header", "to"], ids=["subject", "extra header", "address"]
)
def test_a_line_break_in_a_header_is_refused_so_nothing_can_be_injected(field):
    values = {"subject": "Printer down", "to": ["alice@msp.test"], "headers": dict(KEY)}
    injected = "Printer down\nBcc: everyone@example.test"
    if field == "subject":
        values["subject"] = injected
    elif field == "header":
        values["headers"] = {"X-Service-Desk-Message": injected}
    else:
        values["to"] = ["alice@msp.test\r\nBcc: everyone@example.test"]
    message = OutboxEmail(text="body", html="<p>body</p>", **values)
    with pytest.raises(ValueError, match="linefeed or carriage return"):
        message.message(policy=email.policy.SMTP)


def test_anything_but_the_plain_shape_falls_back_to_djangos_own_build():
    message = OutboxEmail(
        subject="Hello",
        text="body",
        html="<p>body</p>",
        to=["alice@bücher.example"],
        headers=dict(KEY),
    )
    built = message.message(policy=email.policy.SMTP)
    assert isinstance(built, email.message.EmailMessage)  # Django's modern build, IDNA and all
    assert b"xn--bcher-kva.example" in built.as_bytes()
