"""Search that finds what people type (issue 21 item 5): the queue and GET /api/v1/tickets/."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import ContactFactory, OrganizationFactory, TicketFactory
from tests.tickets.helpers import client_for, owned_ticket
from tickets import search as ticket_search
from tickets import services as ticket_services
from tickets.models import Status, Ticket
from updates import services as update_services

pytestmark = pytest.mark.django_db


def refs(response) -> list[str]:
    return [row.reference for row in response.context["rows"]]


def api_search(user, text) -> list[int]:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.get("/api/v1/tickets/", {"search": text})
    assert response.status_code == 200
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def acme():
    return OrganizationFactory(name="Acme Widgets plc")


@pytest.fixture
def jo(acme):
    return ContactFactory(
        name="Joanna Fitzgerald", email="j.fitz@acme-widgets.test", organization=acme
    )


def test_the_queue_finds_tickets_by_customer_name(agent, acme, jo):
    ticket = TicketFactory(organization=acme, requester=jo, subject="Laptop battery")
    TicketFactory(subject="Unrelated")
    assert refs(client_for(agent).get("/?view=all&q=widgets")) == [ticket.reference]


def test_the_queue_finds_tickets_by_requester_name_and_email_substring(agent, acme, jo):
    ticket = TicketFactory(organization=acme, requester=jo, subject="Laptop battery")
    TicketFactory(subject="Unrelated")
    client = client_for(agent)
    assert refs(client.get("/?view=all&q=fitzger")) == [ticket.reference]
    assert refs(client.get("/?view=all&q=j.fitz@acme")) == [ticket.reference]


def test_plain_words_match_as_prefixes(agent):
    ticket = TicketFactory(subject="Printers offline on floor 2")
    assert refs(client_for(agent).get("/?view=all&q=print")) == [ticket.reference]


def test_a_search_looks_across_every_view_unless_narrowed(agent, other_agent, acme, jo):
    theirs = owned_ticket(other_agent, organization=acme, requester=jo, subject="Toner low")
    done = TicketFactory(organization=acme, requester=jo, subject="Toner delivery")
    ticket_services.change_status(done, status=Status.CLOSED, by=agent)
    client = client_for(agent)

    # "Mine" holds neither ticket, yet the search finds both, closed included.
    everywhere = client.get("/?view=mine&q=toner")
    assert set(refs(everywhere)) == {theirs.reference, done.reference}
    assert everywhere.context["search_everywhere"]
    assert b"Search only in Mine" in everywhere.content

    narrowed = client.get("/?view=mine&q=toner&scope=view")
    assert refs(narrowed) == []
    labels = [chip.label for chip in narrowed.context["chips"]]
    assert "Only in Mine" in labels


def test_the_views_filters_show_as_removable_chips(agent, acme):
    response = client_for(agent).get(
        f"/?view=open&q=printer&status=open&priority=2&organization={acme.pk}"
    )
    chips = {chip.label: chip.remove_url for chip in response.context["chips"]}
    assert "Search: printer" in chips
    assert "Status: Open" in chips
    assert "Priority: P2" in chips
    assert f"Customer: {acme.name}" in chips
    assert "status=" not in chips["Status: Open"]
    assert "q=printer" in chips["Status: Open"]
    assert b'title="Remove Status: Open"' in response.content


def test_the_api_search_matches_customer_requester_reference_subject_and_timeline(agent, acme, jo):
    by_customer = TicketFactory(organization=acme, requester=jo, subject="Laptop battery")
    by_subject = TicketFactory(subject="Badge reader broken")
    by_update = owned_ticket(agent, subject="Door")
    update_services.post_public_update(by_update, author=agent, body="Replaced the strike plate")

    assert api_search(agent, "acme widgets") == [by_customer.pk]
    assert api_search(agent, "fitzgerald") == [by_customer.pk]
    assert api_search(agent, "badge") == [by_subject.pk]
    assert api_search(agent, "strike plate") == [by_update.pk]
    assert api_search(agent, by_subject.reference) == [by_subject.pk]


def test_a_contacts_search_never_looks_at_internal_notes(agent, acme, jo):
    ticket = owned_ticket(agent, organization=acme, requester=jo, subject="VPN")
    update_services.add_internal_note(ticket, author=agent, body="Supplier firmware bug")
    update_services.post_public_update(ticket, author=agent, body="Testing a new client")

    assert api_search(jo, "firmware") == []
    assert api_search(jo, "client") == [ticket.pk]
    assert api_search(agent, "firmware") == [ticket.pk]


def test_a_contacts_search_by_name_stays_inside_what_they_may_see(acme, jo):
    other = ContactFactory(name="Fitzgerald Other", organization=acme)
    TicketFactory(organization=acme, requester=other, subject="Theirs")
    mine = TicketFactory(organization=acme, requester=jo, subject="Mine")
    assert api_search(jo, "fitzgerald") == [mine.pk]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans")
def test_the_people_match_reaches_the_ticket_query_as_id_lists_the_indexes_serve(acme, jo):
    TicketFactory(organization=acme, requester=jo)
    queryset = ticket_search.search_tickets(Ticket.objects.all(), "widgets").order_by()
    with CaptureQueriesContext(connection) as captured:
        list(queryset)
    sql = captured.captured_queries[-1]["sql"]
    # Plain lists, no subquery over the accounts tables inside the million-row query.
    assert "accounts_" not in sql
    assert "organization_id" in sql
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()
    assert ticket_search.FULLTEXT_INDEX_NAME in plan
    assert "ticket_org_recent" in plan or "ticket_requester_recent" in plan


def test_short_text_does_not_search_people(acme, jo):
    with CaptureQueriesContext(connection) as captured:
        list(ticket_search.search_tickets(Ticket.objects.all(), "ac"))
    assert len(captured) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text index")
def test_the_search_index_of_every_ticket_also_holds_created_at(db):
    """A queue search looks in "Everything", newest first, unless narrowed: its bounded step
    (tickets.queue._search_rows) needs the words and created_at in one index."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'ticket_fulltext'")
        (definition,) = cursor.fetchone()
    assert "USING gin" in definition
    assert definition.rstrip().endswith("created_at)"), definition


def test_a_search_everywhere_lists_newest_first_and_pages_every_match(agent, monkeypatch):
    from tickets import queue

    monkeypatch.setattr(queue, "SEARCH_WINDOW", 5)
    tickets = [TicketFactory(subject=f"{'Scanner' if n % 2 else 'Mouse'} {n}") for n in range(40)]
    client = client_for(agent)
    first = client.get("/?view=mine&q=scanner")
    second = client.get(f"/{first.context['next_url']}")
    expected = [t.reference for t in reversed(tickets) if t.subject.startswith("Scanner")]
    assert refs(first) + refs(second) == expected
