"""DESIGN rule 6: each promise's reminders fire at the right moment for its priority, not before;
keeping, moving, pausing or closing the promise cancels what has not fired."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, transaction

from tickets import services as ticket_services
from updates import services as update_services
from updates.keeper.alerts import alert_times
from updates.models import AlertStage, AlertStatus, OutboxMessage, PromiseAlert
from updates.promises import pending_promise

from .keeper_support import ONE_SECOND, alert, fired_stages, make_ticket, sweep_at

LONDON = ZoneInfo("Europe/London")


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


# (priority, opened, due soon, deadline, still breached); March 2026, Monday 2nd to Friday 6th.
TIMELINES = [
    pytest.param(1, london(2026, 3, 2, 9), london(2026, 3, 2, 9, 5), london(2026, 3, 2, 9, 15),
                 london(2026, 3, 2, 9, 25), id="P1-24x7"),
    pytest.param(1, london(2026, 3, 7, 23, 55), london(2026, 3, 8, 0, 0), london(2026, 3, 8, 0, 10),
                 london(2026, 3, 8, 0, 20), id="P1-saturday-night"),
    pytest.param(2, london(2026, 3, 2, 9), london(2026, 3, 2, 9, 30), london(2026, 3, 2, 10),
                 london(2026, 3, 2, 10, 30), id="P2-24x7"),
    pytest.param(3, london(2026, 3, 2, 9), london(2026, 3, 2, 11), london(2026, 3, 2, 13),
                 london(2026, 3, 2, 15), id="P3-same-day"),
    pytest.param(3, london(2026, 3, 6, 17), london(2026, 3, 9, 9), london(2026, 3, 9, 11),
                 london(2026, 3, 9, 13), id="P3-over-the-weekend"),
    pytest.param(4, london(2026, 3, 2, 9), london(2026, 3, 2, 15), london(2026, 3, 3, 9),
                 london(2026, 3, 3, 13), id="P4-overnight"),
]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(("priority", "opened", "due_soon", "deadline", "still"), TIMELINES)
def test_each_stage_fires_at_its_moment_and_not_a_second_before(
    organization, agent, manager, priority, opened, due_soon, deadline, still
):
    with time_machine.travel(opened, tick=False) as traveller:
        ticket = make_ticket(organization=organization, priority=priority, owner=agent)
        assert ticket.next_update_due == deadline
        assert alert(ticket, AlertStage.DUE_SOON).due_at == due_soon
        assert alert(ticket, AlertStage.BREACHED).due_at == deadline
        assert alert(ticket, AlertStage.STILL_BREACHED).due_at == still

        expected: set[str] = set()
        for stage, moment in [
            (AlertStage.DUE_SOON, due_soon),
            (AlertStage.BREACHED, deadline),
            (AlertStage.STILL_BREACHED, still),
        ]:
            sweep_at(traveller, moment - ONE_SECOND)
            assert fired_stages(ticket) == expected, f"{stage} fired early"
            sweep_at(traveller, moment)
            expected.add(stage)
            assert fired_stages(ticket) == expected, f"{stage} did not fire on time"


@pytest.mark.django_db
def test_business_hours_reminder_never_fires_overnight_or_at_the_weekend(organization, agent):
    with time_machine.travel(london(2026, 3, 6, 17), tick=False) as traveller:
        ticket = make_ticket(organization=organization, priority=3, owner=agent)
        for moment in [london(2026, 3, 6, 18), london(2026, 3, 7, 12), london(2026, 3, 9, 8, 59)]:
            sweep_at(traveller, moment)
            assert fired_stages(ticket) == set()


@pytest.mark.django_db
def test_short_promise_is_reminded_halfway_between_making_it_and_its_deadline(organization, agent):
    with time_machine.travel(london(2026, 3, 2, 9), tick=False) as traveller:
        ticket = make_ticket(organization=organization, priority=1, owner=agent)
        traveller.move_to(london(2026, 3, 2, 9, 2))
        update_services.post_public_update(
            ticket,
            author=agent,
            body="We are restarting the licence service now.",
            next_update_due=london(2026, 3, 2, 9, 8),
        )
        # Six minutes is less than the ten-minute P1 lead: remind at the halfway point.
        assert alert(ticket, AlertStage.DUE_SOON).due_at == london(2026, 3, 2, 9, 5)
        sweep_at(traveller, london(2026, 3, 2, 9, 4, 59))
        assert fired_stages(ticket) == set()
        sweep_at(traveller, london(2026, 3, 2, 9, 5))
        assert fired_stages(ticket) == {AlertStage.DUE_SOON}


@pytest.mark.django_db
def test_short_business_hours_promise_is_halved_in_business_time(organization, agent):
    with time_machine.travel(london(2026, 3, 6, 16), tick=False) as traveller:
        ticket = make_ticket(organization=organization, priority=3, owner=agent)
        traveller.move_to(london(2026, 3, 6, 17, 30))
        update_services.post_public_update(
            ticket,
            author=agent,
            body="The new laptop image is copying; we will check it first thing Monday.",
            next_update_due=london(2026, 3, 9, 9),
        )
        # 1.5 business hours (30 min Friday, 60 min Monday) halve to 45 min: Monday 08:15.
        assert alert(ticket, AlertStage.DUE_SOON).due_at == london(2026, 3, 9, 8, 15)


@pytest.mark.django_db
def test_alert_times_follow_the_support_plan_lead(organization):
    with time_machine.travel(london(2026, 3, 2, 9), tick=False):
        ticket = make_ticket(organization=organization, priority=2)
    rule = organization.support_plan.cadence_rules.get(priority=2)
    rule.reminder_lead_minutes = 45
    rule.save()
    organization.refresh_from_db()
    ticket.organization = organization
    times = alert_times(
        ticket, made_at=london(2026, 3, 2, 9), due_at=london(2026, 3, 2, 11), priority=2
    )
    assert times[AlertStage.DUE_SOON] == london(2026, 3, 2, 10, 15)
    assert times[AlertStage.STILL_BREACHED] == london(2026, 3, 2, 11, 45)


@pytest.mark.django_db
def test_each_stage_exists_once_per_promise(organization, agent):
    with time_machine.travel(london(2026, 3, 2, 9), tick=False):
        ticket = make_ticket(organization=organization, priority=2, owner=agent)
    promise = pending_promise(ticket)
    assert promise.alerts.count() == 3
    with pytest.raises(IntegrityError), transaction.atomic():
        PromiseAlert.objects.create(
            promise=promise, ticket=ticket, stage=AlertStage.BREACHED, due_at=promise.due_at
        )


@pytest.mark.django_db
def test_keeping_the_promise_cancels_its_alerts_and_the_next_promise_gets_fresh_ones(
    organization, agent
):
    with time_machine.travel(london(2026, 3, 2, 9), tick=False) as traveller:
        ticket = make_ticket(organization=organization, priority=2, owner=agent)
        first = pending_promise(ticket)
        traveller.move_to(london(2026, 3, 2, 9, 20))
        update_services.post_public_update(ticket, author=agent, body="Found it; fixing now.")

        assert set(first.alerts.values_list("status", flat=True)) == {AlertStatus.CANCELLED}
        second = pending_promise(ticket)
        assert second.due_at == london(2026, 3, 2, 11, 20)
        assert set(second.alerts.values_list("status", flat=True)) == {AlertStatus.PENDING}

        # The first promise's moments pass silently; the second's due-soon still fires.
        sweep_at(traveller, london(2026, 3, 2, 10, 31))
        assert fired_stages(ticket) == set()
        sweep_at(traveller, london(2026, 3, 2, 10, 50))
        assert fired_stages(ticket) == {AlertStage.DUE_SOON}
        assert set(first.alerts.values_list("status", flat=True)) == {AlertStatus.CANCELLED}


@pytest.mark.django_db
def test_moving_the_promise_earlier_by_a_priority_change_cancels_the_slower_alerts(
    organization, agent
):
    with time_machine.travel(london(2026, 3, 2, 9), tick=False) as traveller:
        ticket = make_ticket(organization=organization, priority=3, owner=agent)
        slow = pending_promise(ticket)
        traveller.move_to(london(2026, 3, 2, 9, 10))
        ticket_services.set_impact_and_urgency(ticket, impact=1, urgency=1, by=agent)

        assert set(slow.alerts.values_list("status", flat=True)) == {AlertStatus.CANCELLED}
        assert alert(ticket, AlertStage.DUE_SOON).due_at == london(2026, 3, 2, 9, 15)
        sweep_at(traveller, london(2026, 3, 2, 9, 15))
        sweep_at(traveller, london(2026, 3, 2, 9, 25))
        assert fired_stages(ticket) == {AlertStage.DUE_SOON, AlertStage.BREACHED}


@pytest.mark.django_db
def test_waiting_on_customer_pauses_the_alerts_and_the_reply_starts_new_ones(
    organization, agent, contact
):
    with time_machine.travel(london(2026, 3, 2, 9), tick=False) as traveller:
        ticket = make_ticket(organization=organization, priority=2, owner=agent, requester=contact)
        traveller.move_to(london(2026, 3, 2, 9, 10))
        update_services.post_public_update(
            ticket,
            author=agent,
            body="Could you tell us which printer tray you use?",
            status="waiting_on_customer",
        )
        assert not PromiseAlert.objects.filter(ticket=ticket, status=AlertStatus.PENDING).exists()

        # Hours pass while the ball is with the customer: nothing fires.
        sweep_at(traveller, london(2026, 3, 2, 15))
        assert fired_stages(ticket) == set()

        traveller.move_to(london(2026, 3, 2, 15, 30))
        update_services.post_customer_reply(ticket, author=contact, body="Tray 2.")
        resumed = pending_promise(ticket)
        assert resumed.due_at == london(2026, 3, 2, 17, 30)
        assert alert(ticket, AlertStage.DUE_SOON).due_at == london(2026, 3, 2, 17)
        sweep_at(traveller, london(2026, 3, 2, 17))
        assert fired_stages(ticket) == {AlertStage.DUE_SOON}


@pytest.mark.django_db
def test_waiting_on_vendor_does_not_pause_the_alerts(organization, agent):
    with time_machine.travel(london(2026, 3, 2, 9), tick=False) as traveller:
        ticket = make_ticket(organization=organization, priority=2, owner=agent)
        ticket_services.change_status(ticket, status="waiting_on_vendor", by=agent)
        sweep_at(traveller, london(2026, 3, 2, 9, 30))
        sweep_at(traveller, london(2026, 3, 2, 10))
        assert fired_stages(ticket) == {AlertStage.DUE_SOON, AlertStage.BREACHED}


@pytest.mark.django_db
def test_resolving_cancels_every_unsent_alert_but_keeps_what_already_fired(organization, agent):
    with time_machine.travel(london(2026, 3, 2, 9), tick=False) as traveller:
        ticket = make_ticket(organization=organization, priority=2, owner=agent)
        sweep_at(traveller, london(2026, 3, 2, 9, 30))
        traveller.move_to(london(2026, 3, 2, 9, 40))
        update_services.post_public_update(
            ticket, author=agent, body="Fixed: the sensor works again.", status="resolved"
        )
        statuses = dict(PromiseAlert.objects.filter(ticket=ticket).values_list("stage", "status"))
        assert statuses == {
            AlertStage.DUE_SOON: AlertStatus.FIRED,
            AlertStage.BREACHED: AlertStatus.CANCELLED,
            AlertStage.STILL_BREACHED: AlertStatus.CANCELLED,
        }
        sweep_at(traveller, london(2026, 3, 2, 12))
        assert OutboxMessage.objects.filter(kind=AlertStage.BREACHED).count() == 0


@pytest.mark.django_db
def test_a_sweep_long_after_the_deadline_skips_the_stale_due_soon_reminder(organization, agent):
    with time_machine.travel(london(2026, 3, 2, 9), tick=False) as traveller:
        ticket = make_ticket(organization=organization, priority=2, owner=agent)
        # The workers were down for an hour: only the breach is worth telling.
        sweep_at(traveller, london(2026, 3, 2, 10, 5))
        assert alert(ticket, AlertStage.DUE_SOON).status == AlertStatus.SKIPPED
        assert fired_stages(ticket) == {AlertStage.BREACHED}
        assert not OutboxMessage.objects.filter(kind=AlertStage.DUE_SOON).exists()
