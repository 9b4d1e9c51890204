"""Intake, status transitions and ownership (DESIGN rule 2), with bad input refused whole."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from tests.factories import ContactFactory, OrganizationFactory, TicketFactory
from tickets import services
from tickets.models import Status, Ticket
from updates.models import TimelineEntry

NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)  # a Wednesday


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def test_ticket_reference_is_human_and_findable(db):
    ticket = TicketFactory()
    assert ticket.reference == f"SD-{ticket.pk}"
    assert list(Ticket.objects.with_reference(f"sd-{ticket.pk}")) == [ticket]
    assert not Ticket.objects.with_reference("SD-abc").exists()


def test_new_ticket_without_owner_is_new_and_with_owner_is_open(agent):
    assert TicketFactory().status == Status.NEW
    assert TicketFactory(owner=agent).status == Status.OPEN


def test_intake_rejects_a_requester_from_another_organisation(organization):
    stranger = ContactFactory(organization=OrganizationFactory(name="Other Co"))
    with pytest.raises(ValidationError) as error:
        TicketFactory(organization=organization, requester=stranger)
    assert "requester" in error.value.message_dict
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    ("subject", "field"), [("", "subject"), ("   ", "subject"), ("x" * 201, "subject")]
)
def test_intake_rejects_bad_subject(organization, subject, field):
    with pytest.raises(ValidationError) as error:
        TicketFactory(organization=organization, subject=subject)
    assert field in error.value.message_dict
    assert not Ticket.objects.exists()


def test_intake_rejects_a_needed_by_in_the_past(organization):
    with pytest.raises(ValidationError) as error:
        TicketFactory(organization=organization, needed_by=NOW - timedelta(hours=1))
    assert "needed_by" in error.value.message_dict


def test_intake_rejects_a_customer_contact_as_owner(organization, contact):
    with pytest.raises(ValidationError) as error:
        TicketFactory(organization=organization, owner=contact)
    assert "owner" in error.value.message_dict


def test_taking_ownership_of_a_new_ticket_leaves_it_new_until_our_understanding_is_written(agent):
    ticket = services.take_ownership(TicketFactory(), by=agent)
    assert (ticket.owner, ticket.status) == (agent, Status.NEW)
    assert ticket.still_to_triage == ["problem_statement"]
    ticket = services.restate_problem(ticket, problem_statement="Jams on page two.", by=agent)
    assert (ticket.status, ticket.still_to_triage) == (Status.OPEN, [])
    events = list(TimelineEntry.objects.filter(ticket=ticket).values_list("event", flat=True))
    assert events == ["opened", "owner_changed", "problem_restated", "status_changed"]


def test_our_understanding_first_then_ownership_triages_the_ticket(agent):
    ticket = services.restate_problem(TicketFactory(), problem_statement="Jams.", by=agent)
    assert (ticket.status, ticket.still_to_triage) == (Status.NEW, ["owner"])
    ticket = services.take_ownership(ticket, by=agent)
    assert (ticket.owner, ticket.status) == (agent, Status.OPEN)


def test_a_new_ticket_lacks_both_owner_and_understanding(db):
    assert TicketFactory().still_to_triage == ["owner", "problem_statement"]


def test_transfer_without_a_handover_note_is_refused(agent, other_agent):
    ticket = TicketFactory(owner=agent)
    with pytest.raises(ValidationError) as error:
        services.assign_owner(ticket, owner=other_agent, by=agent, handover_note="  ")
    assert "handover_note" in error.value.message_dict
    ticket.refresh_from_db()
    assert ticket.owner == agent


def test_transfer_with_a_note_is_recorded_on_the_timeline(agent, other_agent):
    ticket = TicketFactory(owner=agent)
    services.assign_owner(
        ticket, owner=other_agent, by=agent, handover_note="Customer prefers phone calls."
    )
    ticket.refresh_from_db()
    assert ticket.owner == other_agent
    event = TimelineEntry.objects.get(ticket=ticket, event="owner_changed")
    assert event.body == "Customer prefers phone calls."
    assert event.data["old_name"] == agent.display_name
    assert event.is_public is False


def test_an_inactive_agent_cannot_own_a_ticket(agent, other_agent):
    other_agent.is_active = False
    other_agent.save()
    with pytest.raises(ValidationError):
        services.assign_owner(TicketFactory(), owner=other_agent, by=agent)


def test_staff_changing_status_of_an_unowned_ticket_become_its_owner(agent):
    ticket = services.change_status(TicketFactory(), status=Status.IN_PROGRESS, by=agent)
    assert (ticket.owner, ticket.status) == (agent, Status.IN_PROGRESS)


def test_a_contact_cannot_triage_an_unowned_ticket(contact):
    ticket = TicketFactory(organization=contact.organization, requester=contact)
    with pytest.raises(ValidationError) as error:
        services.change_status(ticket, status=Status.OPEN, by=contact)
    assert "owner" in error.value.message_dict


def test_unknown_status_is_refused(agent):
    with pytest.raises(ValidationError) as error:
        services.change_status(TicketFactory(owner=agent), status="on_fire", by=agent)
    assert "status" in error.value.message_dict


def test_a_closed_ticket_is_final(agent):
    ticket = services.change_status(TicketFactory(owner=agent), status=Status.CLOSED, by=agent)
    for status in (Status.OPEN, Status.RESOLVED, Status.IN_PROGRESS):
        with pytest.raises(ValidationError):
            services.change_status(ticket, status=status, by=agent)
    with pytest.raises(ValidationError) as error:
        services.set_impact_and_urgency(ticket, impact=1, urgency=1, by=agent)
    assert "impact" in error.value.message_dict
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert ticket.closed_at == NOW


def test_a_resolved_ticket_can_be_reopened(agent):
    ticket = services.change_status(TicketFactory(owner=agent), status=Status.RESOLVED, by=agent)
    assert ticket.resolved_at == NOW
    ticket = services.change_status(ticket, status=Status.OPEN, by=agent)
    assert ticket.resolved_at is None


def test_a_ticket_cannot_go_back_to_new(agent):
    with pytest.raises(ValidationError):
        services.change_status(TicketFactory(owner=agent), status=Status.NEW, by=agent)


def test_restating_the_problem_clears_the_customers_confirmation(agent, contact):
    ticket = TicketFactory(organization=contact.organization, requester=contact, owner=agent)
    services.restate_problem(ticket, problem_statement="Outlook prompts hourly.", by=agent)
    ticket = services.confirm_understanding(ticket, by=contact)
    assert ticket.understanding_confirmed_at == NOW
    ticket = services.restate_problem(
        ticket, problem_statement="Outlook and Teams prompt.", by=agent
    )
    assert ticket.understanding_confirmed_at is None


def test_confirming_needs_a_problem_statement(contact):
    ticket = TicketFactory(organization=contact.organization, requester=contact)
    with pytest.raises(ValidationError) as error:
        services.confirm_understanding(ticket, by=contact)
    assert "problem_statement" in error.value.message_dict


def test_update_ticket_is_all_or_nothing(agent, other_agent):
    ticket = TicketFactory(owner=agent, impact=3, urgency=3)
    with pytest.raises(ValidationError) as error:
        services.update_ticket(
            ticket,
            by=agent,
            changes={"impact": 1, "urgency": 1, "owner": other_agent, "handover_note": ""},
        )
    assert "handover_note" in error.value.message_dict
    ticket.refresh_from_db()
    assert (ticket.impact, ticket.priority, ticket.owner) == (3, 3, agent)


def test_update_ticket_refuses_a_stale_edit(agent):
    ticket = TicketFactory(owner=agent)
    seen = ticket.updated_at
    services.set_eta(ticket, eta=NOW + timedelta(days=1), by=agent)
    with pytest.raises(ValidationError) as error:
        services.update_ticket(
            ticket, by=agent, changes={"impact": 1}, expected_updated_at=seen - timedelta(seconds=1)
        )
    assert error.value.error_dict["__all__"][0].code == "conflict"


def test_update_ticket_names_fields_it_does_not_accept(agent):
    with pytest.raises(ValidationError) as error:
        services.update_ticket(TicketFactory(owner=agent), by=agent, changes={"priority": 1})
    assert "priority" in error.value.message_dict
