"""The staff queue: saved views, filters, search, keyset pagination, permissions, query counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import ContactFactory, OrganizationFactory, TicketFactory
from tests.tickets.helpers import client_for, htmx, owned_ticket
from tickets import queue
from tickets import search as ticket_search
from tickets import services as ticket_services
from tickets.models import Status, Ticket
from tickets.queue import PAGE_SIZE
from updates import services as update_services

pytestmark = pytest.mark.django_db


def refs(response) -> list[str]:
    return [ticket.reference for ticket in response.context["page"].tickets]


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_customer_contacts_are_refused(contact):
    assert client_for(contact).get("/").status_code == 403


def test_default_view_is_my_open_tickets_by_next_update_due(agent, other_agent):
    later = owned_ticket(agent, impact=4, urgency=4)  # P4: due in a business day
    sooner = owned_ticket(agent, impact=1, urgency=1)  # P1: due in 30 minutes
    owned_ticket(other_agent)
    resolved = owned_ticket(agent)
    ticket_services.change_status(resolved, status=Status.RESOLVED, by=agent)

    response = client_for(agent).get("/")

    assert response.status_code == 200
    assert response.context["view"].slug == "mine"
    assert refs(response) == [sooner.reference, later.reference]


def test_unowned_view_lists_new_tickets_only(agent):
    new = TicketFactory()
    owned_ticket(agent)
    owned_not_understood = TicketFactory()
    ticket_services.take_ownership(owned_not_understood, by=agent)  # still new: not triaged
    assert sorted(refs(client_for(agent).get("/?view=unowned"))) == sorted(
        [new.reference, owned_not_understood.reference]
    )


def test_due_soon_and_breached_views_follow_the_promise(agent):
    with_an_hour = owned_ticket(agent)
    Ticket.objects.filter(pk=with_an_hour.pk).update(
        next_update_due=timezone.now() + timedelta(minutes=20)
    )
    late = owned_ticket(agent)
    Ticket.objects.filter(pk=late.pk).update(next_update_due=timezone.now() - timedelta(minutes=5))
    owned_ticket(agent)  # P3: due hours from now

    client = client_for(agent)
    assert refs(client.get("/?view=due-soon")) == [with_an_hour.reference]
    response = client.get("/?view=breached")
    assert refs(response) == [late.reference]
    assert b"5 min late" in response.content


def test_waiting_views_and_all_open_and_everything(agent):
    on_customer = owned_ticket(agent)
    ticket_services.change_status(on_customer, status=Status.WAITING_ON_CUSTOMER, by=agent)
    on_vendor = owned_ticket(agent)
    ticket_services.change_status(on_vendor, status=Status.WAITING_ON_VENDOR, by=agent)
    closed = owned_ticket(agent)
    ticket_services.change_status(closed, status=Status.CLOSED, by=agent)

    client = client_for(agent)
    assert refs(client.get("/?view=waiting-customer")) == [on_customer.reference]
    assert refs(client.get("/?view=waiting-vendor")) == [on_vendor.reference]
    assert closed.reference not in refs(client.get("/?view=open"))
    assert closed.reference in refs(client.get("/?view=all"))


def test_filters_by_status_priority_owner_and_organisation(agent, other_agent):
    northwind = OrganizationFactory(name="Northwind")
    mine_p1 = owned_ticket(agent, impact=1, urgency=1, organization=northwind)
    theirs = owned_ticket(other_agent, impact=3, urgency=3)
    client = client_for(agent)

    assert refs(client.get("/?view=open&priority=1")) == [mine_p1.reference]
    assert refs(client.get(f"/?view=open&owner={other_agent.pk}")) == [theirs.reference]
    assert refs(client.get(f"/?view=open&organization={northwind.pk}")) == [mine_p1.reference]
    ticket_services.change_status(theirs, status=Status.RESOLVED, by=other_agent)
    # Filtering by a status reaches past the view's "open only" default.
    assert refs(client.get("/?view=open&status=resolved")) == [theirs.reference]


def test_bad_filter_values_answer_400_naming_the_field(agent):
    response = client_for(agent).get("/?view=open&priority=9&owner=banana")
    assert response.status_code == 400
    assert set(response.context["filterset"].errors) == {"priority", "owner"}
    assert b"priority" in response.content


def test_search_finds_reference_subject_description_and_timeline_text(agent):
    by_subject = TicketFactory(subject="Scanner drops off the network")
    by_description = TicketFactory(description="The label printer feeds blank labels")
    by_update = owned_ticket(agent)
    update_services.post_public_update(
        by_update, author=agent, body="We replaced the faulty switch in the warehouse."
    )
    by_note = owned_ticket(agent)
    update_services.add_internal_note(by_note, author=agent, body="Firmware rollback pending")
    client = client_for(agent)

    assert refs(client.get("/?view=all&q=scanner")) == [by_subject.reference]
    assert refs(client.get("/?view=all&q=printer labels")) == [by_description.reference]
    assert refs(client.get("/?view=all&q=switch warehouse")) == [by_update.reference]
    assert refs(client.get("/?view=all&q=firmware")) == [by_note.reference]
    assert refs(client.get(f"/?view=all&q={by_note.reference}")) == [by_note.reference]
    assert refs(client.get("/?view=all&q=nothing-like-this")) == []


def test_customer_facing_search_never_matches_internal_notes(agent):
    ticket = owned_ticket(agent)
    update_services.add_internal_note(ticket, author=agent, body="Supplier blamed the firmware")
    tickets = Ticket.objects.all()
    assert list(ticket_search.search_tickets(tickets, "firmware", include_internal=True)) == [
        ticket
    ]
    assert not ticket_search.search_tickets(tickets, "firmware", include_internal=False).exists()


def test_search_falls_back_to_icontains_without_postgresql(agent, monkeypatch):
    ticket = TicketFactory(subject="Outlook asks for the password")
    TicketFactory(subject="Printer jam")
    monkeypatch.setattr(ticket_search, "uses_fulltext", lambda: False)
    found = ticket_search.search_tickets(Ticket.objects.all(), "outLOOK password")
    assert list(found) == [ticket]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text index")
def test_search_uses_the_gin_index(agent):
    TicketFactory(subject="VPN disconnects")
    # Unordered: on a near-empty table the planner may walk a sort index (ticket_queue_created)
    # and filter; what matters here is that the full-text match itself can use the GIN index.
    queryset = ticket_search.search_tickets(Ticket.objects.all(), "vpn").order_by()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()
    assert ticket_search.FULLTEXT_INDEX_NAME in plan


def test_pagination_walks_every_ticket_once_without_counting(agent):
    for _ in range(PAGE_SIZE + 7):
        owned_ticket(agent)
    client = client_for(agent)

    with CaptureQueriesContext(connection) as queries:
        first = client.get("/?view=mine")
    ticket_queries = [
        q["sql"].upper() for q in queries.captured_queries if "TICKETS_TICKET" in q["sql"].upper()
    ]
    assert ticket_queries
    assert not any("COUNT(" in sql for sql in ticket_queries)
    assert len(refs(first)) == PAGE_SIZE
    assert first.context["next_url"]
    second = client.get(f"/{first.context['next_url']}")
    assert len(refs(second)) == 7
    assert not second.context["next_url"]
    assert set(refs(first)).isdisjoint(refs(second))
    everything = refs(first) + refs(second)
    expected = list(
        Ticket.objects.filter(owner=agent)
        .order_by("next_update_due", "id")
        .values_list("pk", flat=True)
    )
    assert everything == [f"SD-{pk}" for pk in expected]


def test_pagination_continues_through_tickets_that_owe_nothing(agent):
    tickets = [owned_ticket(agent) for _ in range(PAGE_SIZE + 3)]
    for ticket in tickets[-6:]:  # the tail sorts last: nothing owed, next_update_due is null
        ticket_services.change_status(ticket, status=Status.WAITING_ON_CUSTOMER, by=agent)
    client = client_for(agent)
    first = client.get("/?view=mine")
    second = client.get(f"/{first.context['next_url']}")
    assert len(refs(first)) + len(refs(second)) == PAGE_SIZE + 3
    assert set(refs(first)).isdisjoint(refs(second))


@pytest.mark.parametrize("sort", ["priority", "newest", "oldest", "updated"])
def test_every_sort_order_pages_without_gaps(agent, sort):
    for index in range(PAGE_SIZE + 2):
        owned_ticket(agent, impact=index % 4 + 1, urgency=2)
    client = client_for(agent)
    first = client.get(f"/?view=mine&sort={sort}")
    second = client.get(f"/{first.context['next_url']}")
    seen = refs(first) + refs(second)
    assert len(seen) == len(set(seen)) == PAGE_SIZE + 2


def test_a_tampered_cursor_shows_the_first_page(agent):
    ticket = owned_ticket(agent)
    response = client_for(agent).get("/?view=mine&after=not-a-cursor")
    assert response.status_code == 200
    assert refs(response) == [ticket.reference]


def test_queue_runs_the_same_number_of_queries_whatever_the_page_holds(agent):
    client = client_for(agent)
    owned_ticket(agent)
    client.get("/?view=open")  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get("/?view=open")
    for _ in range(20):
        organization = OrganizationFactory()
        owned_ticket(
            agent, organization=organization, requester=ContactFactory(organization=organization)
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get("/?view=open")
    assert len(refs(response)) == 21
    assert len(many) == len(few)


def test_htmx_filtering_answers_only_the_results_fragment(agent):
    owned_ticket(agent)
    response = client_for(agent).get(
        "/?view=open&priority=3", **htmx(target="queue-results", current_url="http://testserver/")
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith('<section id="queue-results"')
    assert "<html" not in content


def test_switching_view_with_htmx_answers_the_whole_queue_fragment(agent):
    response = client_for(agent).get("/?view=breached", **htmx(target="queue"))
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="queue"')
    assert "<html" not in content


def test_rows_show_priority_customer_subject_owner_status_and_countdown(agent):
    ticket = owned_ticket(agent, subject="Email bounces", impact=2, urgency=2)
    content = client_for(agent).get("/").content.decode()
    for text in ("P2", ticket.organization.name, "Email bounces", "Alice Agent", "Open"):
        assert text in content
    assert 'class="countdown"' in content
    assert f'data-due="{ticket.next_update_due.isoformat()}"' in content


@pytest.mark.parametrize("window", [3, 45, 1000])
def test_search_pages_list_every_match_in_queue_order_whatever_the_window(
    agent, monkeypatch, window
):
    """The search reads a window of the queue's order first (tickets.queue._search_rows). Of
    the 50 tickets 33 match: a window of 3 holds too few matches (the whole view is searched),
    one of 45 holds at least 28 (the first page comes from the window alone), one of 1,000 is
    the whole view; every way, the pages are every match in queue order."""
    monkeypatch.setattr(queue, "SEARCH_WINDOW", window)
    tickets = [
        owned_ticket(agent, subject=f"{'Printer offline' if n % 3 else 'Mouse'} {n}")
        for n in range(PAGE_SIZE * 2)
    ]
    for offset, ticket in enumerate(tickets):  # due times interleave matches and others
        Ticket.objects.filter(pk=ticket.pk).update(
            next_update_due=timezone.now() + timedelta(minutes=(offset * 7) % 50 + 5)
        )
    client = client_for(agent)
    # Narrowed to the view (a search otherwise looks in "Everything", newest first).
    first = client.get("/?view=open&scope=view&q=printer offline")
    second = client.get(f"/{first.context['next_url']}")
    expected = list(
        Ticket.objects.filter(subject__startswith="Printer offline")
        .order_by("next_update_due", "id")
        .values_list("pk", flat=True)
    )
    assert len(refs(first)) == PAGE_SIZE
    assert refs(first) + refs(second) == [f"SD-{pk}" for pk in expected]
    assert not second.context["next_url"]
