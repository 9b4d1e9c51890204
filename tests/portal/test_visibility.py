"""portal.visibility: which tickets, fields, entries and names a customer contact may see."""

import pytest
from django.http import Http404

from portal import visibility
from tests.factories import TicketFactory
from tickets import services as ticket_services
from tickets.models import Status
from updates import services as update_services
from updates.events import record_event

pytestmark = pytest.mark.django_db


def test_a_contact_sees_only_the_tickets_they_requested(contact, colleague, ticket):
    colleagues_ticket = TicketFactory(organization=contact.organization, requester=colleague)

    visible = set(visibility.visible_tickets(contact))

    assert visible == {ticket}
    assert colleagues_ticket not in visible


def test_an_organisation_admin_sees_every_ticket_of_their_organisation(
    org_admin, contact, colleague, ticket
):
    colleagues_ticket = TicketFactory(organization=contact.organization, requester=colleague)

    assert set(visibility.visible_tickets(org_admin)) == {ticket, colleagues_ticket}


def test_an_organisation_admin_never_sees_another_organisations_tickets(outsider, ticket):
    assert ticket not in visibility.visible_tickets(outsider)
    with pytest.raises(Http404):
        visibility.get_ticket(outsider, ticket.pk)
    with pytest.raises(Http404):
        visibility.customer_ticket(outsider, ticket.pk)
    with pytest.raises(Http404):
        visibility.public_timeline(outsider, ticket.pk)


def test_staff_and_anonymous_users_see_nothing_through_the_portal(agent, manager, ticket):
    from django.contrib.auth.models import AnonymousUser

    for viewer in (agent, manager, AnonymousUser()):
        assert not visibility.visible_tickets(viewer).exists()


def test_an_inactive_contact_sees_nothing(contact, ticket):
    contact.is_active = False
    contact.save()
    assert not visibility.visible_tickets(contact).exists()


def test_a_ticket_waiting_on_a_vendor_reads_in_progress(contact, agent, ticket):
    ticket_services.take_ownership(ticket, by=agent)
    ticket_services.change_status(ticket, status=Status.WAITING_ON_VENDOR, by=agent)

    seen = visibility.customer_ticket(contact, ticket.pk)

    assert seen.status == "in_progress"
    assert seen.status_label == "In progress"


def test_the_projection_carries_owner_promise_and_on_list_cards_the_last_public_update(
    contact, agent, ticket
):
    ticket_services.take_ownership(ticket, by=agent)
    update_services.post_public_update(ticket, author=agent, body="Replacing the fuser now.")
    update_services.add_internal_note(ticket, author=agent, body="Fuser was a cheap one.")
    ticket.refresh_from_db()

    seen = visibility.customer_ticket(contact, ticket.pk)
    [card] = visibility.project_page(visibility.ticket_list(contact)[:20], contact)

    assert seen.owner_name == card.owner_name == "Alice Agent"
    assert seen.next_update_due == card.next_update_due == ticket.next_update_due
    # The last public update is what a list card shows (the ticket page has the timeline).
    assert card.last_update_text == "Replacing the fuser now."
    for projection in (seen, card):
        assert not hasattr(projection, "priority_override_reason")
        assert not hasattr(projection, "priority")


def test_the_public_timeline_leaves_out_internal_notes_and_private_events(contact, agent, ticket):
    ticket_services.take_ownership(ticket, by=agent)
    update_services.add_internal_note(ticket, author=agent, body="Internal: blame the cabling")
    ticket_services.override_priority(ticket, priority=1, reason="CEO is shouting", by=agent)
    record_event(ticket, "vendor_escalated", at=ticket.created_at, by=agent, vendor="Acme")
    update_services.post_public_update(ticket, author=agent, body="We're on site at 2pm.")

    timeline = visibility.public_timeline(contact, ticket.pk)
    texts = " ".join(entry.text for entry in timeline)

    assert "We're on site at 2pm." in texts
    assert "We received your request." in texts
    assert "Internal" not in texts
    assert "CEO" not in texts
    assert "Acme" not in texts
    assert "owner" not in texts.lower()


def test_names_follow_the_documented_policy(contact, colleague, org_admin, agent, outsider):
    assert visibility.name_for(contact, contact) == "You"
    assert visibility.name_for(agent, contact) == "Alice Agent"
    assert visibility.name_for(colleague, contact) == "A colleague"
    assert visibility.name_for(colleague, org_admin) == "Tom Colleague"
    assert "Eve" not in visibility.name_for(outsider, org_admin)
    assert visibility.name_for(None, contact) == "Service desk"


def test_a_colleagues_reply_is_anonymous_to_a_contact_who_is_not_an_admin(
    contact, org_admin, ticket
):
    update_services.post_customer_reply(ticket, author=org_admin, body="Also the second one.")

    timeline = visibility.public_timeline(contact, ticket.pk)
    reply = next(entry for entry in timeline if entry.is_reply)

    assert reply.author_name == "A colleague"


def test_search_stays_inside_the_visible_tickets(contact, outsider, ticket):
    TicketFactory(organization=outsider.organization, requester=outsider, subject="Printer jams")

    found = list(visibility.ticket_list(contact, state="all", search="printer"))

    assert found == [ticket]


def test_search_by_reference_finds_only_a_visible_ticket(contact, outsider, ticket):
    foreign = TicketFactory(organization=outsider.organization, requester=outsider)

    assert list(visibility.ticket_list(contact, state="all", search=ticket.reference)) == [ticket]
    assert list(visibility.ticket_list(contact, state="all", search=foreign.reference)) == []
    assert list(visibility.ticket_list(contact, state="all", search=str(foreign.pk))) == []


def test_the_organisation_scope_is_ignored_for_a_contact_who_is_not_an_admin(
    contact, colleague, ticket
):
    TicketFactory(organization=contact.organization, requester=colleague)

    assert list(visibility.ticket_list(contact, scope="organization")) == [ticket]


def test_open_and_closed_filters(contact, agent, ticket):
    done = TicketFactory(organization=contact.organization, requester=contact)
    ticket_services.take_ownership(done, by=agent)
    ticket_services.change_status(done, status=Status.RESOLVED, by=agent)

    assert list(visibility.ticket_list(contact, state="open")) == [ticket]
    assert list(visibility.ticket_list(contact, state="closed")) == [done]
    assert set(visibility.ticket_list(contact, state="all")) == {ticket, done}
