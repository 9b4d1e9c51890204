"""Staff read quarantined mail at /inbound/ and release or discard it with plain form posts."""

import pytest

from inbound import services
from inbound.models import Outcome
from tests.tickets.helpers import client_for
from updates.models import EntryKind, TimelineEntry

from .support import plain

pytestmark = pytest.mark.django_db


@pytest.fixture
def quarantined(db):
    return services.ingest(
        plain(sender="stranger@elsewhere.example", subject="Who fixes our <b>server</b>?")
    )


def test_the_quarantine_lists_held_mail_with_its_reason(agent, quarantined):
    page = client_for(agent).get("/inbound/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Who fixes our &lt;b&gt;server&lt;/b&gt;?" in text
    assert "Quarantined: unknown sender" in text


def test_a_message_page_shows_its_text_and_the_decision_forms(agent, quarantined):
    page = client_for(agent).get(f"/inbound/{quarantined.pk}/")
    text = page.content.decode()
    assert "The printer is jammed again." in text
    assert f'action="/inbound/{quarantined.pk}/release/"' in text
    assert f'action="/inbound/{quarantined.pk}/discard/"' in text


def test_release_to_a_ticket_by_its_reference(agent, quarantined, contact, organization):
    from tests.factories import TicketFactory

    ticket = TicketFactory(organization=organization, requester=contact)
    response = client_for(agent).post(
        f"/inbound/{quarantined.pk}/release/", {"ticket": ticket.reference}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/tickets/{ticket.pk}/"
    assert TimelineEntry.objects.filter(ticket=ticket, kind=EntryKind.INTERNAL_NOTE).exists()


def test_a_release_that_cannot_be_done_says_why(agent, quarantined):
    response = client_for(agent).post(f"/inbound/{quarantined.pk}/release/", {"ticket": "SD-99999"})
    assert response.status_code == 400
    assert "There is no ticket SD-99999." in response.content.decode()
    quarantined.refresh_from_db()
    assert quarantined.outcome == Outcome.QUARANTINED


def test_discard(agent, quarantined):
    response = client_for(agent).post(f"/inbound/{quarantined.pk}/discard/")
    assert response.status_code == 302
    quarantined.refresh_from_db()
    assert quarantined.outcome == Outcome.DISCARDED
    assert quarantined.handled_by == agent


def test_customers_cannot_see_inbound_mail(contact, quarantined):
    assert client_for(contact).get("/inbound/").status_code in (403, 404)
    assert client_for(contact).post(f"/inbound/{quarantined.pk}/discard/").status_code in (403, 404)
    quarantined.refresh_from_db()
    assert quarantined.outcome == Outcome.QUARANTINED
