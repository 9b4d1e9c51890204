"""The Celery and clock configuration the promise keeper's guarantee rests on (issue 3):
acknowledged late, re-queued when a worker dies, one task prefetched, time limits below the
visibility timeout, a sweep that expires after one interval, no ETA/countdown tasks, and
deadlines judged by the database's clock."""

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from celery.app.task import Task
from django.conf import settings

from servicedesk.celery import app
from updates.keeper.clock import database_now
from updates.keeper.delivery import deliver
from updates.keeper.sweep import sweep
from updates.models import (
    AlertStage,
    Notification,
    OutboxChannel,
    OutboxMessage,
    OutboxStatus,
    Promise,
    PromiseAlert,
)

from .keeper_support import make_ticket

ROOT = Path(__file__).resolve().parents[2]


def test_celery_acknowledges_late_requeues_lost_work_and_prefetches_one():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    soft, hard = app.conf.task_soft_time_limit, app.conf.task_time_limit
    assert soft < hard < settings.CELERY_VISIBILITY_TIMEOUT
    assert 0 < settings.EMAIL_TIMEOUT < soft
    # The lease is renewed every quarter of it: one hung wait for the mail server fits between
    # two renewals, and a dead worker's emails are free again within half a minute.
    assert settings.EMAIL_TIMEOUT < settings.OUTBOX_LEASE_SECONDS * 3 / 4
    assert settings.OUTBOX_LEASE_SECONDS <= 30


def test_a_lease_one_hung_mail_server_wait_could_outlast_is_refused_at_startup():
    env = {**os.environ, "EMAIL_TIMEOUT": "20", "OUTBOX_LEASE_SECONDS": "25"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "servicedesk.settings"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "OUTBOX_LEASE_SECONDS" in result.stderr


def test_the_sweep_runs_every_interval_and_expires_after_one():
    entry = app.conf.beat_schedule["promise-keeper-sweep"]
    assert entry["task"] == "updates.sweep_promises"
    assert entry["schedule"] == settings.SWEEP_INTERVAL_SECONDS
    assert entry["options"]["expires"] == settings.SWEEP_INTERVAL_SECONDS


def settings_as_deployed(*names: str, **env: str) -> dict:
    """The named settings of a fresh process whose environment sets none of the keeper's
    intervals (the deployed defaults) except those given."""
    keep = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SWEEP_", "OUTBOX_", "HOUSEKEEPING_"))
    }
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**keep, **env, "DJANGO_SETTINGS_MODULE": "servicedesk.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_beat_sweeps_every_five_seconds_and_drops_a_sweep_that_waited_that_long():
    """Reminders on the dot (issue 25): a reminder waits at most one interval for its sweep, and
    a sweep still queued when the next is due is dropped (the next one does its work). The
    backstops that only recover from crashes keep their minute."""
    deployed = settings_as_deployed("SWEEP_INTERVAL_SECONDS", "CELERY_BEAT_SCHEDULE")
    schedule = deployed["CELERY_BEAT_SCHEDULE"]
    assert deployed["SWEEP_INTERVAL_SECONDS"] == 5
    sweep_entry = schedule["promise-keeper-sweep"]
    assert sweep_entry["task"] == "updates.sweep_promises"
    assert sweep_entry["schedule"] == 5
    assert sweep_entry["options"] == {"expires": 5}
    # Vendor chases are reminders due at a moment too; the backstops run once a minute.
    assert schedule["vendors-send-due-chases"]["schedule"] == 5
    for backstop in ("inbound-act-on-stored", "incidents-resume-fan-outs"):
        assert schedule[backstop]["schedule"] == 60
        assert schedule[backstop]["options"] == {"expires": 60}


def test_lost_deliveries_are_requeued_after_five_intervals_but_never_under_a_minute():
    """A burst's delivery tasks may wait tens of seconds in the queue; a five-second interval
    must not make the sweep queue twins of them after 25 s."""
    names = ("SWEEP_INTERVAL_SECONDS", "OUTBOX_REQUEUE_AFTER_SECONDS")
    assert settings_as_deployed(*names)["OUTBOX_REQUEUE_AFTER_SECONDS"] == 60
    assert (
        settings_as_deployed(*names, SWEEP_INTERVAL_SECONDS="1")["OUTBOX_REQUEUE_AFTER_SECONDS"]
        == 60
    )
    # Above the floor, five intervals as before.
    assert (
        settings_as_deployed(*names, SWEEP_INTERVAL_SECONDS="60")["OUTBOX_REQUEUE_AFTER_SECONDS"]
        == 300
    )
    # Set explicitly, it is what the operator (or a test's worker) says.
    explicit = settings_as_deployed(*names, OUTBOX_REQUEUE_AFTER_SECONDS="4")
    assert explicit["OUTBOX_REQUEUE_AFTER_SECONDS"] == 4


def test_time_limits_that_reach_the_visibility_timeout_are_refused_at_startup():
    env = {**os.environ, "CELERY_VISIBILITY_TIMEOUT": "60", "CELERY_TASK_TIME_LIMIT": "90"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "servicedesk.settings"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "CELERY_VISIBILITY_TIMEOUT" in result.stderr


@pytest.mark.django_db
def test_no_task_is_queued_with_an_eta_or_countdown(
    organization, agent, monkeypatch, django_capture_on_commit_callbacks
):
    """Deadlines live in the database; the broker only ever gets work to do now."""
    sent: list[dict] = []
    monkeypatch.setattr(Task, "apply_async", lambda self, *args, **options: sent.append(options))
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(organization=organization, priority=2, owner=agent)
    PromiseAlert.objects.filter(ticket=ticket).update(due_at=database_now())
    with django_capture_on_commit_callbacks(execute=True):
        sweep()
    assert sent
    assert not [options for options in sent if {"eta", "countdown"} & set(options)]


@pytest.mark.django_db
def test_delivery_judges_the_deadline_by_the_database_clock(organization, agent, monkeypatch):
    """A due-soon reminder still queued when the deadline passes by the database's clock says it
    is late, even when a worker whose own clock runs an hour slow delivers it."""
    monkeypatch.setattr("updates.keeper.outbox.enqueue_delivery", lambda pairs: None)
    ticket = make_ticket(organization=organization, priority=2, owner=agent)
    due_soon = PromiseAlert.objects.get(ticket=ticket, stage=AlertStage.DUE_SOON)
    PromiseAlert.objects.filter(pk=due_soon.pk).update(due_at=database_now())
    sweep()
    ids = list(
        OutboxMessage.objects.filter(alert=due_soon, channel=OutboxChannel.IN_APP).values_list(
            "pk", flat=True
        )
    )
    fired_at = PromiseAlert.objects.get(pk=due_soon.pk).settled_at
    # The deadline falls just after the sweep fired the reminder, and before it is delivered.
    Promise.objects.filter(pk=due_soon.promise_id).update(
        made_at=fired_at - timedelta(hours=2), due_at=fired_at + timedelta(microseconds=1)
    )
    with time_machine.travel(database_now() - timedelta(hours=1), tick=False):
        result = deliver(ids)
    assert (result.sent, result.skipped) == (1, 0)
    assert OutboxMessage.objects.get(pk=ids[0]).status == OutboxStatus.SENT
    assert "late reminder" in Notification.objects.get(recipient=agent).message


@pytest.mark.django_db
def test_a_sweep_out_of_time_with_alerts_still_due_queues_the_next_one_now(
    organization, agent, settings, monkeypatch
):
    """A burst bigger than one run's time budget is not left for beat's next tick."""
    from updates import tasks
    from updates.keeper import sweep as sweep_module

    monkeypatch.setattr("updates.keeper.outbox.enqueue_delivery", lambda pairs: None)
    monkeypatch.setattr(sweep_module, "BATCH_SIZE", 1)
    settings.CELERY_TASK_SOFT_TIME_LIMIT = 0  # the budget is spent after the first batch
    continued: list[tuple] = []
    monkeypatch.setattr(tasks.sweep_promises, "delay", lambda *args: continued.append(args))
    tickets = [make_ticket(organization=organization, priority=2, owner=agent) for _ in range(3)]
    PromiseAlert.objects.filter(ticket__in=tickets, stage=AlertStage.DUE_SOON).update(
        due_at=database_now()
    )

    first = tasks.sweep_promises()
    assert (first["fired"], first["unfinished"]) == (1, 1)
    assert continued == [()]

    settings.CELERY_TASK_SOFT_TIME_LIMIT = 60
    monkeypatch.setattr(sweep_module, "BATCH_SIZE", 500)
    second = tasks.sweep_promises()
    assert (second["fired"], second["unfinished"]) == (2, 0)
    assert continued == [()]


def test_deliveries_are_queued_in_batches_per_channel_below_the_sweeps_priority(monkeypatch):
    """A burst's 10,000 emails are 100 tasks (one SMTP and one database connection each), its
    in-app messages 200 to a task, all at a lower Redis priority than the sweep."""
    from updates.keeper import outbox
    from updates.tasks import deliver_outbox

    queued: list[tuple[list[int], dict]] = []
    monkeypatch.setattr(
        deliver_outbox, "apply_async", lambda args, **options: queued.append((args[0], options))
    )
    outbox.enqueue_delivery(
        [(pk, OutboxChannel.EMAIL) for pk in range(250)]
        + [(pk, OutboxChannel.IN_APP) for pk in range(1000, 1450)]
    )
    sizes = [len(ids) for ids, _ in queued]
    assert sizes == [100, 100, 50, 200, 200, 50]
    assert {options["priority"] for _, options in queued} == {outbox.DELIVERY_PRIORITY}
    assert outbox.DELIVERY_PRIORITY > 0  # beat's sweep goes at the default, 0, first
