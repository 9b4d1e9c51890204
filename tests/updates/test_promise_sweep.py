"""The sweep: who is told at each stage, claiming is idempotent, lost work is found again, and
deadlines are judged by the database clock."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import AgentFactory, ManagerFactory
from updates.keeper import sweep as sweep_module
from updates.keeper.clock import database_now
from updates.keeper.sweep import HEARTBEAT_NAME, sweep
from updates.models import (
    AlertStage,
    AlertStatus,
    OutboxChannel,
    OutboxMessage,
    OutboxStatus,
    PromiseAlert,
    SweepHeartbeat,
)
from updates.promises import pending_promise

from .keeper_support import alert, fired_stages, make_ticket, sweep_at

LONDON = ZoneInfo("Europe/London")
OPENED = datetime(2026, 3, 2, 9, tzinfo=LONDON)  # P2: due soon 09:30, deadline 10:00, still 10:30


def recipients(stage: str) -> set[tuple[str, str]]:
    return set(OutboxMessage.objects.filter(kind=stage).values_list("recipient__email", "channel"))


@pytest.mark.django_db
def test_due_soon_goes_to_the_owner_breach_to_owner_and_managers_still_breached_to_managers(
    organization, agent, manager
):
    second_manager = ManagerFactory(email="sam@msp.test")
    ManagerFactory(email="gone@msp.test", is_active=False)
    AgentFactory(email="bystander@msp.test")
    with time_machine.travel(OPENED, tick=False) as traveller:
        make_ticket(organization=organization, priority=2, owner=agent)
        for minutes in (30, 60, 90):
            sweep_at(traveller, OPENED + timedelta(minutes=minutes))

    both = {OutboxChannel.IN_APP, OutboxChannel.EMAIL}
    owner, managers = {agent.email}, {manager.email, second_manager.email}
    assert recipients(AlertStage.DUE_SOON) == {(e, c) for e in owner for c in both}
    assert recipients(AlertStage.BREACHED) == {(e, c) for e in owner | managers for c in both}
    assert recipients(AlertStage.STILL_BREACHED) == {(e, c) for e in managers for c in both}


@pytest.mark.django_db
def test_unowned_ticket_due_soon_goes_to_the_managers(organization, manager):
    with time_machine.travel(OPENED, tick=False) as traveller:
        make_ticket(organization=organization, priority=2)
        sweep_at(traveller, OPENED + timedelta(minutes=30))
    assert recipients(AlertStage.DUE_SOON) == {
        (manager.email, OutboxChannel.IN_APP),
        (manager.email, OutboxChannel.EMAIL),
    }


@pytest.mark.django_db
def test_a_manager_who_owns_the_ticket_is_told_once_per_channel(organization, manager):
    with time_machine.travel(OPENED, tick=False) as traveller:
        make_ticket(organization=organization, priority=2, owner=manager)
        sweep_at(traveller, OPENED + timedelta(minutes=60))
    assert OutboxMessage.objects.filter(kind=AlertStage.BREACHED).count() == 2


@pytest.mark.django_db
def test_sweeping_again_never_writes_a_message_twice(organization, agent, manager):
    with time_machine.travel(OPENED, tick=False) as traveller:
        ticket = make_ticket(organization=organization, priority=2, owner=agent)
        first = sweep_at(traveller, OPENED + timedelta(minutes=60))
        again = sweep_at(traveller, OPENED + timedelta(minutes=61))
    assert (first.fired, first.skipped) == (1, 1)  # the stale due-soon is skipped
    assert again.fired == 0
    # Owner and manager, in-app and email.
    assert OutboxMessage.objects.filter(ticket=ticket, alert__isnull=False).count() == 4


@pytest.mark.django_db
def test_claims_work_in_batches_until_nothing_is_due(organization, agent, monkeypatch):
    monkeypatch.setattr(sweep_module, "BATCH_SIZE", 2)
    with time_machine.travel(OPENED, tick=False) as traveller:
        for _ in range(5):
            make_ticket(organization=organization, priority=2, owner=agent)
        result = sweep_at(traveller, OPENED + timedelta(minutes=30))
    assert result.fired == 5
    assert not PromiseAlert.objects.filter(
        stage=AlertStage.DUE_SOON, status=AlertStatus.PENDING
    ).exists()


@pytest.mark.django_db
def test_reconciliation_gives_an_overdue_promise_without_alerts_its_breach_alert(
    organization, agent, manager
):
    with time_machine.travel(OPENED, tick=False) as traveller:
        ticket = make_ticket(organization=organization, priority=2, owner=agent)
        # A promise that predates the keeper (or a hand-made row) has no alerts at all.
        PromiseAlert.objects.filter(ticket=ticket).delete()
        result = sweep_at(traveller, OPENED + timedelta(minutes=70))
    assert result.reconciled == 1
    assert fired_stages(ticket) == {AlertStage.BREACHED}
    assert alert(ticket, AlertStage.DUE_SOON).status == AlertStatus.SKIPPED
    assert alert(ticket, AlertStage.STILL_BREACHED).status == AlertStatus.PENDING
    assert recipients(AlertStage.BREACHED) >= {(manager.email, OutboxChannel.EMAIL)}


@pytest.mark.django_db
def test_reconciliation_leaves_promises_that_have_their_alerts_alone(organization, agent):
    with time_machine.travel(OPENED, tick=False) as traveller:
        make_ticket(organization=organization, priority=2, owner=agent)
        result = sweep_at(traveller, OPENED + timedelta(minutes=70))
    assert result.reconciled == 0


@pytest.mark.django_db
def test_deadlines_are_judged_by_the_database_clock(organization, agent):
    ticket = make_ticket(organization=organization, priority=2, owner=agent)
    db_now = database_now()
    assert abs(db_now - timezone.now()) < timedelta(seconds=5)
    promise = pending_promise(ticket)
    promise.alerts.filter(stage=AlertStage.DUE_SOON).update(due_at=db_now - timedelta(seconds=1))
    promise.alerts.filter(stage=AlertStage.BREACHED).update(due_at=db_now + timedelta(minutes=5))

    with time_machine.travel(db_now + timedelta(hours=3), tick=False):
        # The application's clock says three hours later; the database's does not.
        result = sweep()

    assert result.fired == 1
    assert fired_stages(ticket) == {AlertStage.DUE_SOON}


@pytest.mark.django_db
def test_each_sweep_records_a_heartbeat(organization, agent):
    with time_machine.travel(OPENED, tick=False) as traveller:
        make_ticket(organization=organization, priority=2, owner=agent)
        sweep_at(traveller, OPENED + timedelta(minutes=30))
        sweep_at(traveller, OPENED + timedelta(minutes=31))
    heartbeat = SweepHeartbeat.objects.get(name=HEARTBEAT_NAME)
    assert heartbeat.finished_at == OPENED + timedelta(minutes=31)
    assert SweepHeartbeat.objects.count() == 1


@pytest.mark.django_db
def test_fired_messages_are_queued_for_delivery_after_commit(
    organization, agent, django_capture_on_commit_callbacks, monkeypatch
):
    queued: list[list[tuple[int, str]]] = []
    monkeypatch.setattr(
        "updates.keeper.outbox.enqueue_delivery", lambda pairs: queued.append(list(pairs))
    )
    with time_machine.travel(OPENED, tick=False) as traveller:
        make_ticket(organization=organization, priority=2, owner=agent)
        with django_capture_on_commit_callbacks(execute=True):
            sweep_at(traveller, OPENED + timedelta(minutes=30))
    ids = set(OutboxMessage.objects.filter(alert__isnull=False).values_list("pk", "channel"))
    assert ids
    assert ids <= {pair for batch in queued for pair in batch}


@pytest.mark.django_db
def test_messages_whose_task_was_lost_or_whose_worker_died_are_queued_again(
    organization, agent, settings
):
    settings.OUTBOX_REQUEUE_AFTER_SECONDS = 300
    with time_machine.travel(OPENED, tick=False) as traveller:
        make_ticket(organization=organization, priority=2, owner=agent)
        sweep_at(traveller, OPENED + timedelta(minutes=30))
        in_app, email = (
            OutboxMessage.objects.get(kind=AlertStage.DUE_SOON, channel=OutboxChannel.IN_APP),
            OutboxMessage.objects.get(kind=AlertStage.DUE_SOON, channel=OutboxChannel.EMAIL),
        )
        # The customer's acknowledgement was delivered long ago.
        OutboxMessage.objects.filter(alert__isnull=True).update(status=OutboxStatus.SENT)
        # The email's worker died mid-send: its lease runs out at 09:32.
        OutboxMessage.objects.filter(pk=email.pk).update(
            status=OutboxStatus.SENDING, lease_expires_at=OPENED + timedelta(minutes=32)
        )

        # Queued at 09:30; not yet presumed lost at 09:34, and the lease ran out.
        assert sweep_at(traveller, OPENED + timedelta(minutes=34)).requeued == 1
        email.refresh_from_db()
        assert (email.status, email.lease_expires_at) == (OutboxStatus.PENDING, None)

        # Five minutes after queueing, the in-app task is presumed lost (Redis restarted).
        assert sweep_at(traveller, OPENED + timedelta(minutes=35)).requeued == 1
        in_app.refresh_from_db()
        assert in_app.enqueued_at == OPENED + timedelta(minutes=35)


# The idle sweep and the reconcile backstop (issues 3 and 9): a sweep with nothing due asks the
# database one question and writes one heartbeat; orphan promises are found when their deadline
# passes, and those written with a deadline already past by the next full reconcile.


def orphan(ticket, **changes) -> None:
    """Make the ticket's pending promise an orphan: no alerts, as a hand-written row or an
    import would leave it (optionally with other deadlines)."""
    promise = pending_promise(ticket)
    if changes:
        type(promise).objects.filter(pk=promise.pk).update(**changes)
    PromiseAlert.objects.filter(promise=promise).delete()


def heartbeat() -> SweepHeartbeat:
    return SweepHeartbeat.objects.get(name=HEARTBEAT_NAME)


@pytest.mark.django_db
def test_an_idle_sweep_asks_the_database_once_and_writes_one_heartbeat(
    organization, agent, django_assert_num_queries
):
    """Production's path: the database clock, read inside the check."""
    ticket = make_ticket(organization=organization, priority=2, owner=agent)
    breached = make_ticket(organization=organization, priority=2, owner=agent)
    PromiseAlert.objects.filter(ticket=breached, stage=AlertStage.DUE_SOON).update(
        due_at=database_now()
    )
    assert sweep().fired == 1  # the first sweep: a full reconcile, and the reminder fires
    assert sweep().fired == 0

    with django_assert_num_queries(2) as captured:
        result = sweep()

    assert (result.fired, result.reconciled, result.requeued, result.full_reconcile) == (0,) * 4
    check, beat = (query["sql"] for query in captured.captured_queries)
    # The check was prepared by the first sweep on this connection: not planned again.
    assert check == f"EXECUTE {sweep_module.WORK_DUE_STATEMENT}"
    assert "FOR UPDATE" not in sweep_module._work_due_sql()[0]
    # The heartbeat does not wait for the disk, in the same round trip as its UPDATE.
    assert beat.startswith("SET LOCAL synchronous_commit TO OFF; UPDATE")
    assert heartbeat().finished_at >= heartbeat().started_at
    assert alert(ticket, AlertStage.DUE_SOON).status == AlertStatus.PENDING


@pytest.mark.django_db(transaction=True)
def test_a_new_database_connection_prepares_the_check_again(organization, agent):
    """The prepared check lives as long as its connection (CONN_MAX_AGE, a restarted server):
    a sweep on a new one prepares it there, and still sees what is due."""
    ticket = make_ticket(organization=organization, priority=2, owner=agent)
    assert sweep().fired == 0
    connection.close()
    PromiseAlert.objects.filter(ticket=ticket, stage=AlertStage.DUE_SOON).update(
        due_at=database_now()
    )
    with CaptureQueriesContext(connection) as captured:
        assert sweep().fired == 1
    assert captured.captured_queries[0]["sql"].startswith(
        f"PREPARE {sweep_module.WORK_DUE_STATEMENT} AS SELECT"
    )


@pytest.mark.django_db
def test_an_idle_sweep_at_a_given_moment_also_skips_the_claims(
    organization, agent, django_assert_num_queries, settings
):
    settings.OUTBOX_REQUEUE_AFTER_SECONDS = 300  # the acknowledgement's task is not lost yet
    with time_machine.travel(OPENED, tick=False) as traveller:
        make_ticket(organization=organization, priority=2, owner=agent)
        sweep_at(traveller, OPENED + timedelta(minutes=1))
        traveller.move_to(OPENED + timedelta(minutes=2))
        with django_assert_num_queries(2):
            sweep(now=OPENED + timedelta(minutes=2))
    assert heartbeat().reconciled_until == OPENED + timedelta(minutes=2)


@pytest.mark.django_db
def test_an_orphan_promise_is_reconciled_as_soon_as_its_deadline_passes(
    organization, agent, manager, settings
):
    settings.SWEEP_FULL_RECONCILE_SECONDS = 6 * 3600  # not the full reconcile's doing
    with time_machine.travel(OPENED, tick=False) as traveller:
        sweep_at(traveller, OPENED)  # the first sweep: a full reconcile, nothing to repair
        ticket = make_ticket(organization=organization, priority=2, owner=agent)  # due 10:00
        orphan(ticket)
        before = sweep_at(traveller, OPENED + timedelta(minutes=59))
        after = sweep_at(traveller, OPENED + timedelta(minutes=61))
    assert before.reconciled == 0
    assert (after.reconciled, after.full_reconcile) == (1, 0)  # found by the incremental check
    assert fired_stages(ticket) == {AlertStage.BREACHED}
    assert recipients(AlertStage.BREACHED) >= {(manager.email, OutboxChannel.EMAIL)}


@pytest.mark.django_db
def test_an_orphan_written_with_its_deadline_already_past_is_found_by_the_next_full_reconcile(
    organization, agent, settings
):
    """The incremental check only looks at deadlines after its watermark; the full reconcile,
    every SWEEP_FULL_RECONCILE_SECONDS, is the backstop for rows imported already overdue."""
    settings.SWEEP_FULL_RECONCILE_SECONDS = 2 * 3600
    with time_machine.travel(OPENED, tick=False) as traveller:
        assert sweep_at(traveller, OPENED).full_reconcile == 1
        assert sweep_at(traveller, OPENED + timedelta(minutes=75)).full_reconcile == 0
        ticket = make_ticket(organization=organization, priority=2, owner=agent)
        # Imported at 10:16 with a deadline of 10:00, behind the 10:15 watermark.
        orphan(ticket, made_at=OPENED - timedelta(hours=1), due_at=OPENED + timedelta(minutes=60))
        missed = [sweep_at(traveller, OPENED + timedelta(minutes=m)) for m in (77, 119)]
        full = sweep_at(traveller, OPENED + timedelta(hours=2))

    assert [(r.reconciled, r.full_reconcile) for r in missed] == [(0, 0), (0, 0)]
    assert (full.reconciled, full.full_reconcile) == (1, 1)
    # Found an hour late: the breach and, one lead (30 min) after the deadline, still breached.
    assert fired_stages(ticket) == {AlertStage.BREACHED, AlertStage.STILL_BREACHED}
    assert heartbeat().full_reconciled_at == OPENED + timedelta(hours=2)
    assert heartbeat().reconciled_until == OPENED + timedelta(hours=2)


@pytest.mark.django_db
def test_a_full_reconcile_stopped_by_its_limit_is_continued_by_the_next_sweep(
    organization, agent, monkeypatch
):
    monkeypatch.setattr("updates.keeper.alerts.RECONCILE_LIMIT", 2)
    with time_machine.travel(OPENED, tick=False) as traveller:
        tickets = [make_ticket(organization=organization, priority=2, owner=agent) for _ in "abc"]
        for ticket in tickets:
            orphan(ticket)
        runs = [sweep_at(traveller, OPENED + timedelta(minutes=m)) for m in (61, 62, 63)]
    # The first run repaired two of three and earned no watermark, so the next ran in full too.
    assert [(r.reconciled, r.full_reconcile) for r in runs] == [(2, 1), (1, 1), (0, 0)]
    assert all(fired_stages(ticket) == {AlertStage.BREACHED} for ticket in tickets)


@pytest.mark.django_db
def test_the_idle_check_sees_exactly_the_messages_the_requeue_takes(organization, agent, settings):
    """check_work_due reads the earliest entry of each state; it must agree with
    lost_messages, or an idle-looking sweep would leave a lost message unqueued."""
    settings.OUTBOX_REQUEUE_AFTER_SECONDS = 300
    now = OPENED + timedelta(hours=1)
    with time_machine.travel(OPENED, tick=False) as traveller:
        make_ticket(organization=organization, priority=2, owner=agent)
        sweep_at(traveller, OPENED)
    message = OutboxMessage.objects.get()  # the customer's acknowledgement
    minute = timedelta(minutes=1)
    states = {
        "queued just now": (False, {"enqueued_at": now - minute}),
        "retry waiting for its backoff": (False, {"enqueued_at": None, "next_attempt_at": now + minute}),
        "sending within its lease": (False, {"status": OutboxStatus.SENDING, "lease_expires_at": now + minute}),
        "retry due, not queued": (True, {"enqueued_at": None, "next_attempt_at": now - minute}),
        "queued and never run": (True, {"enqueued_at": now - 6 * minute}),
        "sending, its worker died": (True, {"status": OutboxStatus.SENDING, "lease_expires_at": now - minute}),
    }  # fmt: skip
    seen = {}
    for name, (lost, changes) in states.items():
        state = {"status": OutboxStatus.PENDING, "next_attempt_at": OPENED, "enqueued_at": OPENED}
        OutboxMessage.objects.filter(pk=message.pk).update(**{**state, **changes})
        seen[name] = sweep_module.check_work_due(now=now).messages_lost
        assert sweep_module.lost_messages(now).exists() == lost, name
    assert seen == {name: lost for name, (lost, _) in states.items()}


@pytest.mark.django_db
def test_the_first_sweep_ever_does_everything_and_creates_the_heartbeat(organization, agent):
    with time_machine.travel(OPENED, tick=False):
        make_ticket(organization=organization, priority=2, owner=agent)
    work = sweep_module.check_work_due(now=OPENED)
    assert (work.alerts_due, work.messages_lost, work.full_reconcile_due) == (True, True, True)
    result = sweep(now=OPENED)
    assert result.full_reconcile == 1
    assert (heartbeat().full_reconciled_at, heartbeat().reconciled_until) == (OPENED, OPENED)
