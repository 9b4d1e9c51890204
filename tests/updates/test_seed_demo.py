"""The run command's setup part: migrate and seed_demo on a fresh SQLite database, twice."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from tickets.models import Status, Ticket
from updates.models import PromiseOutcome

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
    assert "12 new tickets" in first
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
