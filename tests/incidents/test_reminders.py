"""The promise keeper knows the incident: the incident's own next update time reminds its
commander before it is due and the commander and the managers when it is late, through the
keeper's outbox (the real sweep and delivery, at time-machine's clock): once per stage, never
doubled. A linked ticket's own alerts give way to the incident's when its update is due first,
and otherwise name the incident."""

from datetime import timedelta

import pytest
import time_machine

from incidents import services as incident_services
from incidents.models import Incident
from tests.factories import ManagerFactory
from tests.updates.keeper_support import deliver, smtp_server, smtp_settings, sweep_at
from updates.models import (
    AlertStage,
    AlertStatus,
    Notification,
    OutboxChannel,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
    PromiseAlert,
)

from .conftest import OPENED, run_fan_out

__all__ = ["smtp_server", "smtp_settings"]

BODY = "We are rerouting email through the second relay."


def incident_messages(kind: str) -> set[tuple[str, str]]:
    return set(OutboxMessage.objects.filter(kind=kind).values_list("recipient__email", "channel"))


def both(*emails: str) -> set[tuple[str, str]]:
    return {(email, channel) for email in emails for channel in OutboxChannel.values}


@pytest.mark.django_db
def test_the_commander_hears_before_the_incident_update_is_due_and_managers_when_it_is_late(
    agent, manager, incident, smtp_settings
):
    ManagerFactory(email="gone@msp.test", is_active=False)
    with time_machine.travel(OPENED + timedelta(minutes=1), tick=False) as traveller:
        incident_services.post_incident_update(
            incident, by=agent, body=BODY, next_update_due=OPENED + timedelta(minutes=60)
        )
        run_fan_out()
        sweep_at(traveller, OPENED + timedelta(minutes=49))
        assert not incident_messages(OutboxKind.INCIDENT_DUE_SOON)

        # Ten minutes before: the commander alone, in the bell and by email, once.
        for _ in range(2):
            sweep_at(traveller, OPENED + timedelta(minutes=50))
        assert incident_messages(OutboxKind.INCIDENT_DUE_SOON) == both(agent.email)
        due_soon = list(
            OutboxMessage.objects.filter(kind=OutboxKind.INCIDENT_DUE_SOON).values_list(
                "pk", flat=True
            )
        )
        assert deliver(due_soon).sent == 2
        [email] = smtp_settings.to(agent.email)
        assert email["Subject"].startswith(f"[{incident.reference}] Incident update due by 10:00")
        text = email.get_body(("plain",)).get_content()
        assert f"/incidents/{incident.pk}/" in text
        assert "10 min left" in text
        [bell] = Notification.objects.filter(recipient=agent, kind=OutboxKind.INCIDENT_DUE_SOON)
        assert bell.ticket_id is None
        assert bell.label == incident.reference
        assert bell.link == f"/incidents/{incident.pk}/"

        # At the deadline: the commander and the active managers, once however often swept.
        for _ in range(2):
            sweep_at(traveller, OPENED + timedelta(minutes=60))
        assert incident_messages(OutboxKind.INCIDENT_BREACHED) == both(agent.email, manager.email)
        breached = list(
            OutboxMessage.objects.filter(kind=OutboxKind.INCIDENT_BREACHED).values_list(
                "pk", flat=True
            )
        )
        assert deliver(breached).sent == 4
        assert deliver(breached).sent == 0
        [late] = smtp_settings.to(manager.email)
        assert "Incident update late" in late["Subject"]
        sweep_at(traveller, OPENED + timedelta(minutes=200))
    assert OutboxMessage.objects.filter(ticket__isnull=True).count() == 6
    incident.refresh_from_db()
    assert incident.reminder_due_at is None


@pytest.mark.django_db
def test_a_new_update_moves_the_reminders_and_a_reminder_of_the_old_time_is_dropped(
    agent, incident
):
    with time_machine.travel(OPENED, tick=False) as traveller:
        incident_services.post_incident_update(
            incident, by=agent, body=BODY, next_update_due=OPENED + timedelta(minutes=60)
        )
        sweep_at(traveller, OPENED + timedelta(minutes=50))
        old = list(OutboxMessage.objects.filter(ticket__isnull=True).values_list("pk", flat=True))
        assert len(old) == 2
        # The update comes before delivery: the queued reminder is no longer true.
        incident_services.post_incident_update(
            incident, by=agent, body=BODY, next_update_due=OPENED + timedelta(minutes=120)
        )
        assert deliver(old).skipped == 2
        sweep_at(traveller, OPENED + timedelta(minutes=100))
        assert OutboxMessage.objects.filter(ticket__isnull=True).count() == 2
        sweep_at(traveller, OPENED + timedelta(minutes=110))
    assert OutboxMessage.objects.filter(ticket__isnull=True).count() == 4
    assert not Notification.objects.filter(ticket__isnull=True).exists()


@pytest.mark.django_db
def test_resolving_the_incident_stops_its_reminders(agent, incident):
    with time_machine.travel(OPENED, tick=False) as traveller:
        incident_services.post_incident_update(
            incident, by=agent, body=BODY, next_update_due=OPENED + timedelta(minutes=60)
        )
        incident_services.resolve_incident(incident, by=agent, resolution="Mail flows again.")
        sweep_at(traveller, OPENED + timedelta(minutes=90))
    assert not OutboxMessage.objects.filter(ticket__isnull=True).exists()
    assert Incident.objects.get().reminder_due_at is None


@pytest.mark.django_db
def test_linked_tickets_alerts_give_way_to_the_incident_when_its_update_is_due_first(
    agent, manager, incident, tickets
):
    """The P2 tickets' promises were made at 09:00 (due-soon alerts at 09:30, deadline 10:00).
    The incident's update is due at 09:45: the owners are not asked; the commander is."""
    with time_machine.travel(OPENED, tick=False) as traveller:
        Incident.objects.filter(pk=incident.pk).update(
            next_update_due=OPENED + timedelta(minutes=45)
        )
        sweep_at(traveller, OPENED + timedelta(minutes=30))
    assert set(
        PromiseAlert.objects.filter(ticket__in=tickets, stage=AlertStage.DUE_SOON).values_list(
            "status", flat=True
        )
    ) == {AlertStatus.SKIPPED}
    assert not OutboxMessage.objects.filter(kind=OutboxKind.DUE_SOON).exists()


@pytest.mark.django_db
def test_a_linked_ticket_promised_before_the_incident_update_is_reminded_naming_the_incident(
    agent, manager, incident, tickets, smtp_settings
):
    """The incident has no next update time yet: each ticket's own reminder still goes out (to
    the managers: nobody owns these tickets) and says which incident it is in."""
    with time_machine.travel(OPENED, tick=False) as traveller:
        sweep_at(traveller, OPENED + timedelta(minutes=30))
        ids = list(
            OutboxMessage.objects.filter(kind=OutboxKind.DUE_SOON).values_list("pk", flat=True)
        )
        assert len(ids) == 6  # three tickets, one manager, two channels
        assert deliver(ids).sent == 6
    for bell in Notification.objects.filter(kind=OutboxKind.DUE_SOON):
        assert f"major incident {incident.reference}" in bell.message
    for email in smtp_settings.to(manager.email):
        text = email.get_body(("plain",)).get_content()
        assert f"major incident {incident.reference}" in text
        assert f"/incidents/{incident.pk}/" in text
    assert set(OutboxMessage.objects.values_list("status", flat=True)) >= {OutboxStatus.SENT}
