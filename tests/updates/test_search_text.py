"""The ticket's denormalised search text follows its timeline (updates.search)."""

import pytest

from tests.tickets.helpers import owned_ticket
from tickets.models import Ticket
from updates import search, services

pytestmark = pytest.mark.django_db


def test_public_and_internal_bodies_go_to_their_own_column(agent):
    ticket = owned_ticket(agent)
    services.post_public_update(ticket, author=agent, body="Replaced the toner")
    services.add_internal_note(ticket, author=agent, body="Vendor RMA 7781")
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert "Replaced the toner" in ticket.public_search_text
    assert "Vendor RMA 7781" not in ticket.public_search_text
    assert "Vendor RMA 7781" in ticket.internal_search_text


def test_indexing_does_not_count_as_an_edit_of_the_ticket(agent):
    ticket = owned_ticket(agent)
    before = Ticket.objects.get(pk=ticket.pk).updated_at
    services.add_internal_note(ticket, author=agent, body="Just a note")
    assert Ticket.objects.get(pk=ticket.pk).updated_at == before


def test_search_text_keeps_only_the_most_recent_text(agent, monkeypatch):
    monkeypatch.setattr(search, "SEARCH_TEXT_MAX_LENGTH", 30)
    ticket = owned_ticket(agent)
    services.add_internal_note(ticket, author=agent, body="first " * 10)
    services.add_internal_note(ticket, author=agent, body="latest words")
    text = Ticket.objects.get(pk=ticket.pk).internal_search_text
    assert len(text) == 30
    assert text.endswith("latest words")


def test_rebuild_recomputes_from_the_whole_timeline(agent):
    ticket = owned_ticket(agent)
    services.add_internal_note(ticket, author=agent, body="kept in the timeline")
    Ticket.objects.filter(pk=ticket.pk).update(internal_search_text="", public_search_text="")
    search.rebuild_search_text(ticket)
    assert "kept in the timeline" in Ticket.objects.get(pk=ticket.pk).internal_search_text
