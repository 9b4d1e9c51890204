"""The ticket list's keyset pagination, shallow page numbers, capped count and indexed search."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api import pagination
from tests.factories import TicketFactory

TICKETS = "/api/v1/tickets/"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def seven_tickets(organization):
    """Seven tickets a minute apart, two of them created in the same instant (ties on the sort
    key must neither repeat nor skip a row)."""
    tickets = []
    for minute in (0, 1, 2, 3, 3, 5, 6):
        with time_machine.travel(START + timedelta(minutes=minute), tick=False):
            tickets.append(TicketFactory(organization=organization, impact=4, urgency=4))
    return tickets


def walk(client, url: str, link: str = "next") -> list[list[int]]:
    pages = []
    while url:
        body = client.get(url).json()
        pages.append([row["id"] for row in body["results"]])
        url = body[link]
    return pages


@pytest.mark.parametrize("ordering", [None, "created_at", "priority", "-next_update_due", "id"])
def test_following_next_links_visits_every_ticket_once_in_order(
    api_client_for, agent, seven_tickets, ordering
):
    client = api_client_for(agent)
    query = f"?page_size=2{'&ordering=' + ordering if ordering else ''}"
    everything = [
        row["id"] for row in client.get(f"{TICKETS}{query}&page_size=100").json()["results"]
    ]
    pages = walk(client, f"{TICKETS}{query}")
    assert [len(page) for page in pages] == [2, 2, 2, 1]
    assert [pk for page in pages for pk in page] == everything
    assert sorted(everything) == sorted(t.pk for t in seven_tickets)


def test_previous_links_walk_back_through_the_same_pages(api_client_for, agent, seven_tickets):
    client = api_client_for(agent)
    forward = walk(client, f"{TICKETS}?page_size=3&ordering=-next_update_due")
    last = client.get(f"{TICKETS}?page_size=3&ordering=-next_update_due").json()
    while last["next"]:
        last = client.get(last["next"]).json()
    backward = walk(client, last["previous"], link="previous")
    assert backward == list(reversed(forward[:-1]))


def test_page_numbers_still_work_for_shallow_pages(api_client_for, agent, seven_tickets):
    client = api_client_for(agent)
    first = client.get(TICKETS, {"page_size": 3}).json()
    second = client.get(TICKETS, {"page_size": 3, "page": 2}).json()
    assert [row["id"] for row in second["results"]] == [
        row["id"] for row in client.get(first["next"]).json()["results"]
    ]
    assert "page=3" in second["next"]
    assert second["count"] == 7


def test_deep_page_numbers_point_to_the_cursor_links(api_client_for, agent, seven_tickets):
    response = api_client_for(agent).get(TICKETS, {"page_size": 100, "page": 101})
    assert response.status_code == 400
    assert "cursor" in response.json()["page"][0]


@pytest.mark.parametrize("cursor", ["garbage", "W10", "WyJuIiwiV1RFc01sMCJd"])
def test_a_tampered_cursor_answers_400_naming_it(api_client_for, agent, seven_tickets, cursor):
    response = api_client_for(agent).get(TICKETS, {"cursor": cursor})
    assert response.status_code == 400
    assert "cursor" in response.json()


def test_the_count_is_capped_and_says_so(api_client_for, agent, seven_tickets, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 5)
    response = api_client_for(agent).get(TICKETS)
    assert response.json()["count"] == 5
    assert response["X-Count-Exact"] == "false"
    monkeypatch.setattr(pagination, "COUNT_CAP", 10)
    response = api_client_for(agent).get(TICKETS)
    assert response.json()["count"] == 7
    assert response["X-Count-Exact"] == "true"


def test_a_deep_cursor_page_runs_the_same_queries_as_the_first(
    api_client_for, agent, seven_tickets, django_assert_num_queries
):
    client = api_client_for(agent)
    with CaptureQueriesContext(connection) as first:
        body = client.get(TICKETS, {"page_size": 2}).json()
    first_page_queries = len(first.captured_queries)
    body = client.get(body["next"]).json()
    with django_assert_num_queries(first_page_queries):
        client.get(body["next"])
    assert first_page_queries == 3  # token, count, page


def test_the_deep_page_query_seeks_instead_of_offsetting(api_client_for, agent, seven_tickets):
    client = api_client_for(agent)
    body = client.get(TICKETS, {"page_size": 2}).json()
    with CaptureQueriesContext(connection) as captured:
        client.get(body["next"])
    page_sql = captured.captured_queries[-1]["sql"]
    assert "OFFSET" not in page_sql.upper()
    assert '"created_at" <' in page_sql


def test_search_uses_the_full_text_index_expression(api_client_for, agent, organization):
    printer = TicketFactory(organization=organization, subject="Printers jammed on floor 2")
    TicketFactory(organization=organization, subject="Email down")
    client = api_client_for(agent)
    with CaptureQueriesContext(connection) as captured:
        rows = client.get(TICKETS, {"search": "printer jam"}).json()["results"]
    assert [row["id"] for row in rows] == [printer.pk]  # stemmed: printer(s), jam(med)
    sql = captured.captured_queries[-1]["sql"]
    assert "to_tsvector" in sql
    assert "websearch_to_tsquery" in sql
    assert "LIKE" not in sql.upper()
