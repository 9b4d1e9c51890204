"""The run command's setup part: migrate and seed_demo on a fresh SQLite database, twice."""

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command

from demo.demo_data import LIVE_SUBJECT
from tickets.models import Status, Ticket
from updates.keeper.sweep import sweep
from updates.models import (
    AlertStage,
    AlertStatus,
    OutboxChannel,
    OutboxMessage,
    PromiseAlert,
    PromiseOutcome,
)

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_fresh_setup_migrates_and_seeds_twice_on_sqlite(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "TESTING", "DJANGO_SETTINGS_MODULE"}
    }
    env |= {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
        "SECRET_KEY": "test-only-secret",
        "DEBUG": "false",
    }
    _manage("migrate", "--noinput", env=env)
    first = _manage("seed_demo", env=env)
    second = _manage("seed_demo", env=env)
    assert "13 new tickets" in first
    assert "0 new tickets" in second
    assert "manager@demo.test" in second


@pytest.mark.django_db
def test_demo_data_covers_every_status_priority_and_promise_outcome():
    call_command("seed_demo", verbosity=0)
    tickets = Ticket.objects.all()
    assert set(tickets.values_list("status", flat=True)) == set(Status.values)
    assert set(tickets.values_list("priority", flat=True)) == {1, 2, 3, 4}
    assert tickets.update_overdue().exists(), "some promises are breached right now"
    outcomes = set(tickets.values_list("promises__outcome", flat=True))
    assert {PromiseOutcome.KEPT, PromiseOutcome.BREACHED, PromiseOutcome.PENDING} <= outcomes
    assert set(tickets.values_list("organization__timezone", flat=True)) >= {
        "Europe/London",
        "America/New_York",
        "Asia/Tokyo",
    }


def test_production_settings_refuse_to_start_without_a_secret(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "DEBUG", "TESTING"}
    }
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.django_db
def test_live_ticket_reminds_alice_about_a_minute_after_each_start():
    """The demo shows the keeper at work: a minute after seed_demo (run by scripts/run), Alice's
    due-soon reminder fires; starting the demo again later arms a fresh one."""
    started = datetime(2026, 3, 3, 10, tzinfo=UTC)
    with time_machine.travel(started, tick=False):
        call_command("seed_demo", verbosity=0)
    ticket = Ticket.objects.get(subject=LIVE_SUBJECT)

    def due_soon() -> PromiseAlert:
        return PromiseAlert.objects.get(
            ticket=ticket, stage=AlertStage.DUE_SOON, promise__outcome=PromiseOutcome.PENDING
        )

    assert due_soon().due_at == started + timedelta(minutes=1)
    sweep(now=started + timedelta(seconds=59))
    assert due_soon().status == AlertStatus.PENDING
    sweep(now=started + timedelta(seconds=60))
    assert due_soon().status == AlertStatus.FIRED
    assert OutboxMessage.objects.filter(
        alert=due_soon(), recipient__email="alice@demo.test", channel=OutboxChannel.IN_APP
    ).exists()

    restarted = started + timedelta(minutes=10)
    with time_machine.travel(restarted, tick=False):
        call_command("seed_demo", verbosity=0)
    assert due_soon().due_at == restarted + timedelta(minutes=1)
    assert due_soon().status == AlertStatus.PENDING
