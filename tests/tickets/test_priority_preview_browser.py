"""The priority preview in Debian's Chromium: the impact and urgency pickers ask the server for the
resulting priority with those two values only, however much else the form holds."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser import save_screenshot
from tests.factories import TicketFactory

pytestmark = pytest.mark.browser

LONG_DESCRIPTION = "The scanner on the second floor drops every page it feeds. " * 90  # 5,000+


def _preview_queries(page) -> list[dict[str, list[str]]]:
    queries: list[dict[str, list[str]]] = []
    page.on(
        "request",
        lambda request: (
            queries.append(parse_qs(urlsplit(request.url).query))
            if "/tickets/priority-preview/" in request.url
            else None
        ),
    )
    return queries


def test_new_ticket_preview_sends_only_impact_and_urgency_with_a_long_description(
    live_server, signed_in_page, agent
):
    assert len(LONG_DESCRIPTION) > 5_000
    page = signed_in_page(agent)
    queries = _preview_queries(page)
    page.goto(f"{live_server.url}/tickets/new/")
    page.get_by_label("Subject").fill("Scanner drops pages")
    page.get_by_label("Description").fill(LONG_DESCRIPTION)

    page.get_by_label("Impact").select_option("1")
    expect(page.locator("#priority-preview-new")).to_have_text(re.compile("P2"))
    page.get_by_label("Urgency").select_option("1")
    expect(page.locator("#priority-preview-new")).to_have_text(re.compile("P1"))
    save_screenshot(page, "new-ticket-priority-preview")

    assert queries == [
        {"impact": ["1"], "urgency": ["3"]},
        {"impact": ["1"], "urgency": ["1"]},
    ]


def test_triage_card_preview_sends_only_impact_and_urgency(live_server, signed_in_page, agent):
    ticket = TicketFactory(subject="Payroll export fails", impact=3, urgency=3)
    page = signed_in_page(agent)
    queries = _preview_queries(page)
    page.goto(f"{live_server.url}/triage/")
    card = page.locator(f"#triage-{ticket.pk}")
    card.get_by_label("Our understanding of the problem").fill(LONG_DESCRIPTION)

    card.get_by_label("Urgency").select_option("2")
    expect(card.locator(f"#priority-preview-{ticket.pk}")).to_have_text(re.compile("P2"))
    assert queries == [{"impact": ["3"], "urgency": ["2"]}]
