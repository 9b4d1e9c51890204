"""One incident update reaches every linked open ticket as that ticket's own public update: the
pending promise kept or breached, the next one made, one email to that ticket's requester; a
crash in the middle resumes without doubles."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from incidents import fanout
from incidents import services as incident_services
from incidents.models import DeliveryState, IncidentDelivery
from tests.updates.keeper_support import make_ticket
from tickets import services as ticket_services
from tickets.models import Status
from updates import services as update_services
from updates.models import EntryKind, OutboxKind, OutboxMessage, Promise, PromiseOutcome

from .conftest import OPENED, run_fan_out

BODY = "Email is delayed for several customers; we are rerouting it now."


def public_updates(ticket) -> list:
    return list(ticket.timeline.filter(kind=EntryKind.PUBLIC_UPDATE).order_by("pk"))


def update_emails(ticket) -> list:
    return list(OutboxMessage.objects.filter(ticket=ticket, kind=OutboxKind.CUSTOMER_UPDATE))


@pytest.mark.django_db
def test_an_update_becomes_each_tickets_public_update_keeping_its_promise(agent, tickets):
    with time_machine.travel(OPENED, tick=False):
        incident = incident_services.create_incident(by=agent, title="Relay down")
        for ticket in tickets:
            incident_services.link_ticket(incident, ticket, by=agent)
    promised = OPENED + timedelta(hours=1, minutes=30)
    with time_machine.travel(OPENED + timedelta(minutes=30), tick=False):
        _, count = incident_services.post_incident_update(
            incident, by=agent, body=BODY, next_update_due=promised
        )
        assert count == 3
        assert run_fan_out() == 3

    for ticket in tickets:
        ticket.refresh_from_db()
        [update] = public_updates(ticket)
        assert update.body == BODY
        assert ticket.next_update_due == promised
        first = Promise.objects.get(ticket=ticket, is_first_response=True)
        assert first.outcome == PromiseOutcome.KEPT  # due 10:00, answered 09:30
        assert len(update_emails(ticket)) == 1
        assert update_emails(ticket)[0].recipient == ticket.requester
    incident.refresh_from_db()
    assert incident.next_update_due == promised
    assert set(IncidentDelivery.objects.values_list("state", flat=True)) == {DeliveryState.POSTED}


@pytest.mark.django_db
def test_without_a_time_each_ticket_gets_its_own_cadence_and_late_answers_breach(
    agent, organization, tickets
):
    with time_machine.travel(OPENED, tick=False):
        incident = incident_services.create_incident(by=agent, title="Relay down")
        for ticket in tickets:
            incident_services.link_ticket(incident, ticket, by=agent)
    late = OPENED + timedelta(hours=2)  # the P2 first response was due at 10:00
    with time_machine.travel(late, tick=False):
        incident_services.post_incident_update(incident, by=agent, body=BODY)
        run_fan_out()
    for ticket in tickets:
        ticket.refresh_from_db()
        assert Promise.objects.get(ticket=ticket, is_first_response=True).outcome == (
            PromiseOutcome.BREACHED
        )
        assert ticket.next_update_due == late + timedelta(hours=2)  # P2: every 2 hours
    incident.refresh_from_db()
    assert incident.next_update_due == late + timedelta(hours=2)


@pytest.mark.django_db
def test_a_ticket_waiting_on_the_customer_gets_the_update_and_stays_paused(
    agent, incident, tickets
):
    waiting = ticket_services.change_status(tickets[0], status=Status.WAITING_ON_CUSTOMER, by=agent)
    incident_services.post_incident_update(
        incident, by=agent, body=BODY, next_update_due=timezone.now() + timedelta(days=1)
    )
    run_fan_out()
    waiting.refresh_from_db()
    assert [u.body for u in public_updates(waiting)] == [BODY]
    assert waiting.status == Status.WAITING_ON_CUSTOMER
    assert waiting.next_update_due is None


@pytest.mark.django_db
def test_resolved_tickets_are_skipped_and_not_counted(agent, incident, tickets):
    update_services.post_public_update(
        tickets[2], author=agent, body="Fixed for you.", status=Status.RESOLVED
    )
    _, count = incident_services.post_incident_update(incident, by=agent, body=BODY)
    assert count == 2
    run_fan_out()
    assert [u.body for u in public_updates(tickets[2])] == ["Fixed for you."]


@pytest.mark.django_db
def test_a_crash_mid_fan_out_resumes_without_doubles(agent, incident, tickets, monkeypatch):
    incident_services.post_incident_update(incident, by=agent, body=BODY)
    real_post = update_services.post_public_update
    calls = {"n": 0}

    def crash_on_second(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker lost")
        return real_post(*args, **kwargs)

    monkeypatch.setattr(update_services, "post_public_update", crash_on_second)
    with pytest.raises(RuntimeError):
        run_fan_out()
    assert IncidentDelivery.objects.filter(state=DeliveryState.PENDING).count() == 2

    monkeypatch.setattr(update_services, "post_public_update", real_post)
    assert run_fan_out() == 2
    assert run_fan_out() == 0  # a redelivered task finds nothing left to do
    for ticket in tickets:
        assert [u.body for u in public_updates(ticket)] == [BODY]
        assert len(update_emails(ticket)) == 1


@pytest.mark.django_db
def test_a_delivery_already_posted_is_never_posted_again(agent, incident, tickets):
    incident_services.post_incident_update(incident, by=agent, body=BODY)
    ids = list(IncidentDelivery.objects.values_list("pk", flat=True))
    assert fanout.deliver_chunk(ids) == 3
    assert fanout.deliver_chunk(ids) == 0
    assert sum(len(public_updates(t)) for t in tickets) == 3


@pytest.mark.django_db
def test_linking_late_sends_the_latest_update_at_once(agent, organization, incident, contact):
    incident_services.post_incident_update(incident, by=agent, body="Older news.")
    run_fan_out()
    incident_services.post_incident_update(
        incident, by=agent, body=BODY, next_update_due=timezone.now() + timedelta(hours=1)
    )
    run_fan_out()
    late = make_ticket(organization=organization, priority=2, requester=contact)
    incident_services.link_ticket(incident, late, by=agent)
    late.refresh_from_db()
    assert [u.body for u in public_updates(late)] == [BODY]
    assert len(update_emails(late)) == 1
    assert late.next_update_due is not None


@pytest.mark.django_db
def test_an_unlinked_ticket_gets_no_further_updates_and_stays_open_on_resolve(
    agent, incident, tickets
):
    incident_services.unlink_ticket(incident, tickets[0].pk, by=agent)
    incident_services.post_incident_update(incident, by=agent, body=BODY)
    run_fan_out()
    incident_services.resolve_incident(incident, by=agent, resolution="Mail flows again.")
    run_fan_out()
    tickets[0].refresh_from_db()
    assert public_updates(tickets[0]) == []
    assert tickets[0].status not in (Status.RESOLVED, Status.CLOSED)


@pytest.mark.django_db
def test_unlinking_during_a_fan_out_skips_that_ticket(agent, incident, tickets):
    incident_services.post_incident_update(incident, by=agent, body=BODY)
    incident_services.unlink_ticket(incident, tickets[1].pk, by=agent)
    assert run_fan_out() == 2
    assert public_updates(tickets[1]) == []
    skipped = IncidentDelivery.objects.get(ticket=tickets[1])
    assert skipped.state == DeliveryState.SKIPPED


@pytest.mark.django_db
def test_resolving_resolves_every_linked_open_ticket_with_the_text(agent, incident, tickets):
    incident_services.resolve_incident(incident, by=agent, resolution="Mail flows again.")
    run_fan_out()
    for ticket in tickets:
        ticket.refresh_from_db()
        assert ticket.status == Status.RESOLVED
        assert ticket.next_update_due is None
        [update] = public_updates(ticket)
        assert update.body == "Mail flows again."
        [email] = OutboxMessage.objects.filter(ticket=ticket).exclude(
            kind=OutboxKind.CUSTOMER_ACKNOWLEDGEMENT
        )
        assert email.kind == OutboxKind.CUSTOMER_RESOLUTION
    incident.refresh_from_db()
    assert incident.is_resolved
    assert incident.next_update_due is None


@pytest.mark.django_db
def test_resolving_with_open_tickets_needs_the_resolution_and_changes_nothing(
    agent, incident, tickets
):
    with pytest.raises(ValidationError) as refused:
        incident_services.resolve_incident(incident, by=agent, resolution="  ")
    assert "resolution" in refused.value.message_dict
    incident.refresh_from_db()
    assert not incident.is_resolved
    assert not IncidentDelivery.objects.exists()


@pytest.mark.django_db
def test_a_resolved_incident_takes_no_more_updates_links_or_changes(agent, incident, organization):
    incident_services.resolve_incident(incident, by=agent, resolution="Mail flows again.")
    fresh = make_ticket(organization=organization, priority=3)
    with pytest.raises(ValidationError, match="resolved"):
        incident_services.post_incident_update(incident, by=agent, body=BODY)
    with pytest.raises(ValidationError, match="resolved"):
        incident_services.link_ticket(incident, fresh, by=agent)
    with pytest.raises(ValidationError, match="resolved"):
        incident_services.change_incident(incident, by=agent, status="monitoring")


@pytest.mark.django_db
def test_resolving_frees_tickets_for_another_incident(agent, incident, tickets):
    """The link's `incident_open` follows the incident: the one-open-incident rule is the DB's."""
    update_services.post_public_update(
        tickets[0], author=agent, body="Back to you.", status=Status.WAITING_ON_CUSTOMER
    )
    incident_services.unlink_ticket(incident, tickets[0].pk, by=agent)
    second = incident_services.create_incident(by=agent, title="Second")
    incident_services.link_ticket(second, tickets[0], by=agent)
    with pytest.raises(ValidationError) as refused:
        incident_services.link_ticket(incident, tickets[0], by=agent)
    assert "ticket" in refused.value.message_dict
