"""The ticket page's countdown to the next customer update, for screen readers: the ticking text
is hidden from them (it changes every 15 s), the due time is read instead, and the moment the
promise turns late is said once, politely. The browser's clock is moved, never waited for."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.tickets.helpers import owned_ticket
from tickets.models import Ticket

pytestmark = pytest.mark.browser


def test_a_promise_turning_late_is_announced_once_and_the_ticker_stays_silent(
    live_server, signed_in_page, agent, contact
):
    ticket = owned_ticket(agent, organization=contact.organization, requester=contact)
    now = timezone.now()
    Ticket.objects.filter(pk=ticket.pk).update(next_update_due=now + timedelta(minutes=2))
    page = signed_in_page(agent)
    page.clock.install(time=now)
    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    ticker = page.locator("#promise-countdown time.countdown")
    said = page.locator("#promise-countdown .visually-hidden")
    news = page.locator("#countdown-news")
    expect(ticker).to_have_attribute("aria-hidden", "true")
    expect(said).to_have_text(f"due {ticker.get_attribute('title')}")
    expect(news).to_have_attribute("aria-live", "polite")
    expect(news).to_have_text("")

    page.evaluate("""() => {
      window.newsChanges = 0;
      new MutationObserver(() => window.newsChanges++).observe(
        document.getElementById("countdown-news"), {childList: true, characterData: true, subtree: true});
    }""")

    page.clock.run_for("01:00")  # still on time: nothing to say
    expect(news).to_have_text("")

    page.clock.run_for("02:00")
    expect(ticker).to_have_text("1 min late")
    expect(said).to_have_text(f"late, was due {ticker.get_attribute('title')}")
    expect(news).to_have_text(
        f"The next customer update is late: it was due {ticker.get_attribute('title')}."
    )
    page.clock.run_for("05:00")  # it keeps ticking, and says nothing more
    expect(ticker).to_have_text("6 min late")
    assert page.evaluate("window.newsChanges") == 1
