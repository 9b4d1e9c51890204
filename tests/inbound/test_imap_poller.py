"""The IMAP poller against a real Dovecot: new messages are stored, then marked and moved (never
deleted); a message that could not be stored stays and is taken on the next poll; UIDs are
tracked under the folder's UIDVALIDITY."""

import pytest
from django.db import OperationalError
from imapclient import IMAPClient

from inbound import imap, services
from inbound.models import InboundMessage, MailboxState, Outcome

from .dovecot import imap_server
from .support import corpus, plain

__all__ = ["imap_server"]

pytestmark = pytest.mark.django_db


def client(server) -> IMAPClient:
    connection = IMAPClient(server.host, port=server.port, ssl=False)
    connection.login(server.user, server.password)
    return connection


def deliver(server, *messages: bytes) -> None:
    with client(server) as connection:
        for raw in messages:
            connection.append("INBOX", raw)


def folder_counts(server) -> dict[str, int]:
    with client(server) as connection:
        return {
            folder: connection.select_folder(folder, readonly=True)[b"EXISTS"]
            for folder in ("INBOX", "Processed")
        }


def test_new_mail_is_stored_acted_on_then_moved_never_deleted(imap_server, contact):
    deliver(imap_server, corpus("new_request.eml"), plain(sender="stranger@elsewhere.example"))

    stored = imap.poll(imap.mailbox_from_url(imap_server.url))

    assert stored == 2
    outcomes = sorted(InboundMessage.objects.values_list("outcome", flat=True))
    assert outcomes == [Outcome.QUARANTINED, Outcome.TICKET_CREATED]
    assert set(InboundMessage.objects.values_list("via", flat=True)) == {"imap"}
    assert folder_counts(imap_server) == {"INBOX": 0, "Processed": 2}
    with client(imap_server) as connection:
        connection.select_folder("Processed", readonly=True)
        flags = connection.get_flags(connection.search("ALL"))
        assert all(b"\\Seen" in value for value in flags.values())
    # Nothing new: nothing stored.
    assert imap.poll(imap.mailbox_from_url(imap_server.url)) == 0
    assert InboundMessage.objects.count() == 2


def test_a_message_that_could_not_be_stored_stays_for_the_next_poll(
    imap_server, contact, monkeypatch
):
    deliver(imap_server, corpus("new_request.eml"))
    mailbox = imap.mailbox_from_url(imap_server.url)

    def down(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(services, "store", down)
    with pytest.raises(OperationalError):
        imap.poll(mailbox)
    assert folder_counts(imap_server) == {"INBOX": 1, "Processed": 0}
    with client(imap_server) as connection:
        connection.select_folder("INBOX", readonly=True)
        [flags] = connection.get_flags(connection.search("ALL")).values()
        assert b"\\Seen" not in flags

    monkeypatch.undo()
    assert imap.poll(mailbox) == 1
    assert InboundMessage.objects.get().outcome == Outcome.TICKET_CREATED
    assert folder_counts(imap_server) == {"INBOX": 0, "Processed": 1}


def test_uids_are_tracked_under_the_folders_uidvalidity(imap_server, contact):
    mailbox = imap.mailbox_from_url(imap_server.url)
    deliver(imap_server, plain(message_id="<one@northwind.test>"))
    imap.poll(mailbox)
    state = MailboxState.objects.get()
    assert state.uidvalidity is not None
    assert state.last_uid >= 1
    assert imap_server.password not in state.mailbox

    # A new UIDVALIDITY (the folder was recreated) starts the folder over.
    MailboxState.objects.update(uidvalidity=1, last_uid=10**6)
    deliver(imap_server, plain(message_id="<two@northwind.test>"))
    assert imap.poll(mailbox) == 1


def test_the_mailbox_url_names_host_port_user_and_folder():
    mailbox = imap.mailbox_from_url("imaps://help%40desk.example:p%40ss@mail.example/Support")
    assert (mailbox.host, mailbox.port, mailbox.use_ssl) == ("mail.example", 993, True)
    assert (mailbox.username, mailbox.password) == ("help@desk.example", "p@ss")
    assert mailbox.folder == "Support"
    with pytest.raises(ValueError, match="imap"):
        imap.mailbox_from_url("pop3://x@y/")
