"""A manager's tour of the demo desk in a real browser: the dashboard and the vendor scorecards on
the demo data (`seed_demo`), with the same navigation on each page. The screenshots it saves are
the ones in docs/screenshots/ (dashboard.png, vendor-scorecards.png)."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import User
from demo.demo_data import DEMO_PASSWORD
from tests.browser import save_screenshot, sign_in_through_form

pytestmark = pytest.mark.browser


def test_a_manager_reads_the_dashboard_and_the_scorecards_of_the_demo(live_server, new_page):
    call_command("seed_demo", verbosity=0)
    manager = User.objects.get(email="manager@demo.test")
    page = new_page()
    sign_in_through_form(page, f"{live_server.url}/login/", manager.email, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/dashboard/")
    main = page.get_by_role("navigation", name="Main")
    expect(main.get_by_role("link", name="Dashboard")).to_have_attribute("aria-current", "page")

    hours = page.locator("section[aria-labelledby=h-hours] svg")
    expect(hours.locator("text.value")).to_have_count(24)  # a value on every hour
    late_by = page.locator("#panel-breached tbody td.late").first
    # duration_text: "12 min", "2 h", "2 h 5 min" (a whole hour has no minutes part).
    expect(late_by).to_have_text(re.compile(r"^(\d+ h|\d+ h \d+ min|\d+ min) late$"))
    save_screenshot(page, "dashboard")

    page.get_by_role("navigation", name="Dashboard pages").get_by_role(
        "link", name="Vendor scorecards"
    ).click()
    expect(page.get_by_role("heading", name="Vendors", exact=True)).to_be_visible()
    expect(main.get_by_role("link", name="Vendors")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("columnheader", name="Time to acknowledge", exact=True)).to_be_visible()
    save_screenshot(page, "vendor-scorecards")
