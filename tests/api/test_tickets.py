from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import ContactFactory, TicketFactory
from tickets import services as ticket_services
from tickets.models import BODY_MAX_LENGTH, Status, Ticket

TICKETS = "/api/v1/tickets/"


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


# Listing and visibility


def test_staff_list_every_ticket_paginated(api_client_for, agent, ticket, other_ticket):
    response = api_client_for(agent).get(TICKETS)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 2
    assert ids(response) == {ticket.pk, other_ticket.pk}


def test_a_contact_lists_only_the_tickets_they_raised(
    api_client_for, organization, contact, ticket, other_ticket
):
    colleague = ContactFactory(organization=organization)
    colleagues_ticket = TicketFactory(organization=organization, requester=colleague)
    response = api_client_for(contact).get(TICKETS)
    assert ids(response) == {ticket.pk}
    assert colleagues_ticket.pk not in ids(response)


def test_an_organisation_admin_contact_lists_all_their_organisations_tickets(
    api_client_for, organization, ticket, other_ticket
):
    admin = ContactFactory(organization=organization, sees_organization_tickets=True)
    response = api_client_for(admin).get(TICKETS)
    assert ids(response) == {ticket.pk}


def test_page_size_is_capped_and_next_links_work(api_client_for, agent, organization):
    for _ in range(3):
        TicketFactory(organization=organization)
    response = api_client_for(agent).get(TICKETS, {"page_size": 2})
    assert len(response.json()["results"]) == 2
    assert "cursor=" in response.json()["next"]
    second = api_client_for(agent).get(response.json()["next"])
    assert len(second.json()["results"]) == 1


def test_the_ticket_list_runs_the_same_number_of_queries_for_1_or_20_tickets(
    api_client_for, agent, organization, django_assert_num_queries
):
    client = api_client_for(agent)
    TicketFactory(organization=organization)
    with CaptureQueriesContext(connection) as one:
        assert client.get(TICKETS).status_code == 200
    for _ in range(19):
        TicketFactory(organization=organization, owner=agent)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(TICKETS)
    assert len(response.json()["results"]) == 20
    # token lookup, count, page
    assert len(one.captured_queries) == 3


# Filters


def test_filters_by_status_owner_organization_and_priority(
    api_client_for, agent, organization, other_organization
):
    p1_owned = TicketFactory(organization=organization, impact=1, urgency=1, owner=agent)
    p4_new = TicketFactory(organization=organization, impact=4, urgency=4)
    elsewhere = TicketFactory(organization=other_organization)
    client = api_client_for(agent)
    assert ids(client.get(TICKETS, {"status": "open"})) == {p1_owned.pk}
    assert ids(client.get(TICKETS, {"status": "new"})) == {p4_new.pk, elsewhere.pk}
    assert ids(client.get(TICKETS, {"owner": agent.pk})) == {p1_owned.pk}
    assert ids(client.get(TICKETS, {"organization": other_organization.pk})) == {elsewhere.pk}
    assert ids(client.get(TICKETS, {"priority": 1})) == {p1_owned.pk}
    assert ids(client.get(TICKETS, {"priority": 4})) == {p4_new.pk}


def test_update_overdue_filter_finds_the_late_promises(api_client_for, agent, organization):
    urgent = TicketFactory(organization=organization, impact=1, urgency=1)  # due in 15 min
    relaxed = TicketFactory(organization=organization, impact=4, urgency=4)  # a business day
    client = api_client_for(agent)
    with time_machine.travel(timezone.now() + timedelta(minutes=20), tick=False):
        assert ids(client.get(TICKETS, {"update_overdue": "true"})) == {urgent.pk}
        assert ids(client.get(TICKETS, {"update_overdue": "false"})) == {relaxed.pk}
        row = client.get(f"{TICKETS}{urgent.pk}/").json()
        assert row["update_overdue"] is True


def test_search_matches_subject_description_and_reference(api_client_for, agent, organization):
    vpn = TicketFactory(organization=organization, subject="VPN drops every hour")
    other = TicketFactory(
        organization=organization, subject="Printer", description="The VPN is fine"
    )
    unrelated = TicketFactory(organization=organization, subject="New laptop")
    client = api_client_for(agent)
    assert ids(client.get(TICKETS, {"search": "vpn"})) == {vpn.pk, other.pk}
    assert ids(client.get(TICKETS, {"search": unrelated.reference})) == {unrelated.pk}


def test_ordering_by_priority(api_client_for, agent, organization):
    low = TicketFactory(organization=organization, impact=4, urgency=4)
    high = TicketFactory(organization=organization, impact=1, urgency=1)
    rows = api_client_for(agent).get(TICKETS, {"ordering": "priority"}).json()["results"]
    assert [row["id"] for row in rows] == [high.pk, low.pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "sleeping"}, "status"),
        ({"owner": "alice"}, "owner"),
        ({"priority": 9}, "priority"),
        ({"organization": "99999999999999999999999"}, "organization"),
    ],
)
def test_bad_filter_values_answer_400_naming_the_filter(api_client_for, agent, params, field):
    response = api_client_for(agent).get(TICKETS, params)
    assert response.status_code == 400
    assert field in response.json()


def test_a_contact_filtering_by_in_progress_also_gets_vendor_waits_shown_as_in_progress(
    api_client_for, agent, contact, ticket
):
    ticket_services.change_status(ticket, status=Status.WAITING_ON_VENDOR, by=agent)
    client = api_client_for(contact)
    rows = client.get(TICKETS, {"status": "in_progress"}).json()["results"]
    assert [(row["id"], row["status"]) for row in rows] == [(ticket.pk, "in_progress")]
    assert client.get(TICKETS, {"status": "waiting_on_vendor"}).json()["count"] == 0


# Reading one ticket


def test_a_contact_sees_a_vendor_wait_as_in_progress_while_staff_see_the_truth(
    api_client_for, agent, contact, ticket
):
    ticket_services.change_status(ticket, status=Status.WAITING_ON_VENDOR, by=agent)
    as_contact = api_client_for(contact).get(f"{TICKETS}{ticket.pk}/").json()
    as_agent = api_client_for(agent).get(f"{TICKETS}{ticket.pk}/").json()
    assert as_contact["status"] == "in_progress"
    assert as_agent["status"] == "waiting_on_vendor"
    assert "waiting_on_vendor" not in str(api_client_for(contact).get(TICKETS).content)


def test_a_contact_does_not_see_the_internal_reason_for_a_priority_override(
    api_client_for, agent, contact, ticket
):
    ticket_services.override_priority(ticket, priority=1, reason="Their CEO is shouting", by=agent)
    body = api_client_for(contact).get(f"{TICKETS}{ticket.pk}/").json()
    assert body["priority"] == 1
    assert "priority_override_reason" not in body
    assert "CEO" not in str(body)


def test_ticket_fields_follow_the_contract(api_client_for, agent, ticket):
    body = api_client_for(agent).get(f"{TICKETS}{ticket.pk}/").json()
    contract = {
        "id",
        "reference",
        "organization",
        "requester",
        "subject",
        "description",
        "status",
        "impact",
        "urgency",
        "priority",
        "owner",
        "next_update_due",
        "eta",
        "needed_by",
        "problem_statement",
        "understanding_confirmed_at",
        "created_at",
        "updated_at",
        "update_overdue",
    }
    assert contract <= set(body)
    assert body["reference"] == f"SD-{ticket.pk}"
    assert body["next_update_due"].endswith(("Z", "+00:00"))


# Creating


def test_staff_create_a_ticket_with_its_priority_and_first_response_promise(
    api_client_for, agent, organization, contact
):
    response = api_client_for(agent).post(
        TICKETS,
        {
            "organization": organization.pk,
            "requester": contact.pk,
            "subject": "Email down for everyone",
            "description": "Since 09:10",
            "impact": 1,
            "urgency": 2,
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    ticket = Ticket.objects.get(pk=body["id"])
    assert body["priority"] == 1  # impact 1 x urgency 2
    assert body["status"] == "new"
    assert body["requester"] == contact.pk
    # P1 first response: 15 minutes, 24x7
    assert ticket.next_update_due - ticket.created_at == timedelta(minutes=15)
    assert body["next_update_due"] is not None


def test_creating_a_ticket_reads_the_support_plan_and_its_cadence_rules_once(
    api_client_for, agent, organization, contact
):
    client = api_client_for(agent)
    data = {"organization": organization.pk, "requester": contact.pk, "subject": "VPN down"}
    with CaptureQueriesContext(connection) as queries:
        response = client.post(TICKETS, {**data, "impact": 2, "urgency": 2}, format="json")

    assert response.status_code == 201
    # The first promise and its reminders both need the cadence: loaded with the organisation.
    rule_reads = [q["sql"] for q in queries if 'FROM "accounts_cadencerule"' in q["sql"]]
    plan_reads = [q["sql"] for q in queries if 'FROM "accounts_supportplan"' in q["sql"]]
    assert len(rule_reads) == 1
    assert plan_reads == []


def test_staff_create_with_an_owner_opens_the_ticket(api_client_for, agent, organization):
    response = api_client_for(agent).post(
        TICKETS,
        {
            "organization": organization.pk,
            "subject": "x",
            "impact": 3,
            "urgency": 3,
            "owner": agent.pk,
        },
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["owner"] == agent.pk
    assert response.json()["status"] == "open"


def test_a_contact_creates_a_ticket_for_their_own_organisation(
    api_client_for, contact, organization
):
    response = api_client_for(contact).post(
        TICKETS,
        {"subject": "New starter laptop", "description": "Monday", "impact": 4, "urgency": 3},
        format="json",
    )
    assert response.status_code == 201
    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert ticket.organization == organization
    assert ticket.requester == contact
    assert ticket.created_by == contact
    assert response.json()["priority"] == 4
    assert response.json()["next_update_due"] is not None


def test_a_contact_cannot_raise_a_ticket_for_another_organisation(
    api_client_for, contact, other_organization
):
    response = api_client_for(contact).post(
        TICKETS,
        {"organization": other_organization.pk, "subject": "x", "impact": 3, "urgency": 3},
        format="json",
    )
    assert response.status_code == 400
    assert "organization" in response.json()
    assert not Ticket.objects.exists()


def test_a_contact_cannot_name_someone_else_as_requester_or_choose_an_owner(
    api_client_for, contact, organization, agent
):
    colleague = ContactFactory(organization=organization)
    client = api_client_for(contact)
    base = {"subject": "x", "impact": 3, "urgency": 3}
    response = client.post(TICKETS, {**base, "requester": colleague.pk}, format="json")
    assert response.status_code == 400
    assert "requester" in response.json()
    response = client.post(TICKETS, {**base, "owner": agent.pk}, format="json")
    assert response.status_code == 400
    assert "owner" in response.json()
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"organization": None}, "organization"),
        ({"subject": "s" * 201}, "subject"),
        ({"subject": "   "}, "subject"),
        ({"description": "d" * (BODY_MAX_LENGTH + 1)}, "description"),
        ({"impact": 5}, "impact"),
        ({"urgency": 0}, "urgency"),
        ({"impact": "1"}, "impact"),
        ({"urgency": True}, "urgency"),
        ({"needed_by": "2020-01-01T10:00:00+00:00"}, "needed_by"),
        ({"needed_by": "2030-01-01T10:00:00"}, "needed_by"),
        ({"requester": 999999}, "requester"),
        ({"owner": -1}, "owner"),
        ({"colour": "red"}, "colour"),
        ({"priority": 1}, "priority"),
    ],
)
def test_bad_ticket_fields_answer_400_naming_the_field_and_write_nothing(
    api_client_for, agent, organization, change, field
):
    payload = {
        "organization": organization.pk,
        "subject": "VPN",
        "description": "",
        "impact": 3,
        "urgency": 3,
        **change,
    }
    payload = {key: value for key, value in payload.items() if value is not None}
    response = api_client_for(agent).post(TICKETS, payload, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert not Ticket.objects.exists()


def test_a_staff_member_cannot_be_the_requester(api_client_for, agent, organization, other_agent):
    response = api_client_for(agent).post(
        TICKETS,
        {
            "organization": organization.pk,
            "subject": "x",
            "impact": 3,
            "urgency": 3,
            "requester": other_agent.pk,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "requester" in response.json()


# Changing


def url(ticket) -> str:
    return f"{TICKETS}{ticket.pk}/"


def test_staff_patch_returns_the_whole_ticket_and_recomputes_priority(
    api_client_for, agent, ticket
):
    response = api_client_for(agent).patch(url(ticket), {"impact": 1, "urgency": 1}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["priority"] == 1
    assert body["subject"] == ticket.subject
    assert "next_update_due" in body
    assert "reference" in body


def test_a_priority_override_needs_a_reason(api_client_for, agent, ticket):
    client = api_client_for(agent)
    refused = client.patch(url(ticket), {"priority_override": 1}, format="json")
    assert refused.status_code == 400
    assert "priority_override_reason" in refused.json()
    accepted = client.patch(
        url(ticket),
        {"priority_override": 1, "priority_override_reason": "Board meeting at 10"},
        format="json",
    )
    assert accepted.status_code == 200
    assert accepted.json()["priority"] == 1
    cleared = client.patch(url(ticket), {"priority_override": None}, format="json")
    assert cleared.json()["priority"] == 3


def test_handing_over_an_owned_ticket_needs_a_handover_note(
    api_client_for, agent, other_agent, ticket
):
    client = api_client_for(agent)
    assert client.patch(url(ticket), {"owner": agent.pk}, format="json").status_code == 200
    refused = client.patch(url(ticket), {"owner": other_agent.pk}, format="json")
    assert refused.status_code == 400
    assert "handover_note" in refused.json()
    ticket.refresh_from_db()
    assert ticket.owner == agent

    accepted = client.patch(
        url(ticket), {"owner": other_agent.pk, "handover_note": "Call her after 2pm"}, format="json"
    )
    assert accepted.status_code == 200
    assert accepted.json()["owner"] == other_agent.pk


def test_a_contact_cannot_be_made_owner(api_client_for, agent, contact, ticket):
    response = api_client_for(agent).patch(url(ticket), {"owner": contact.pk}, format="json")
    assert response.status_code == 400
    assert "owner" in response.json()


def test_waiting_on_customer_pauses_the_promise_and_leaving_it_starts_a_new_one(
    api_client_for, agent, ticket
):
    client = api_client_for(agent)
    paused = client.patch(url(ticket), {"status": "waiting_on_customer"}, format="json").json()
    assert paused["next_update_due"] is None
    assert paused["update_overdue"] is False
    assert paused["owner"] == agent.pk  # acting on an unowned ticket takes it

    resumed = client.patch(url(ticket), {"status": "in_progress"}, format="json").json()
    assert resumed["next_update_due"] is not None


def test_waiting_on_vendor_keeps_the_promise(api_client_for, agent, ticket):
    before = ticket.next_update_due
    body = (
        api_client_for(agent)
        .patch(url(ticket), {"status": "waiting_on_vendor"}, format="json")
        .json()
    )
    assert body["next_update_due"] is not None
    assert body["next_update_due"] == before.isoformat().replace("+00:00", "Z")


def test_restating_the_problem_clears_the_customers_confirmation(
    api_client_for, agent, contact, ticket
):
    staff = api_client_for(agent)
    staff.patch(url(ticket), {"problem_statement": "Printer on floor 2 jams"}, format="json")
    api_client_for(contact).post(f"{url(ticket)}confirm-understanding/")
    ticket.refresh_from_db()
    assert ticket.understanding_confirmed_at is not None
    body = staff.patch(url(ticket), {"problem_statement": "All printers jam"}, format="json").json()
    assert body["understanding_confirmed_at"] is None


def test_a_patch_is_all_or_nothing(api_client_for, agent, contact, ticket):
    # The impact change is applied first, then the owner is refused: both must roll back.
    response = api_client_for(agent).patch(
        url(ticket), {"impact": 1, "urgency": 1, "owner": contact.pk}, format="json"
    )
    assert response.status_code == 400
    assert "owner" in response.json()
    ticket.refresh_from_db()
    assert (ticket.impact, ticket.priority) == (3, 3)


def test_an_eta_in_the_past_is_refused(api_client_for, agent, ticket):
    response = api_client_for(agent).patch(
        url(ticket), {"eta": "2001-01-01T00:00:00Z"}, format="json"
    )
    assert response.status_code == 400
    assert "eta" in response.json()


@pytest.mark.parametrize(
    "change",
    [{"subject": "new"}, {"priority": 1}, {"reference": "SD-1"}, {"stauts": "open"}],
)
def test_fields_that_cannot_be_patched_are_named_in_a_400(api_client_for, agent, ticket, change):
    response = api_client_for(agent).patch(url(ticket), change, format="json")
    assert response.status_code == 400
    assert set(change) <= set(response.json())


def test_a_contacts_patch_answers_403_and_changes_nothing(api_client_for, contact, ticket):
    response = api_client_for(contact).patch(url(ticket), {"impact": 1}, format="json")
    assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.impact == 3


def test_put_and_delete_are_not_allowed(api_client_for, manager, ticket):
    client = api_client_for(manager)
    assert client.put(url(ticket), {}, format="json").status_code == 405
    assert client.delete(url(ticket)).status_code == 405
    assert Ticket.objects.filter(pk=ticket.pk).exists()
