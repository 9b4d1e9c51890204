"""The composer after an error, in Debian's Chromium, with htmx and without JavaScript: the page
looks exactly as it did before, plus the message, once. The internal-note form stays behind its
tab, the custom time stays hidden unless "Custom" is picked, the pick stays as it was."""

import pytest
from playwright.sync_api import expect

from tests.browser import LAPTOP, _session_cookie_for, save_screenshot
from tests.tickets.helpers import owned_ticket
from tests.vendors.factories import EscalationFactory, VendorFactory
from updates.models import EntryKind, TimelineEntry

pytestmark = pytest.mark.browser

# What the composer shows: which panels and fields are visible, which pick is checked, and every
# message in it (field errors, form errors, the guard's warning).
COMPOSER_LAYOUT = """() => {
  const composer = document.querySelector("#composer");
  const shown = selector => [...composer.querySelectorAll(selector)].some(
    element => element.offsetParent !== null);
  const messages = [...composer.querySelectorAll(".errorlist li, div.error, .held-back > p:first-child")]
    .filter(element => element.offsetParent !== null)
    .map(element => element.textContent.trim());
  return {
    public_form: shown("#compose-public"),
    note_form: shown("#compose-note"),
    custom_time: shown(".custom-due input"),
    picked: composer.querySelector("input[name=promise]:checked").value,
    messages: messages,
  };
}"""


def layout(page) -> dict:
    # After htmx has settled: the swapped composer's tabs are set up on htmx's load event, a
    # moment after the new HTML (with its error marks) is already in the page.
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )
    return page.evaluate(COMPOSER_LAYOUT)


def settled_layout(page) -> dict:
    """The layout once the script has set up a swapped composer (it hides the note tab's panel),
    a moment after htmx settles the swap."""
    expect(page.locator("#compose-note")).to_be_hidden()
    return layout(page)


@pytest.fixture
def page_without_javascript(browser, live_server):
    context = browser.new_context(viewport=LAPTOP, locale="en-GB", java_script_enabled=False)
    context.set_default_timeout(10_000)

    def open_as(user):
        context.add_cookies([_session_cookie_for(user, live_server.url)])
        return context.new_page()

    yield open_as
    context.close()


def test_with_htmx_an_empty_update_comes_back_looking_as_before_with_one_message(
    live_server, signed_in_page, agent
):
    ticket = owned_ticket(agent, subject="Printer offline")
    page = signed_in_page(agent)
    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    before = layout(page)
    assert before == {
        "public_form": True,
        "note_form": False,
        "custom_time": False,
        "picked": "default",
        "messages": [],
    }
    marker = page.evaluate("() => (window.composerMarker = 'same page')")

    page.get_by_role("button", name="Send to customer").click()
    body = page.get_by_label("Update for the customer")
    expect(body).to_have_attribute("aria-invalid", "true")
    after = settled_layout(page)
    assert page.evaluate("() => window.composerMarker") == marker  # swapped in place (htmx)
    assert after == {**before, "messages": [after["messages"][0]]}
    assert "update" in after["messages"][0].lower()
    expect(body).to_be_focused()
    save_screenshot(page, "composer-error-htmx")

    # A custom pick without its time: the time field is shown, because "Custom" is picked.
    page.locator("#compose-public").get_by_label("Custom", exact=True).check()
    body.fill("We are on our way to the office.")
    page.get_by_role("button", name="Send to customer").click()
    custom = page.get_by_label("Custom next update (your time)")
    expect(custom).to_have_attribute("aria-invalid", "true")
    after = settled_layout(page)
    assert after == {
        **before,
        "custom_time": True,
        "picked": "custom",
        "messages": after["messages"],
    }
    assert len(after["messages"]) == 1
    assert not TimelineEntry.objects.filter(kind=EntryKind.PUBLIC_UPDATE).exists()


def test_with_htmx_the_guard_warning_shows_once_and_preview_shows_the_same(
    live_server, signed_in_page, agent
):
    ticket = owned_ticket(agent, subject="Disk failed")
    EscalationFactory(ticket=ticket, vendor=VendorFactory(name="Dell"), by=agent)
    page = signed_in_page(agent)
    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    before = layout(page)
    body = page.get_by_label("Update for the customer")
    body.fill("Dell is replacing the disk this afternoon.")

    # Preview first: the same warning Send gives, in the same place, and the email.
    page.get_by_role("button", name="Preview email").click()
    expect(page.locator("#composer-preview")).to_contain_text("Send holds this update back")
    warning = page.locator("#held-back .held-back")
    expect(warning).to_contain_text("Held back: it mentions Dell.")
    expect(warning.locator("[data-suggestion]")).to_have_text(
        "We are replacing the disk this afternoon."
    )
    previewed = settled_layout(page)
    save_screenshot(page, "composer-guard-preview")

    page.get_by_role("button", name="Send to customer").click()
    expect(page.locator("#composer-preview")).not_to_contain_text("Send holds")
    expect(warning).to_contain_text("Held back: it mentions Dell.")
    after = settled_layout(page)
    assert after == previewed == {**before, "messages": [after["messages"][0]]}
    assert after["messages"][0].startswith("Held back: it mentions Dell.")
    save_screenshot(page, "composer-guard-send")

    page.get_by_role("button", name="Use the suggested wording").click()
    expect(body).to_have_value("We are replacing the disk this afternoon.")
    assert settled_layout(page) == before
    page.get_by_role("button", name="Send to customer").click()
    expect(page.locator("#ticket-body .messages")).to_contain_text("Update sent to the customer.")
    entry = TimelineEntry.objects.get(kind=EntryKind.PUBLIC_UPDATE)
    assert entry.body == "We are replacing the disk this afternoon."


def test_without_javascript_errors_come_back_on_the_page_as_before_with_one_message(
    live_server, page_without_javascript, agent
):
    ticket = owned_ticket(agent, subject="Disk failed")
    EscalationFactory(ticket=ticket, vendor=VendorFactory(name="Dell"), by=agent)
    page = page_without_javascript(agent)
    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    before = layout(page)
    # Without JavaScript every part is on the page: both forms, the custom time.
    assert before == {
        "public_form": True,
        "note_form": True,
        "custom_time": True,
        "picked": "default",
        "messages": [],
    }

    page.get_by_role("button", name="Send to customer").click()
    after = layout(page)
    assert after == {**before, "messages": [after["messages"][0]]}
    save_screenshot(page, "composer-error-no-javascript")

    body = page.get_by_label("Update for the customer")
    body.fill("Dell is replacing the disk.")
    page.get_by_role("button", name="Preview email").click()
    previewed = layout(page)
    assert previewed == {**before, "messages": [previewed["messages"][0]]}
    assert previewed["messages"][0].startswith("Held back: it mentions Dell.")
    expect(page.locator("#composer-preview")).to_contain_text("Send holds this update back")

    page.get_by_role("button", name="Send to customer").click()
    assert layout(page) == previewed
    assert not TimelineEntry.objects.filter(kind=EntryKind.PUBLIC_UPDATE).exists()
