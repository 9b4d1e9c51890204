"""The composer's quick picks in Debian's Chromium: on a P1 ticket each time is offered once."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser import save_screenshot
from tests.tickets.helpers import owned_ticket

pytestmark = pytest.mark.browser


def test_p1_quick_picks_show_each_time_once(live_server, signed_in_page, agent):
    ticket = owned_ticket(agent, subject="Whole office offline", impact=1, urgency=1)
    page = signed_in_page(agent)
    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    picks = page.locator("#compose-public .promise-picks label.pick")
    expect(picks).to_have_count(5)
    labels = [" ".join(text.split()) for text in picks.all_inner_texts()]
    names = [label.split(" · ")[0] for label in labels]
    assert names[:3] == ["Cadence default", "+1 h", "+2 h"]
    assert re.fullmatch(r"Tomorrow 09:00 customer time \(.+\)", names[3])
    assert names[4] == "Custom"
    times = [label.split(" · ")[1] for label in labels if " · " in label]
    assert len(times) == len(set(times)) == 4
    save_screenshot(page, "composer-p1-picks", full_page=False)
