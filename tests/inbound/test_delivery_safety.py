"""Storing comes first: a repeated delivery changes nothing, a crash between storing and acting
is made good once on the next run, and ingest_email tells the MTA to retry (75) only when the
message could not be stored."""

import io
import sys

import pytest
from django.core.management import call_command
from django.db import OperationalError

from inbound import services
from inbound.models import InboundMessage, Outcome
from tickets.models import Ticket
from updates.models import EntryKind, TimelineEntry

from .support import corpus, ingest

pytestmark = pytest.mark.django_db


def test_the_same_message_id_twice_is_listed_as_a_duplicate_and_changes_nothing(contact):
    raw = corpus("new_request.eml")
    first, second = ingest(raw), ingest(raw)
    assert first.outcome == Outcome.TICKET_CREATED
    assert second.outcome == Outcome.DUPLICATE
    assert second.ticket == first.ticket
    assert second.message_id == first.message_id
    assert Ticket.objects.count() == 1
    assert InboundMessage.objects.count() == 2


def test_a_crash_between_storing_and_acting_is_acted_on_once_later(contact, monkeypatch):
    def crash(*args, **kwargs):
        raise OperationalError("the server closed the connection")

    monkeypatch.setattr(services, "decide", crash)
    stored = ingest(corpus("new_request.eml"))
    assert stored.outcome == Outcome.PENDING
    assert stored.attempts == 1
    assert Ticket.objects.count() == 0
    monkeypatch.undo()

    assert services.act_on_stored() == 1
    assert services.act_on_stored() == 0
    stored.refresh_from_db()
    assert stored.outcome == Outcome.TICKET_CREATED
    assert Ticket.objects.count() == 1
    assert not TimelineEntry.objects.filter(kind=EntryKind.CUSTOMER_REPLY).exists()


def test_acting_twice_on_one_message_acts_once(contact):
    message = services.store(corpus("new_request.eml"))
    assert services.act(message.pk) is not None
    assert services.act(message.pk) is None
    assert Ticket.objects.count() == 1


def run_ingest(monkeypatch, raw: bytes) -> int:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    try:
        call_command("ingest_email")
    except SystemExit as exit_:
        return exit_.code
    return 0


def test_ingest_email_reads_stdin_and_exits_0_once_stored(contact, monkeypatch):
    assert run_ingest(monkeypatch, corpus("new_request.eml")) == 0
    assert InboundMessage.objects.get().outcome == Outcome.TICKET_CREATED
    # Quarantined is stored too: still 0.
    assert run_ingest(monkeypatch, b"not an email") == 0


def test_ingest_email_exits_75_when_it_cannot_store(contact, monkeypatch):
    def unreachable(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(services, "store", unreachable)
    assert run_ingest(monkeypatch, corpus("new_request.eml")) == 75
