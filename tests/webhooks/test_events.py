"""Which events a subscription hears, and what it sees: internal subscriptions get the object as
staff see it (internal notes, vendor data); the others get the ticket as its customer sees it."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from incidents import services as incident_services
from tests.factories import OrganizationFactory, TicketFactory
from tests.vendors.factories import VendorFactory
from tickets import services as ticket_services
from tickets.models import Status
from updates import services as update_services
from updates.feedback import record_feedback, record_loss
from updates.keeper.sweep import sweep
from vendors import services as vendor_services
from webhooks import services
from webhooks.delivery import body_of
from webhooks.models import Delivery

pytestmark = pytest.mark.django_db


def sent(subscription) -> list[dict]:
    """What each delivery of the subscription would send, in order."""
    return [
        json.loads(body_of(delivery))
        for delivery in Delivery.objects.filter(subscription=subscription)
        .select_related("event", "subscription", "event__organization")
        .order_by("id")
    ]


def types(subscription) -> list[str]:
    return [body["type"] for body in sent(subscription)]


def test_a_vendor_wait_reads_in_progress_to_everyone_but_internal_subscriptions(
    subscribe, organization, agent
):
    ticket = TicketFactory(organization=organization, owner=agent)
    ticket_services.change_status(ticket, status=Status.IN_PROGRESS, by=agent)
    outside = subscribe(events=["update.public_posted", "ticket.status_changed"])
    inside = subscribe(events=["update.public_posted", "ticket.status_changed"], internal=True)

    ticket_services.change_status(ticket, status=Status.WAITING_ON_VENDOR, by=agent)
    update_services.post_public_update(ticket, author=agent, body="Still on it.")

    # The move into the vendor wait is invisible to the customer, so to the outside too.
    assert types(outside) == ["update.public_posted"]
    assert types(inside) == ["ticket.status_changed", "update.public_posted"]
    assert sent(outside)[0]["data"]["ticket"]["status"] == "in_progress"
    assert sent(inside)[1]["data"]["ticket"]["status"] == "waiting_on_vendor"
    assert sent(outside)[0]["data"]["entry"]["body"] == "Still on it."
    assert "priority_override_reason" not in sent(outside)[0]["data"]["ticket"]


def test_internal_notes_and_vendor_escalations_go_only_to_internal_subscriptions(
    subscribe, organization, agent
):
    ticket = TicketFactory(organization=organization, owner=agent)
    outside = subscribe()
    inside = subscribe(internal=True)
    Delivery.objects.all().delete()

    update_services.add_internal_note(ticket, author=agent, body="Vendor owes us a patch.")
    vendor_services.open_escalation(
        ticket=ticket, vendor=VendorFactory(name="Contoso"), by=agent, summary="Patch please"
    )

    assert types(outside) == []
    assert types(inside) == ["update.internal_posted", "escalation.changed"]
    escalation = sent(inside)[1]["data"]["escalation"]
    assert escalation["summary"] == "Patch please"


def test_the_organisation_and_priority_filters_apply_to_the_events_ticket(subscribe, agent):
    mine, theirs = OrganizationFactory(name="Acme"), OrganizationFactory(name="Globex")
    acme_only = subscribe(organization=mine, events=["ticket.created"])
    p1_only = subscribe(priorities=[1], events=["ticket.created"])

    TicketFactory(organization=mine, impact=3, urgency=3)
    TicketFactory(organization=theirs, impact=1, urgency=1)

    assert [b["data"]["ticket"]["organization_name"] for b in sent(acme_only)] == ["Acme"]
    assert [b["data"]["ticket"]["priority"] for b in sent(p1_only)] == [1]


def test_customer_replies_feedback_and_losses_are_events(
    subscribe, organization, contact, agent, manager
):
    subscription = subscribe(
        events=["customer.replied", "feedback.received", "loss.recorded", "ticket.updated"]
    )
    ticket = TicketFactory(organization=organization, requester=contact)
    ticket_services.assign_owner(ticket, owner=agent, by=agent)
    update_services.post_customer_reply(ticket, author=contact, body="Any news?")
    ticket = ticket_services.change_status(ticket, status=Status.RESOLVED, by=agent)
    record_feedback(ticket, author=contact, kept_informed=1, resolved=4, comment="Silence.")
    record_loss(organization=organization, category="other", description="x", recorded_by=manager)

    assert types(subscription) == [
        "ticket.updated",  # the owner
        "customer.replied",
        "feedback.received",
        "loss.recorded",  # from the low score
        "loss.recorded",  # by hand
    ]
    bodies = sent(subscription)
    assert bodies[2]["data"]["feedback"]["kept_informed"] == 1
    assert "lessons" not in bodies[3]["data"]["loss"]  # a manager's lessons stay in the desk


def test_an_incident_reaches_an_organisation_filtered_subscription_only_through_a_linked_ticket(
    subscribe, agent
):
    linked_org, other_org = OrganizationFactory(), OrganizationFactory()
    linked = subscribe(organization=linked_org, events=["incident.updated"])
    unlinked = subscribe(organization=other_org, events=["incident.updated"])
    everyone = subscribe(events=["incident.updated"])
    incident = incident_services.create_incident(by=agent, title="Mail down", summary="Email")
    incident_services.link_ticket(incident, TicketFactory(organization=linked_org), by=agent)

    incident_services.post_incident_update(incident, by=agent, body="Restoring the mail server.")

    assert types(linked) == ["incident.updated"]
    assert types(unlinked) == []
    assert sent(everyone)[0]["data"]["entry"]["body"] == "Restoring the mail server."
    assert "title" not in sent(everyone)[0]["data"]["incident"]  # the title is staff-only


def test_promise_alerts_are_events(subscribe, organization, agent):
    subscription = subscribe(events=["promise.due_soon", "promise.breached"])
    ticket = TicketFactory(organization=organization, owner=agent, impact=1, urgency=1)
    due = ticket.next_update_due
    with time_machine.travel(due + timedelta(seconds=1), tick=False):
        sweep(now=timezone.now())

    assert "promise.breached" in types(subscription)
    assert sent(subscription)[-1]["data"]["promise"]["due_at"] == due.isoformat()


def test_a_ping_goes_to_its_subscription_whatever_its_events(subscribe, manager):
    subscription = subscribe(events=["loss.recorded"])
    services.ping(subscription, by=manager)
    assert types(subscription) == ["webhook.ping"]


def test_a_bulk_status_change_sends_each_ticket_its_events_as_if_changed_one_by_one(
    subscribe, organization, agent
):
    from tickets import bulk

    tickets = [TicketFactory(organization=organization, owner=agent) for _ in range(3)]
    for ticket in tickets:
        ticket_services.change_status(ticket, status=Status.IN_PROGRESS, by=agent)
    subscription = subscribe(events=["ticket.status_changed", "ticket.updated"])

    bulk.run(
        tickets=[t.pk for t in tickets],
        action="status",
        params={"status": Status.RESOLVED},
        by=agent,
    )

    bodies = sent(subscription)
    moved = [b for b in bodies if b["type"] == "ticket.status_changed"]
    assert sorted(b["data"]["ticket"]["id"] for b in moved) == sorted(t.pk for t in tickets)
    assert {b["data"]["previous_status"] for b in moved} == {"in_progress"}
    assert {b["data"]["ticket"]["status"] for b in moved} == {"resolved"}
    assert len([b for b in bodies if b["type"] == "ticket.updated"]) == 3
