"""The status page lets an operator see a stalled beat or worker: the last sweep, the oldest due
alert still unsent and the outbox backlog. Staff only."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.factories import PASSWORD
from updates.keeper import views as keeper_views
from updates.models import OutboxMessage, OutboxStatus

from .keeper_support import make_ticket, sweep_at

LONDON = ZoneInfo("Europe/London")
OPENED = datetime(2026, 3, 2, 9, tzinfo=LONDON)


@pytest.fixture
def db_clock(monkeypatch):
    """The page reads the database clock; let the test say what it reads."""
    clock = {"now": OPENED}
    monkeypatch.setattr(keeper_views, "database_now", lambda: clock["now"])
    return clock


def signed_in(client, user):
    client.login(username=user.email, password=PASSWORD)
    return client


@pytest.mark.django_db
def test_status_is_for_staff_only(client, contact, agent):
    assert client.get("/status/").status_code == 302
    assert client.get("/status.json").status_code == 302
    signed_in(client, contact)
    assert client.get("/status/").status_code == 403
    assert client.get("/status.json").status_code == 403
    signed_in(client, agent)
    assert client.get("/status/").status_code in (200, 503)


@pytest.mark.django_db
def test_running_keeper_reports_ok_with_the_last_sweep(client, manager, organization, db_clock):
    with time_machine.travel(OPENED, tick=False) as traveller:
        make_ticket(organization=organization, priority=2, owner=manager)
        OutboxMessage.objects.update(status=OutboxStatus.SENT)  # the acknowledgement went out
        sweep_at(traveller, OPENED + timedelta(minutes=30))
    db_clock["now"] = OPENED + timedelta(minutes=30, seconds=20)

    response = signed_in(client, manager).get("/status.json")

    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "ok"
    assert data["last_sweep_age_seconds"] == 20
    assert data["last_sweep_fired"] == 1
    assert data["due_alerts"] == 0
    assert data["outbox_backlog"] == 2  # the reminder, in-app and by email
    # The first sweep reconciled in full: the backstop for orphan promises ran then.
    assert data["last_full_reconcile_at"] == (OPENED + timedelta(minutes=30)).isoformat()


@pytest.mark.django_db
def test_stopped_beat_shows_as_stalled_with_the_age_of_the_oldest_due_alert(
    client, manager, organization, db_clock
):
    with time_machine.travel(OPENED, tick=False) as traveller:
        make_ticket(organization=organization, priority=2, owner=manager)
        sweep_at(traveller, OPENED + timedelta(minutes=1))
    # Beat stopped after 09:01; at 09:40 the due-soon alert (09:30) has waited ten minutes.
    db_clock["now"] = OPENED + timedelta(minutes=40)
    client = signed_in(client, manager)

    response = client.get("/status.json")
    assert response.status_code == 503
    data = response.json()
    assert data["status"] == "stalled"
    assert data["due_alerts"] == 1
    assert data["oldest_due_alert_age_seconds"] == 600
    assert data["last_sweep_age_seconds"] == 39 * 60
    assert any("beat or the worker is stalled" in problem for problem in data["problems"])

    page = client.get("/status/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Stalled." in html
    assert "oldest waiting 600 s" in html


@pytest.mark.django_db
def test_a_sweep_held_up_for_less_than_a_minute_is_not_a_stall(
    client, manager, organization, db_clock, settings
):
    """Beat sweeps every few seconds; three missed sweeps during a burst (busy workers, a slow
    mail server) are not yet a stall to call a person for: that takes a minute."""
    settings.SWEEP_INTERVAL_SECONDS = 5
    with time_machine.travel(OPENED, tick=False) as traveller:
        make_ticket(organization=organization, priority=2, owner=manager)
        OutboxMessage.objects.update(status=OutboxStatus.SENT)
        sweep_at(traveller, OPENED + timedelta(minutes=30))
    client = signed_in(client, manager)

    db_clock["now"] = OPENED + timedelta(minutes=30, seconds=45)  # nine intervals
    response = client.get("/status.json")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"

    db_clock["now"] = OPENED + timedelta(minutes=31, seconds=1)
    response = client.get("/status.json")
    assert response.status_code == 503
    assert any("beat or the worker is stalled" in p for p in response.json()["problems"])


@pytest.mark.django_db
def test_never_swept_is_reported(client, agent, db_clock):
    data = signed_in(client, agent).get("/status.json").json()
    assert data["status"] == "stalled"
    assert data["last_sweep_at"] is None
    assert "never run" in data["problems"][0]


@pytest.mark.django_db
def test_htmx_refresh_gets_only_the_health_fragment(client, agent, db_clock):
    response = signed_in(client, agent).get("/status/", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert 'id="keeper-health"' in html
    assert "<html" not in html
