"""API.md "Email in and out": the checks in their order (too large, unparseable, automatic,
unauthenticated, unknown sender, staff sender, wrong organisation), what automatic mail may do
(nothing but a bounce event), and that quarantined mail is never posted nor answered."""

import pytest

from accounts.models import User
from inbound.models import Outcome, Reason
from tests.factories import ContactFactory, OrganizationFactory, TicketFactory
from tickets.models import Status, Ticket
from updates.models import EntryKind, OutboxMessage, TimelineEntry

from .support import corpus, ingest, our_message_id, plain

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(organization, contact, agent):
    return TicketFactory(organization=organization, requester=contact, owner=agent)


def nothing_changed(ticket, *, emails_before: int) -> bool:
    ticket.refresh_from_db()
    return (
        ticket.status == Status.OPEN
        and not TimelineEntry.objects.filter(
            ticket=ticket, kind__in=[EntryKind.CUSTOMER_REPLY, EntryKind.INTERNAL_NOTE]
        ).exists()
        and OutboxMessage.objects.count() == emails_before
        and Ticket.objects.count() == 1
    )


@pytest.mark.parametrize(
    "header",
    [
        "Auto-Submitted: auto-replied",
        "Auto-Submitted: auto-generated",
        "Precedence: bulk",
        "Precedence: list",
        "Precedence: junk",
        "X-Autoreply: yes",
        "List-Id: <staff.northwind.test>",
        "Return-Path: <>",
        "X-Service-Desk-Message: ack:1:2:email",
    ],
)
def test_automatic_mail_is_recorded_and_ignored(ticket, header):
    emails = OutboxMessage.objects.count()
    message = ingest(plain(subject=f"Re: [{ticket.reference}] Update", headers=header))
    assert message.outcome == Outcome.IGNORED_AUTOMATIC
    assert nothing_changed(ticket, emails_before=emails)


@pytest.mark.parametrize("header", ["Auto-Submitted: no", "Return-Path: <priya@northwind.test>"])
def test_a_person_saying_so_is_not_automatic(ticket, header):
    message = ingest(plain(subject=f"Re: [{ticket.reference}] Update", headers=header))
    assert message.outcome == Outcome.REPLY_ADDED


@pytest.mark.parametrize("sender", ["MAILER-DAEMON@mx.northwind.test", "postmaster@northwind.test"])
def test_mailer_daemons_and_postmasters_are_automatic(ticket, sender):
    message = ingest(plain(sender=sender, subject=f"[{ticket.reference}]"))
    assert message.outcome == Outcome.IGNORED_AUTOMATIC


def test_an_out_of_office_reply_changes_nothing(ticket):
    emails = OutboxMessage.objects.count()
    raw = corpus("out_of_office.eml", ticket=ticket, message_id=our_message_id(ticket))
    message = ingest(raw)
    assert message.outcome == Outcome.IGNORED_AUTOMATIC
    assert message.ticket == ticket  # named, and left alone
    assert nothing_changed(ticket, emails_before=emails)


def test_a_hard_bounce_is_shown_on_its_ticket_and_marks_the_address_failing(ticket, contact):
    emails = OutboxMessage.objects.count()
    raw = corpus("dsn.eml", ticket=ticket, message_id=our_message_id(ticket))
    message = ingest(raw)

    assert message.outcome == Outcome.IGNORED_AUTOMATIC
    assert message.ticket == ticket
    [event] = TimelineEntry.objects.filter(ticket=ticket, event="email_bounced")
    assert not event.is_public
    assert contact.email in event.body
    contact.refresh_from_db()
    assert contact.email_failing_since is not None
    assert OutboxMessage.objects.count() == emails


def test_a_bounce_of_mail_we_never_sent_marks_nobody(ticket, contact):
    ingest(corpus("dsn.eml", ticket=ticket, message_id="<not-ours@elsewhere.example>"))
    contact.refresh_from_db()
    assert contact.email_failing_since is None
    assert not TimelineEntry.objects.filter(event="email_bounced").exists()


def test_an_unknown_sender_is_quarantined_and_never_answered(ticket):
    emails = OutboxMessage.objects.count()
    message = ingest(plain(sender="stranger@elsewhere.example", subject=f"[{ticket.reference}]"))
    assert (message.outcome, message.reason) == (Outcome.QUARANTINED, Reason.UNKNOWN_SENDER)
    assert message.ticket is None
    assert nothing_changed(ticket, emails_before=emails)


def test_an_inactive_contact_is_an_unknown_sender(ticket, organization):
    ContactFactory(organization=organization, email="gone@northwind.test", is_active=False)
    message = ingest(plain(sender="gone@northwind.test"))
    assert message.reason == Reason.UNKNOWN_SENDER


def test_a_display_name_never_counts_as_the_address(ticket):
    message = ingest(plain(sender='"priya@northwind.test" <stranger@elsewhere.example>'))
    assert message.reason == Reason.UNKNOWN_SENDER


def test_staff_mail_on_a_ticket_becomes_an_internal_note(ticket, agent):
    emails = OutboxMessage.objects.count()
    message = ingest(plain(sender=agent.email, subject=f"Re: [{ticket.reference}] Update"))
    assert message.outcome == Outcome.REPLY_ADDED
    [note] = TimelineEntry.objects.filter(ticket=ticket, kind=EntryKind.INTERNAL_NOTE)
    assert not note.is_public
    assert note.author == agent
    assert OutboxMessage.objects.count() == emails


def test_staff_mail_naming_no_ticket_is_quarantined(agent):
    message = ingest(plain(sender=agent.email, subject="Lunch?"))
    assert (message.outcome, message.reason) == (Outcome.QUARANTINED, Reason.STAFF_SENDER)
    assert Ticket.objects.count() == 0


def test_another_organisations_contact_with_a_copied_tag_is_quarantined(ticket):
    outsider = ContactFactory(organization=OrganizationFactory(), email="eve@rival.test")
    emails = OutboxMessage.objects.count()
    raw = corpus("gmail_reply.eml", ticket=ticket, message_id=our_message_id(ticket)).replace(
        b"priya@northwind.test", outsider.email.encode()
    )
    message = ingest(raw)
    assert (message.outcome, message.reason) == (Outcome.QUARANTINED, Reason.WRONG_ORGANIZATION)
    assert message.ticket == ticket
    assert nothing_changed(ticket, emails_before=emails)


AUTH_OURS = "Authentication-Results: mx.desk.example; spf=pass; dkim=pass header.d=northwind.test"


@pytest.mark.parametrize(
    ("headers", "passes"),
    [
        (AUTH_OURS, True),
        ("Authentication-Results: mx.desk.example; dmarc=pass header.from=northwind.test", True),
        # A forged header from another server counts for nothing.
        ("Authentication-Results: mx.evil.example; dmarc=pass header.from=northwind.test", False),
        # Our server's header below a forged one in our name: only the topmost counts.
        (
            "Authentication-Results: mx.desk.example; dmarc=fail header.from=northwind.test\n"
            "Authentication-Results: mx.desk.example; dmarc=pass header.from=northwind.test",
            False,
        ),
        # A DKIM pass for another domain is no pass for the From domain.
        ("Authentication-Results: mx.desk.example; dkim=pass header.d=evil.example", False),
        ("", False),
    ],
)
def test_sender_authentication_when_a_trusted_server_is_set(contact, settings, headers, passes):
    settings.INBOUND_TRUSTED_AUTHSERV_ID = "mx.desk.example"
    message = ingest(plain(headers=headers))
    if passes:
        assert message.outcome == Outcome.TICKET_CREATED
    else:
        assert (message.outcome, message.reason) == (Outcome.QUARANTINED, Reason.UNAUTHENTICATED)


def test_a_stranger_without_a_trusted_pass_is_unauthenticated(settings, db):
    settings.INBOUND_TRUSTED_AUTHSERV_ID = "mx.desk.example"
    message = ingest(plain(sender="stranger@elsewhere.example"))
    assert message.reason == Reason.UNAUTHENTICATED


def test_a_message_over_the_size_limit_is_quarantined_as_too_large(contact):
    body = "x" * 76 + "\r\n"
    raw = plain(body=body * (30 * 1024 * 1024 // len(body)))
    assert len(raw) > 30 * 1024 * 1024
    message = ingest(raw)
    assert (message.outcome, message.reason) == (Outcome.QUARANTINED, Reason.TOO_LARGE)
    assert message.size == len(raw)
    assert Ticket.objects.count() == 0


@pytest.mark.parametrize(
    "raw",
    [b"this is not an email at all", b"From: nobody\r\nSubject: no address\r\n\r\nHello"],
)
def test_a_message_without_a_sender_address_is_unparseable(raw, db):
    message = ingest(raw)
    assert (message.outcome, message.reason) == (Outcome.QUARANTINED, Reason.UNPARSEABLE)


def test_no_quarantined_message_writes_an_email(ticket, settings):
    emails = OutboxMessage.objects.count()
    ingest(plain(sender="stranger@elsewhere.example", message_id="<a@x>"))
    ingest(plain(sender=User.objects.get(role="agent").email, message_id="<b@x>"))
    assert OutboxMessage.objects.count() == emails
