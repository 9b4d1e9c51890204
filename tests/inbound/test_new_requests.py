"""API.md "Email in and out": mail from an active contact that answers no ticket opens one in
their organisation through the portal's intake (acknowledgement and first promise included);
bodies are decoded from their charset, HTML made safe, files kept as attachments."""

import pytest

from attachments.models import Attachment
from inbound.models import Outcome
from tickets.models import Ticket
from updates.models import OutboxKind, OutboxMessage, Promise

from .support import corpus, ingest, plain

pytestmark = pytest.mark.django_db


def test_a_contacts_new_email_opens_a_ticket_in_their_organisation(contact, attachment_dir):
    message = ingest(corpus("new_request.eml"))

    assert message.outcome == Outcome.TICKET_CREATED
    ticket = message.ticket
    assert ticket.organization == contact.organization
    assert ticket.requester == contact
    assert ticket.subject == "New starter needs a laptop"  # without "Fwd:"
    assert ticket.description.startswith("Sam starts on Monday")
    assert (ticket.impact, ticket.urgency) == (3, 3)
    # The intake's acknowledgement and first-response promise, as for the portal.
    assert Promise.objects.filter(ticket=ticket, is_first_response=True).exists()
    [ack] = OutboxMessage.objects.filter(ticket=ticket, kind=OutboxKind.CUSTOMER_ACKNOWLEDGEMENT)
    # Reply-To is never the identity, and Cc addresses are not participants.
    assert ack.recipient == contact
    assert list(ticket.collaborators.all()) == []


def test_html_only_mail_becomes_safe_text(contact):
    ticket = ingest(corpus("html_only.eml")).ticket
    assert "The VPN drops every hour on the dot." in ticket.description
    assert "Since Friday & only on laptops." in ticket.description
    assert "- Laptop 1" in ticket.description
    for unsafe in ("alert", "<", "color: red", "tracker.example"):
        assert unsafe not in ticket.description


@pytest.mark.parametrize(
    ("name", "subject", "text"),
    [
        ("iso_8859_1.eml", "Drucker im Büro defekt", "Grüße aus Köln, café au lait."),
        ("shift_jis.eml", "プリンターが動きません", "二階のプリンターが紙詰まりで動きません。"),
    ],
)
def test_bodies_are_decoded_from_their_own_charset(contact, name, subject, text):
    ticket = ingest(corpus(name)).ticket
    assert ticket.subject == subject
    assert text in ticket.description


def test_an_rfc_2231_filename_arrives_as_the_opening_entrys_file(contact, attachment_dir):
    ticket = ingest(corpus("rfc2231_filename.eml")).ticket
    [file] = Attachment.objects.filter(ticket=ticket)
    assert file.filename == "Rechnung März 2026.pdf"
    assert file.entry.event == "opened"
    assert (attachment_dir / file.stored_name).read_bytes() == b"%PDF-1.4 fake invoice\n"


def test_a_forwarded_message_is_kept_whole_as_an_attachment(contact, attachment_dir):
    ticket = ingest(corpus("forwarded.eml")).ticket
    assert "renewal covers the new firewall" in ticket.description
    [file] = Attachment.objects.filter(ticket=ticket)
    assert file.filename == "Your contract renewal.eml"
    stored = (attachment_dir / file.stored_name).read_bytes()
    assert b"Your contract renews on 1 January." in stored


def test_a_refused_file_leaves_the_file_out_not_the_message(contact, attachment_dir):
    raw = corpus("rfc2231_filename.eml").replace(b".pdf", b".exe")
    message = ingest(raw)
    assert message.outcome == Outcome.TICKET_CREATED
    assert not Attachment.objects.filter(ticket=message.ticket).exists()


def test_mail_without_a_message_id_delivered_twice_is_acted_on_once(contact):
    raw = plain(message_id=None)
    first, second = ingest(raw), ingest(raw)
    assert first.message_id is None
    assert (first.outcome, second.outcome) == (Outcome.TICKET_CREATED, Outcome.DUPLICATE)
    assert second.ticket == first.ticket
    assert Ticket.objects.count() == 1


def test_different_mail_without_a_message_id_is_not_a_duplicate(contact):
    first = ingest(plain(message_id=None, body="The printer is jammed again."))
    second = ingest(plain(message_id=None, body="And the scanner is offline."))
    assert (first.outcome, second.outcome) == (Outcome.TICKET_CREATED, Outcome.TICKET_CREATED)
    assert Ticket.objects.count() == 2
