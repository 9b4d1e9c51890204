"""The vendor list's scorecard table: headings say what the cells show (durations, not "minutes"),
related figures are grouped under one heading, numbers are right-aligned in tabular figures under
right-aligned headings, and on a phone the table scrolls by itself, not the page."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser import PHONE, save_screenshot
from tests.factories import TicketFactory
from tests.tickets.helpers import client_for
from tests.vendors.factories import EscalationFactory, VendorFactory
from vendors import services
from vendors.selectors import SCORECARD_COLUMNS


@pytest.fixture
def slowco(agent, organization):
    """One case, acknowledged after 1 h 20 min and resolved after 26 h."""
    vendor = VendorFactory(name="Slowco", expected_response_minutes=60)
    opened = timezone.now() - timedelta(days=3)
    with time_machine.travel(opened, tick=False):
        case = EscalationFactory(
            vendor=vendor, by=agent, ticket=TicketFactory(organization=organization)
        )
    with time_machine.travel(opened + timedelta(minutes=80), tick=False):
        services.change_escalation_status(case, status="acknowledged", by=agent)
    with time_machine.travel(opened + timedelta(hours=26), tick=False):
        services.change_escalation_status(case, status="resolved", by=agent)
    return vendor


def _head_and_row(page: str, vendor: str) -> tuple[str, str]:
    head = re.search(r"<thead>.*?</thead>", page, re.S).group(0)
    row = re.search(rf"<tr>\s*<th scope=\"row\"><a [^>]*>{vendor}</a>.*?</tr>", page, re.S).group(0)
    return head, row


def test_no_heading_says_minutes_over_cells_that_show_durations(slowco, agent):
    page = client_for(agent).get("/vendors/").content.decode()
    head, row = _head_and_row(page, "Slowco")
    visible_head = re.sub(
        r'<span class="visually-hidden">.*?</span>|<[^>]+>|title="[^"]*"', "", head
    )
    assert "minute" not in visible_head.lower()
    assert "minute" not in " ".join(column.label.lower() for column in SCORECARD_COLUMNS)
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    assert cells[1:5] == ["1 h 20 min", "1 h 20 min", "26 h", "26 h"]


def test_related_figures_share_one_heading_and_every_figure_is_a_right_aligned_number(
    slowco, agent
):
    page = client_for(agent).get("/vendors/").content.decode()
    head, row = _head_and_row(page, "Slowco")
    top, bottom = re.findall(r"<tr>(.*?)</tr>", head, re.S)
    groups = re.findall(r'<th scope="colgroup" colspan="(\d)" class="group">([^<]+)</th>', top)
    assert groups == [
        ("2", "Time to acknowledge"),
        ("2", "Time to resolve"),
        ("2", "Expected response missed"),
        ("2", "Root-cause analyses"),
    ]
    spanning = re.findall(r'<th scope="col" rowspan="2"', top)
    assert len(spanning) + len(re.findall(r"<th ", bottom)) == 1 + len(SCORECARD_COLUMNS)
    assert len(re.findall(r'<td class="num">', row)) == len(SCORECARD_COLUMNS)
    headings = re.findall(r'<th scope="col"[^>]*>', head)
    assert len([th for th in headings if 'class="num"' in th]) == len(SCORECARD_COLUMNS)
    # The short heading keeps the figure's full name for screen readers and a pointer's tooltip.
    assert 'title="Median time to acknowledge"' in head
    assert '<span class="visually-hidden"> (Median time to acknowledge)</span>' in head


def test_sorting_from_a_grouped_heading_keeps_working(slowco, agent):
    VendorFactory(name="Idleco")
    client = client_for(agent)
    page = client.get("/vendors/", {"sort": "median_minutes_to_resolve", "dir": "desc"})
    content = page.content.decode()
    assert content.index("Slowco") < content.index("Idleco")
    assert re.search(r'aria-sort="descending" title="Median time to resolve"', content)


@pytest.mark.browser
def test_scorecard_numbers_line_up_and_a_phone_scrolls_only_the_table(
    live_server, signed_in_page, slowco, manager
):
    page = signed_in_page(manager)
    page.goto(f"{live_server.url}/vendors/")
    table = page.locator("table.scorecards")
    expect(
        table.get_by_role("columnheader", name="Time to acknowledge", exact=True)
    ).to_be_visible()
    styles = table.evaluate(
        """t => [...t.querySelectorAll('td.num, th.num')].map(e => {
             const s = getComputedStyle(e); return s.textAlign + ' ' + s.fontVariantNumeric; })"""
    )
    assert set(styles) == {"right tabular-nums"}
    save_screenshot(page, "scorecard-table")

    phone = signed_in_page(manager, PHONE)
    phone.goto(f"{live_server.url}/vendors/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    scroller = phone.locator("#vendor-results .table-scroll")
    assert scroller.evaluate("e => e.scrollWidth > e.clientWidth")  # the table scrolls instead
    save_screenshot(phone, "scorecard-table-phone")
