"""The customer journey in a real browser (Debian's Chromium through Playwright).

A contact signs in, raises a request and is told when we will reply; sees who owns it, when the
next update is due (in their own time zone) and the expected fix; confirms our understanding;
replies to a question (which reopens the ticket with a fresh promise); and rates the service
after resolution through the confirmation page. A second test signs in with the emailed
one-time link. Screenshots of the list and the ticket page are saved at phone and laptop size.
"""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from portal.templatetags.portal_tags import when
from tests.browser import LAPTOP, PHONE, save_screenshot, sign_in_through_form
from tests.factories import PASSWORD, ContactFactory, TicketFactory
from tickets import services as ticket_services
from tickets.models import Status, Ticket
from updates import services as update_services
from updates.models import Feedback, Loss, LossCategory

pytestmark = pytest.mark.browser

CONTACT_ZONE = "America/New_York"  # not the organisation's (Europe/London): the contact's own


@pytest.fixture
def new_yorker(organization):
    return ContactFactory(
        name="Dana Brooks",
        email="dana@northwind.test",
        organization=organization,
        timezone=CONTACT_ZONE,
    )


def in_contact_zone(moment) -> str:
    """What the portal shows for a moment: the `when` filter in the contact's time zone."""
    with timezone.override(CONTACT_ZONE):
        return when(moment)


def screenshot(page, name: str) -> None:
    """A full-page screenshot from the top (a sticky header scrolled down would land mid-page)."""
    page.evaluate("window.scrollTo(0, 0)")
    save_screenshot(page, name)


def assert_fits_the_screen(page) -> None:
    """Mobile first: nothing makes the page scroll sideways."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def test_a_customer_raises_follows_confirms_replies_and_rates_a_request(
    live_server, new_page, new_yorker, agent
):
    portal = f"{live_server.url}/portal"
    page = new_page(PHONE)
    sign_in_through_form(page, f"{portal}/login/", new_yorker.email, PASSWORD)
    assert page.get_by_role("heading", name="Your requests").is_visible()

    # Raise a request in plain words; the answer is the first-response promise.
    page.get_by_role("link", name="Raise a new request").first.click()
    page.get_by_label("In a few words, what's wrong?").fill("Nobody can print in the warehouse")
    # Unanswered questions are marked in place (htmx), and what was typed stays.
    page.get_by_role("button", name="Send request").click()
    page.get_by_text("Please check the answers marked below.").wait_for()
    assert page.locator(".has-error").count() >= 3
    subject = page.get_by_label("In a few words, what's wrong?")
    assert subject.input_value() == "Nobody can print in the warehouse"
    assert "/portal/new/" in page.url
    screenshot(page, "portal-new-request-errors-phone")
    page.get_by_label("Tell us more").fill("Labels jam on every print since this morning.")
    page.get_by_label("A team or a key function is stopped").check()
    page.get_by_label("Within a few hours").check()
    page.get_by_label("How many people are affected?").fill("12")
    page.get_by_role("button", name="Send request").click()
    received = page.locator("#received")
    received.wait_for()

    ticket = Ticket.objects.get(subject="Nobody can print in the warehouse")
    assert ticket.requester == new_yorker
    assert ticket.people_affected == 12
    assert f"We'll reply by {in_contact_zone(ticket.next_update_due)}" in received.inner_text()

    # Staff take it, set an ETA and restate the problem; the customer sees all of it.
    ticket_services.take_ownership(ticket, by=agent)
    ticket = ticket_services.set_eta(ticket, eta=timezone.now() + timedelta(days=2), by=agent)
    ticket_services.restate_problem(
        ticket, problem_statement="The warehouse label printer jams on every job.", by=agent
    )
    ticket.refresh_from_db()
    page.reload()
    facts = page.locator("dl.facts").first.inner_text()
    assert "Alice Agent" in facts
    assert in_contact_zone(ticket.eta) in facts
    promise = page.get_by_label("When you'll hear from us").inner_text()
    assert in_contact_zone(ticket.next_update_due) in promise
    assert "Times are shown in your time zone, America/New_York" in page.content()

    page.get_by_role("button", name="Yes, that's it").click()
    page.get_by_text("Thanks for confirming").wait_for()
    assert page.locator(".confirmed").is_visible()
    ticket.refresh_from_db()
    assert ticket.understanding_confirmed_at is not None

    # A question puts the ball in the customer's court; their reply reopens it (htmx swap).
    update_services.post_public_update(
        ticket,
        author=agent,
        body="Which printer model is it? The label on the back will say.",
        status=Status.WAITING_ON_CUSTOMER,
    )
    page.reload()
    assert (
        "We're waiting for your reply" in page.get_by_label("When you'll hear from us").inner_text()
    )
    page.get_by_role("button", name="Send reply").click()
    page.locator("#conversation .field-error").wait_for()
    page.get_by_label("Your reply").fill("It is the Zebra ZT410 by the loading bay.")
    page.get_by_role("button", name="Send reply").click()
    page.locator(".entry.mine", has_text="Zebra ZT410").wait_for()
    assert "Thanks, your reply is with us." in page.locator("#conversation").inner_text()
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.next_update_due is not None
    assert ticket.next_update_due > timezone.now()
    page.reload()
    assert (
        in_contact_zone(ticket.next_update_due)
        in page.get_by_label("When you'll hear from us").inner_text()
    )
    screenshot(page, "portal-ticket-phone")
    assert_fits_the_screen(page)
    page.set_viewport_size(LAPTOP)
    screenshot(page, "portal-ticket-laptop")

    # Resolved: the feedback goes through a confirmation page, never through a link alone.
    update_services.post_public_update(
        ticket, author=agent, body="A new print head is fitted.", status=Status.RESOLVED
    )
    page.reload()
    page.get_by_role("link", name="Give feedback").click()
    assert not Feedback.objects.exists()
    page.locator("fieldset", has_text="Were you kept informed?").get_by_label("2").check()
    page.locator("fieldset", has_text="Was the problem solved?").get_by_label("5").check()
    page.get_by_label("Anything you'd like to tell us?").fill("Fixed, but I had to chase.")
    screenshot(page, "portal-feedback-phone")
    page.get_by_role("button", name="Send feedback").click()
    page.get_by_text("Thank you for your feedback").wait_for()
    assert page.url.endswith(f"/portal/tickets/{ticket.pk}/")
    feedback = Feedback.objects.get(ticket=ticket)
    assert (feedback.kept_informed, feedback.resolved) == (2, 5)
    assert Loss.objects.get(ticket=ticket).category == LossCategory.MISSED_UPDATE


def test_the_emailed_sign_in_link_signs_in_once(live_server, new_page, new_yorker, mailoutbox):
    TicketFactory(organization=new_yorker.organization, requester=new_yorker, subject="VPN drops")
    page = new_page(PHONE)
    page.goto(f"{live_server.url}/portal/login/")
    page.get_by_role("link", name="Email me a sign-in link instead").click()
    page.get_by_label("Email address").fill(new_yorker.email)
    page.locator("form [type=submit]").click()
    page.get_by_text(new_yorker.email).first.wait_for()

    [message] = mail.outbox
    assert message.to == [new_yorker.email]
    link = re.search(r"https?://\S+/portal/sign-in/\?\S+", message.body).group(0)
    # SITE_URL is another host than the live server's; follow the link's path and query there.
    link = live_server.url + link[link.index("/portal/") :]

    page.goto(link)
    page.get_by_role("button", name="Continue to my requests").click()
    assert page.url.rstrip("/").endswith("/portal")
    assert page.get_by_role("link", name="VPN drops").is_visible()

    again = new_page(PHONE)
    again.goto(link)
    assert "/portal/sign-in/" in again.url
    assert again.get_by_role("button", name="Continue to my requests").count() == 0
    again.goto(f"{live_server.url}/portal/")
    assert "/portal/login/" in again.url


def test_the_request_list_reads_well_on_a_phone_and_a_laptop(
    live_server, signed_in_page, new_yorker, colleague, agent
):
    new_yorker.sees_organization_tickets = True  # an organisation admin: the whole organisation
    new_yorker.save()
    TicketFactory(
        organization=new_yorker.organization, requester=colleague, subject="Printer on floor 2"
    )
    waiting = TicketFactory(
        organization=new_yorker.organization, requester=new_yorker, subject="Laptop will not boot"
    )
    ticket_services.take_ownership(waiting, by=agent)
    update_services.post_public_update(
        waiting,
        author=agent,
        body="Could you bring it to the front desk at 10?",
        status=Status.WAITING_ON_CUSTOMER,
    )
    owned = TicketFactory(
        organization=new_yorker.organization,
        requester=new_yorker,
        subject="Shared drive is slow for the finance team",
        impact=2,
        urgency=2,
    )
    ticket_services.take_ownership(owned, by=agent)
    ticket_services.set_eta(owned, eta=timezone.now() + timedelta(hours=5), by=agent)
    update_services.post_public_update(
        owned, author=agent, body="We found the busy disk and are moving files off it now."
    )
    TicketFactory(
        organization=new_yorker.organization, requester=new_yorker, subject="New starter on Monday"
    )

    page = signed_in_page(new_yorker, PHONE)
    page.goto(f"{live_server.url}/portal/")
    cards = page.locator(".ticket-card")
    assert cards.count() == 4
    assert "Tom Colleague" in cards.filter(has_text="Printer on floor 2").inner_text()
    assert "we're waiting for your reply" in cards.filter(has_text="Laptop").inner_text()
    assert "Alice Agent" in cards.filter(has_text="Shared drive").inner_text()
    assert_fits_the_screen(page)
    screenshot(page, "portal-list-phone")
    page.set_viewport_size(LAPTOP)
    screenshot(page, "portal-list-laptop")

    page.get_by_role("link", name="Mine", exact=True).click()
    page.get_by_role("heading", name="Your requests").wait_for()
    assert page.locator(".ticket-card").count() == 3
    assert page.get_by_text("Printer on floor 2").count() == 0
