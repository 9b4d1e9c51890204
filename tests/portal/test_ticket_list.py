"""The portal's list of requests: who sees what, in plain words and the contact's time zone."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import TicketFactory
from tickets import services as ticket_services
from tickets.models import Status
from updates import services as update_services

pytestmark = pytest.mark.django_db
LIST = reverse("portal:tickets")


def test_anonymous_visitors_are_sent_to_the_portal_sign_in(client):
    response = client.get(LIST)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:login"))


def test_signed_in_staff_are_told_this_is_the_customer_portal(client, agent):
    client.force_login(agent)

    response = client.get(LIST)

    assert response.status_code == 403
    assert b"This is the customer portal" in response.content


def test_a_contact_sees_their_ticket_with_status_owner_and_promise(portal_client, agent, ticket):
    ticket_services.take_ownership(ticket, by=agent)

    response = portal_client.get(LIST)

    assert response.status_code == 200
    body = response.content.decode()
    assert "The warehouse printer jams" in body
    assert "Alice Agent" in body
    assert "Open" in body
    assert "Next update" in body


def test_the_list_shows_the_last_public_update_but_never_an_internal_note(
    portal_client, agent, ticket
):
    ticket_services.take_ownership(ticket, by=agent)
    update_services.post_public_update(ticket, author=agent, body="New fuser arrives at noon.")
    update_services.add_internal_note(ticket, author=agent, body="Cheap fuser again, sigh.")

    body = portal_client.get(LIST).content.decode()

    assert "New fuser arrives at noon." in body
    assert "Cheap fuser" not in body


def test_a_long_latest_update_is_cut_to_180_characters_on_its_card(portal_client, agent, ticket):
    ticket_services.take_ownership(ticket, by=agent)
    update_services.post_public_update(ticket, author=agent, body="a" * 179 + "bcdefgh" * 300)
    exact = TicketFactory(organization=ticket.organization, requester=ticket.requester)
    ticket_services.take_ownership(exact, by=agent)
    update_services.post_public_update(exact, author=agent, body="z" * 180)

    body = portal_client.get(LIST).content.decode()

    assert "a" * 179 + "…" in body
    assert "bcdefgh" not in body
    assert "z" * 180 + "</p>" in body  # exactly 180: shown whole, no ellipsis


def test_times_are_shown_in_the_contacts_own_time_zone(client, contact, agent):
    contact.timezone = "America/New_York"
    contact.save()
    with time_machine.travel(datetime(2026, 3, 3, 10, 0, tzinfo=UTC), tick=False):
        # P3 at 10:00 London on a Tuesday: first response within 4 business hours, 14:00 London.
        TicketFactory(organization=contact.organization, requester=contact, impact=3, urgency=3)
        client.force_login(contact)
        body = client.get(LIST).content.decode()

    assert "by 09:00 today" in body  # 14:00 GMT is 09:00 in New York
    assert "America/New_York" in body


def test_a_ticket_waiting_on_the_customer_asks_for_their_reply(portal_client, agent, ticket):
    ticket_services.take_ownership(ticket, by=agent)
    ticket_services.change_status(ticket, status=Status.WAITING_ON_CUSTOMER, by=agent)

    body = portal_client.get(LIST).content.decode()

    assert "Waiting for your reply" in body
    assert "we're waiting for your reply" in body


def test_an_organisation_admin_sees_colleagues_tickets_with_their_names(
    client, org_admin, colleague, ticket
):
    TicketFactory(organization=org_admin.organization, requester=colleague, subject="VPN is down")
    client.force_login(org_admin)

    body = client.get(LIST).content.decode()

    assert "VPN is down" in body
    assert "The warehouse printer jams" in body
    assert "Tom Colleague" in body
    assert "Priya Customer" in body


def test_an_organisation_admin_can_narrow_the_list_to_their_own(client, org_admin, ticket):
    own = TicketFactory(organization=org_admin.organization, requester=org_admin, subject="Mine")
    client.force_login(org_admin)

    body = client.get(LIST, {"scope": "mine"}).content.decode()

    assert own.subject in body
    assert "The warehouse printer jams" not in body


def test_a_contact_does_not_see_a_colleagues_ticket(portal_client, colleague, ticket):
    TicketFactory(organization=colleague.organization, requester=colleague, subject="VPN is down")

    body = portal_client.get(LIST, {"scope": "organization", "state": "all"}).content.decode()

    assert "VPN is down" not in body
    assert "Tom Colleague" not in body


def test_resolved_tickets_are_listed_under_closed(portal_client, agent, ticket):
    ticket_services.take_ownership(ticket, by=agent)
    ticket_services.change_status(ticket, status=Status.RESOLVED, by=agent)

    assert ticket.subject not in portal_client.get(LIST).content.decode()
    assert ticket.subject in portal_client.get(LIST, {"state": "closed"}).content.decode()


def test_search_finds_by_words_and_by_reference(portal_client, contact, ticket):
    TicketFactory(organization=contact.organization, requester=contact, subject="Email bounces")

    by_words = portal_client.get(LIST, {"q": "warehouse"}).content.decode()
    by_reference = portal_client.get(LIST, {"q": ticket.reference}).content.decode()

    assert ticket.subject in by_words
    assert "Email bounces" not in by_words
    assert ticket.subject in by_reference
    assert "Email bounces" not in by_reference


def test_htmx_filtering_returns_only_the_results_fragment(portal_client, ticket):
    response = portal_client.get(LIST, {"q": "warehouse"}, headers={"HX-Request": "true"})

    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results">')
    assert ticket.subject in body
    assert "<html" not in body


def test_bad_filter_values_fall_back_to_defaults(portal_client, ticket):
    response = portal_client.get(LIST, {"scope": "everyone", "state": "x", "page": "abc"})

    assert response.status_code == 200
    assert ticket.subject in response.content.decode()


def _queries_for_list(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST).status_code == 200
    return len(queries)


def test_the_list_runs_the_same_number_of_queries_for_3_or_15_tickets(
    portal_client, contact, agent
):
    def add(count):
        for _ in range(count):
            created = TicketFactory(organization=contact.organization, requester=contact)
            ticket_services.take_ownership(created, by=agent)
            update_services.post_public_update(created, author=agent, body="On it.")

    add(3)
    few = _queries_for_list(portal_client)
    add(12)
    many = _queries_for_list(portal_client)

    assert few == many


def test_an_organisation_admin_switches_between_mine_and_my_organisation(
    client, org_admin, colleague, ticket
):
    own = TicketFactory(organization=org_admin.organization, requester=org_admin, subject="Mine")
    client.force_login(org_admin)

    everyone = client.get(LIST).content.decode()
    mine = client.get(LIST, {"scope": "mine"}).content.decode()

    assert (
        'href="?scope=organization&amp;state=open&amp;q=" aria-current="page">My organisation'
        in everyone
    )
    assert ticket.subject in everyone
    assert "Raised by" in everyone
    assert 'href="?scope=mine&amp;state=open&amp;q=" aria-current="page">Mine' in mine
    assert own.subject in mine
    assert ticket.subject not in mine


def test_the_switch_follows_htmx_filtering_so_it_keeps_the_new_filters(client, org_admin):
    client.force_login(org_admin)

    body = client.get(
        LIST,
        {"scope": "organization", "state": "closed", "q": "vpn"},
        headers={"HX-Request": "true"},
    ).content.decode()

    assert 'id="scope-switch" aria-label="Whose requests" hx-swap-oob="true"' in body
    assert 'href="?scope=mine&amp;state=closed&amp;q=vpn"' in body


def test_an_ordinary_contact_has_no_switch_and_no_colleagues_even_asking_for_them(
    portal_client, colleague, ticket
):
    TicketFactory(organization=colleague.organization, requester=colleague, subject="VPN is down")

    body = portal_client.get(LIST, {"scope": "organization", "state": "all"}).content.decode()

    assert "scope-switch" not in body
    assert "Raised by" not in body
    assert "Your requests" in body
    assert ticket.subject in body
    assert "VPN is down" not in body
    assert "Tom Colleague" not in body


def test_a_colleagues_reply_on_a_contacts_ticket_is_shown_without_their_name(
    client, contact, org_admin, ticket
):
    update_services.post_customer_reply(ticket, author=org_admin, body="Adding: Bay 2 as well.")
    client.force_login(contact)

    page = client.get(reverse("portal:ticket", args=[ticket.pk])).content.decode()
    listing = client.get(LIST, {"state": "all"}).content.decode()

    assert "Adding: Bay 2 as well." in page
    assert "A colleague" in page
    for text in (page, listing):
        assert "Olga Admin" not in text
        assert "olga@northwind.test" not in text


def test_an_organisation_admin_sees_who_raised_a_colleagues_ticket(client, org_admin, ticket):
    client.force_login(org_admin)

    page = client.get(reverse("portal:ticket", args=[ticket.pk])).content.decode()

    assert "by Priya Customer" in page


def test_a_long_list_pages_through_the_newest_tickets_only_and_says_so(
    portal_client, contact, monkeypatch
):
    """The count stops at the cap (a large customer's whole history is never counted)."""
    monkeypatch.setattr("portal.views.PAGE_SIZE", 2)
    monkeypatch.setattr("portal.views.LIST_CAP", 4)
    for n in range(6):
        TicketFactory(organization=contact.organization, requester=contact, subject=f"Job {n}")

    first = portal_client.get(LIST).content.decode()
    last = portal_client.get(LIST, {"page": "2"}).content.decode()
    beyond = portal_client.get(LIST, {"page": "3"}).content.decode()

    assert "Page 1 of 2+" in first
    assert "Job 5" in first
    assert "Job 4" in first
    assert "These are the newest" not in first
    assert "Page 2 of 2+" in last
    assert "Job 3" in last
    assert "Job 2" in last
    assert "These are the newest 4 requests. Search by words or SD-number" in last
    # Past the cap: the last page within it.
    assert "Page 2 of 2+" in beyond
    assert "Job 2" in beyond
    assert "Job 1" not in beyond
    older = portal_client.get(LIST, {"q": "Job 0"}).content.decode()
    assert "Job 0" in older
    assert "Page 1 of" not in older


def test_a_list_within_the_cap_counts_exactly(portal_client, contact, monkeypatch):
    monkeypatch.setattr("portal.views.PAGE_SIZE", 2)
    monkeypatch.setattr("portal.views.LIST_CAP", 4)
    for n in range(3):
        TicketFactory(organization=contact.organization, requester=contact, subject=f"Job {n}")

    listing = portal_client.get(LIST).content.decode()

    assert "Page 1 of 2</span>" in listing
    assert "These are the newest" not in listing


def test_a_page_of_the_list_only_ever_shows_the_viewers_tickets(
    portal_client, contact, colleague, outsider
):
    mine = TicketFactory(organization=contact.organization, requester=contact, subject="Mine")
    TicketFactory(organization=contact.organization, requester=colleague, subject="Colleague's")
    TicketFactory(organization=outsider.organization, requester=outsider, subject="Foreign")

    for state in ("open", "all"):
        listing = portal_client.get(LIST, {"state": state, "scope": "organization"})
        body = listing.content.decode()
        assert mine.reference in body
        assert "Colleague's" not in body
        assert "Foreign" not in body
