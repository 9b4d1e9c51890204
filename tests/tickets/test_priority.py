"""DESIGN rule 1: priority = business impact x urgency, with a logged override that needs a reason."""

import pytest
from django.core.exceptions import ValidationError

from tests.factories import TicketFactory
from tickets import services
from tickets.models import Ticket
from tickets.priority import priority_for
from updates.models import TimelineEntry

# Written out by hand from DESIGN.md, not copied from the code under test.
EXPECTED = {
    (1, 1): 1, (1, 2): 1, (1, 3): 2, (1, 4): 3,
    (2, 1): 1, (2, 2): 2, (2, 3): 2, (2, 4): 3,
    (3, 1): 2, (3, 2): 2, (3, 3): 3, (3, 4): 4,
    (4, 1): 3, (4, 2): 3, (4, 3): 4, (4, 4): 4,
}  # fmt: skip


@pytest.mark.parametrize(("impact", "urgency"), sorted(EXPECTED))
def test_matrix_gives_the_designed_priority(impact, urgency):
    assert priority_for(impact, urgency) == EXPECTED[(impact, urgency)]


@pytest.mark.parametrize(("impact", "urgency"), sorted(EXPECTED))
def test_new_ticket_carries_the_matrix_priority(db, impact, urgency):
    ticket = TicketFactory(impact=impact, urgency=urgency)
    assert Ticket.objects.get(pk=ticket.pk).priority == EXPECTED[(impact, urgency)]


@pytest.mark.parametrize(("impact", "urgency"), [(0, 1), (5, 1), (1, 0), (1, 5), (-1, 2)])
def test_matrix_rejects_values_outside_one_to_four(impact, urgency):
    with pytest.raises(ValueError, match="must be 1-4"):
        priority_for(impact, urgency)


@pytest.mark.parametrize("field", ["impact", "urgency"])
@pytest.mark.parametrize("bad", [0, 5, "2", None, True, 2.0])
def test_intake_rejects_bad_impact_or_urgency_and_writes_nothing(organization, field, bad):
    values = {"impact": 2, "urgency": 2, field: bad}
    with pytest.raises(ValidationError) as error:
        services.create_ticket(
            organization=organization,
            subject="Email down",
            description="",
            created_by=None,
            **values,
        )
    assert field in error.value.message_dict
    assert not Ticket.objects.exists()


def test_changing_impact_recomputes_priority_and_logs_it(agent):
    ticket = TicketFactory(impact=3, urgency=3, owner=agent)
    ticket = services.set_impact_and_urgency(ticket, impact=1, urgency=1, by=agent)
    assert ticket.priority == 1
    event = TimelineEntry.objects.get(ticket=ticket, event="priority_changed")
    assert event.data["old"] == 3
    assert event.data["new"] == 1
    assert event.is_public is False


def test_override_with_reason_sets_priority_and_logs_the_reason(agent):
    ticket = TicketFactory(impact=4, urgency=4, owner=agent)
    ticket = services.override_priority(
        ticket, priority=1, reason="CEO's laptop before the board meeting", by=agent
    )
    ticket.refresh_from_db()
    assert ticket.priority == 1
    assert ticket.priority_override == 1
    event = TimelineEntry.objects.get(ticket=ticket, event="priority_changed")
    assert event.data["reason"] == "CEO's laptop before the board meeting"
    assert event.author == agent


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_override_without_reason_is_refused_and_changes_nothing(agent, reason):
    ticket = TicketFactory(impact=4, urgency=4, owner=agent)
    with pytest.raises(ValidationError) as error:
        services.override_priority(ticket, priority=1, reason=reason, by=agent)
    assert "priority_override_reason" in error.value.message_dict
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.priority_override) == (4, None)
    assert not TimelineEntry.objects.filter(ticket=ticket, event="priority_changed").exists()


def test_clearing_the_override_returns_to_the_matrix(agent):
    ticket = TicketFactory(impact=4, urgency=4, owner=agent)
    services.override_priority(ticket, priority=1, reason="VIP", by=agent)
    ticket = services.override_priority(ticket, priority=None, reason="", by=agent)
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.priority_override, ticket.priority_override_reason) == (
        4,
        None,
        "",
    )


def test_impact_change_keeps_an_override_in_force(agent):
    ticket = TicketFactory(impact=4, urgency=4, owner=agent)
    services.override_priority(ticket, priority=2, reason="Key account", by=agent)
    ticket = services.set_impact_and_urgency(ticket, impact=1, urgency=1, by=agent)
    assert ticket.priority == 2
