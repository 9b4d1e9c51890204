"""Merging one ticket into another (issue 21 item 3): API.md "Agent speed (v1.2)", Merge."""

from datetime import timedelta

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from inbound import services as inbound_services
from tests.factories import ContactFactory, OrganizationFactory, TicketFactory
from tests.inbound.support import plain
from tests.tickets.helpers import client_for, owned_ticket
from tickets.models import Status, Ticket
from updates import services as update_services
from updates.keeper.messages import render_email
from updates.models import OutboxKind, OutboxMessage, Promise, PromiseOutcome, TimelineEntry

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def entries(user, ticket) -> list[dict]:
    body = api(user).get(f"/api/v1/tickets/{ticket.pk}/updates/").json()
    return body["results"] if isinstance(body, dict) else body


def merge(user, ticket, into):
    return api(user).post(f"/api/v1/tickets/{ticket.pk}/merge/", {"into": into}, format="json")


@pytest.fixture
def survivor(organization, contact, agent):
    return owned_ticket(agent, organization=organization, requester=contact, subject="Email down")


@pytest.fixture
def duplicate(organization, other_agent):
    requester = ContactFactory(
        name="Sam Second", email="sam@northwind.test", organization=organization
    )
    ticket = owned_ticket(
        other_agent, organization=organization, requester=requester, subject="No email"
    )
    update_services.post_customer_reply(ticket, author=requester, body="Outlook says offline")
    update_services.add_internal_note(ticket, author=other_agent, body="Exchange queue stuck")
    return ticket


def test_merge_closes_the_ticket_and_answers_the_survivor(agent, survivor, duplicate):
    response = merge(agent, duplicate, survivor.pk)

    assert response.status_code == 200, response.json()
    assert response.json()["id"] == survivor.pk
    assert response.json()["merged_into"] is None
    duplicate.refresh_from_db()
    assert duplicate.status == Status.CLOSED
    assert duplicate.merged_into_id == survivor.pk
    assert duplicate.next_update_due is None
    detail = api(agent).get(f"/api/v1/tickets/{duplicate.pk}/").json()
    assert detail["merged_into"] == survivor.pk


def test_the_merged_tickets_pending_promise_is_withdrawn(agent, survivor, duplicate):
    merge(agent, duplicate, survivor.pk)

    assert not Promise.objects.filter(ticket=duplicate, outcome=PromiseOutcome.PENDING).exists()
    last = Promise.objects.filter(ticket=duplicate).order_by("-closed_at").first()
    assert last.outcome == PromiseOutcome.WITHDRAWN
    survivor.refresh_from_db()
    assert survivor.next_update_due is not None


def test_the_timeline_appears_on_the_survivor_marked_merged_from(
    agent, contact, survivor, duplicate
):
    merge(agent, duplicate, survivor.pk)

    staff_entries = entries(agent, survivor)
    moved = [e for e in staff_entries if e["merged_from"] == duplicate.pk]
    bodies = {e["body"] for e in moved}
    assert "Outlook says offline" in bodies
    assert "Exchange queue stuck" in bodies
    own = [e for e in staff_entries if e["merged_from"] is None]
    assert any("was merged into this one" in e["body"] for e in own)
    merged_side = entries(agent, duplicate)
    assert any("Merged into" in e["body"] for e in merged_side)
    # The contact sees the public part only.
    customer_entries = entries(contact, survivor)
    customer_bodies = {e["body"] for e in customer_entries}
    assert "Outlook says offline" in customer_bodies
    assert "Exchange queue stuck" not in customer_bodies


def test_the_merged_requester_gets_one_email_naming_the_survivor_and_no_resolution(
    agent, survivor, duplicate
):
    merge(agent, duplicate, survivor.pk)

    emails = OutboxMessage.objects.filter(ticket=duplicate, recipient=duplicate.requester)
    kinds = list(emails.filter(created_at__gte=duplicate.updated_at).values_list("kind", flat=True))
    assert kinds.count(OutboxKind.CUSTOMER_MERGED) == 1
    assert not emails.filter(kind=OutboxKind.CUSTOMER_RESOLUTION).exists()
    message = emails.get(kind=OutboxKind.CUSTOMER_MERGED)
    email = render_email(message, message.created_at)
    assert survivor.reference in email.subject
    assert survivor.reference in email.text


def test_people_join_the_survivor(agent, other_agent, survivor, duplicate):
    merge(agent, duplicate, survivor.pk)

    assert other_agent in survivor.collaborators.all()
    # The merged ticket's requester can now see the survivor.
    requester = duplicate.requester
    assert api(requester).get(f"/api/v1/tickets/{survivor.pk}/").status_code == 200


def test_earlier_merges_follow_to_the_survivor(agent, organization, survivor, duplicate):
    third = TicketFactory(organization=organization)
    merge(agent, third, duplicate.pk)
    merge(agent, duplicate, survivor.pk)

    third.refresh_from_db()
    assert third.merged_into_id == survivor.pk


@pytest.mark.parametrize("case", ["itself", "other organisation", "resolved", "closed", "missing"])
def test_refused_merges_name_into_and_change_nothing(agent, survivor, duplicate, case):
    into = survivor.pk
    if case == "itself":
        into = duplicate.pk
    elif case == "other organisation":
        into = TicketFactory(organization=OrganizationFactory(name="Elsewhere Ltd")).pk
    elif case == "resolved":
        update_services.post_public_update(
            survivor, author=agent, body="Fixed", status=Status.RESOLVED
        )
    elif case == "closed":
        duplicate_status = Ticket.objects.get(pk=duplicate.pk).status
        assert duplicate_status != Status.CLOSED
        from tickets import services as ticket_services

        ticket_services.change_status(survivor, status=Status.CLOSED, by=agent)
    else:
        into = 10**12
    before = TimelineEntry.objects.filter(ticket=duplicate).count()

    response = merge(agent, duplicate, into)

    assert response.status_code == 400
    assert "into" in response.json()
    duplicate.refresh_from_db()
    assert duplicate.status != Status.CLOSED
    assert duplicate.merged_into_id is None
    assert TimelineEntry.objects.filter(ticket=duplicate).count() == before


def test_a_contact_gets_403_on_a_ticket_they_can_see(contact, survivor, duplicate):
    response = merge(contact, survivor, duplicate.pk)
    assert response.status_code == 403
    hidden = TicketFactory(organization=OrganizationFactory(name="Hidden Ltd"))
    assert merge(contact, hidden, survivor.pk).status_code == 404


def test_email_replies_to_the_merged_thread_land_on_the_survivor(agent, survivor, duplicate):
    merge(agent, duplicate, survivor.pk)
    requester = duplicate.requester

    inbound_services.ingest(
        plain(
            sender=f"Sam <{requester.email}>",
            subject=f"Re: [{duplicate.reference}] No email",
            body="Still offline here",
            message_id="<merged-reply@northwind.test>",
        )
    )

    assert TimelineEntry.objects.filter(
        ticket=survivor, kind="customer_reply", body__contains="Still offline here"
    ).exists()
    assert not Ticket.objects.filter(subject__contains="No email").exclude(pk=duplicate.pk).exists()


def test_the_merged_tickets_pages_lead_to_the_survivor(agent, survivor, duplicate):
    merge(agent, duplicate, survivor.pk)

    staff = client_for(agent).get(reverse("ticket", args=[duplicate.pk]))
    assert staff.status_code == 302
    assert staff["Location"] == reverse("ticket", args=[survivor.pk])
    portal = client_for(duplicate.requester).get(reverse("portal:ticket", args=[duplicate.pk]))
    assert portal.status_code == 302
    assert portal["Location"] == reverse("portal:ticket", args=[survivor.pk])


def test_a_late_promise_on_the_merged_ticket_counts_as_breached(
    agent, survivor, duplicate, time_machine
):
    due = Ticket.objects.get(pk=duplicate.pk).next_update_due
    time_machine.move_to(due + timedelta(minutes=5))

    merge(agent, duplicate, survivor.pk)

    last = Promise.objects.filter(ticket=duplicate).order_by("-closed_at").first()
    assert last.outcome == PromiseOutcome.BREACHED
