"""Markdown in updates as Chromium shows it: bold, a list and a safe link on the staff ticket page
and in the portal, and the HTML someone typed shown as text, never run."""

import pytest
from playwright.sync_api import expect

from tests.browser import save_screenshot
from tests.tickets.helpers import owned_ticket
from updates import services as update_services

pytestmark = pytest.mark.browser

BODY = (
    "We found it:\n- the **relay** queue\n- the `smtp` port\n\n"
    "[Status page](https://status.example.com/) · [click](javascript:window.hacked=1)\n\n"
    '<img src=x onerror="window.hacked=1"><script>window.hacked=1</script>'
)


def assert_rendered_safely(page) -> None:
    body = page.locator(".entry-body").filter(has_text="We found it")
    expect(body.locator("li")).to_have_text(["the relay queue", "the smtp port"])
    expect(body.locator("strong")).to_have_text("relay")
    link = body.get_by_role("link", name="Status page")
    expect(link).to_have_attribute("href", "https://status.example.com/")
    expect(link).to_have_attribute("rel", "nofollow noopener")
    expect(body.locator("a", has_text="click")).not_to_have_attribute(
        "href", "javascript:window.hacked=1"
    )
    expect(body).to_contain_text("<script>window.hacked=1</script>")
    assert body.locator("img, script").count() == 0
    body.locator("a", has_text="click").click()
    assert page.evaluate("window.hacked") is None


def test_staff_and_customer_see_the_update_formatted_and_nothing_runs(
    live_server, signed_in_page, agent, contact
):
    ticket = owned_ticket(agent, organization=contact.organization, requester=contact)
    update_services.post_public_update(ticket, author=agent, body=BODY)

    staff = signed_in_page(agent)
    staff.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    assert_rendered_safely(staff)
    save_screenshot(staff, "markdown-staff-timeline")

    customer = signed_in_page(contact)
    customer.goto(f"{live_server.url}/portal/tickets/{ticket.pk}/")
    assert_rendered_safely(customer)
    save_screenshot(customer, "markdown-portal-ticket")
