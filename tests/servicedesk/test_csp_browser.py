"""The admin and the API docs keep to their policies in a real browser: the page checks
(tests/page_checks.py) fail the test on any violation while these pages load and work."""

import pytest
from playwright.sync_api import expect

from tests.factories import TicketFactory
from tests.vendors.factories import VendorFactory

pytestmark = pytest.mark.browser


def test_the_admin_works_under_the_strict_policy(live_server, signed_in_page, manager):
    ticket = TicketFactory(subject="Printer offline")
    VendorFactory(name="Dell")
    page = signed_in_page(manager)

    page.goto(f"{live_server.url}/admin/")
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    page.goto(f"{live_server.url}/admin/tickets/ticket/")
    expect(page.locator("#result_list")).to_be_visible()
    page.goto(f"{live_server.url}/admin/tickets/ticket/{ticket.pk}/change/")
    expect(page.locator("form")).not_to_have_count(0)
    page.goto(f"{live_server.url}/admin/vendors/vendor/add/")
    expect(page.get_by_label("Name")).to_be_visible()


def test_the_api_docs_draw_their_viewer_under_their_own_policy(live_server, new_page):
    page = new_page()

    page.goto(f"{live_server.url}/api/docs/")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Service desk API")
    expect(page.locator(".opblock").first).to_be_visible()
