"""A manager adds a webhook in the browser, copies the secret shown once, pings the receiver and
sees the delivery on the subscription's page (CSP and axe checked on every page visited)."""

import pytest

from tests.browser import save_screenshot
from webhooks.delivery import deliver_due

pytestmark = pytest.mark.browser


def test_a_manager_adds_a_webhook_and_pings_it(live_server, signed_in_page, manager, receiver):
    page = signed_in_page(manager)
    page.goto(f"{live_server.url}/webhooks/")
    page.get_by_label("Receiver URL").fill(receiver.url())
    page.get_by_label("ticket.created").check()
    page.get_by_label("promise.breached").check()
    page.get_by_label("Format").select_option("teams")
    save_screenshot(page, "webhooks-list")
    page.get_by_role("button", name="Add webhook").click()
    secret = page.get_by_label("Signing secret").input_value()
    assert secret.startswith("whsec_")
    save_screenshot(page, "webhooks-created")

    page.get_by_role("link", name="Go to its deliveries").click()
    page.get_by_role("button", name="Send a ping").click()
    page.locator(".messages li.success", has_text="Ping queued").wait_for()
    deliver_due(time_budget=30)  # what the Celery workers do
    page.reload()
    page.locator("table.deliveries", has_text="webhook.ping").wait_for()
    assert "Delivered" in page.locator("table.deliveries").inner_text()
    assert receiver.received()[0].headers["webhook-signature"].startswith("v1,")
    save_screenshot(page, "webhooks-subscription")
