"""The audit log for managers: GET /api/v1/audit-log/ and the /audit/ page with its CSV."""

import csv
import io
from datetime import UTC, datetime

import pytest
import time_machine
from rest_framework.test import APIClient

from audit.models import AuditEvent
from audit.services import record

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(manager, agent):
    with time_machine.travel(datetime(2026, 3, 1, 9, tzinfo=UTC), tick=False):
        record("sign_in", actor=agent, target=agent)
    with time_machine.travel(datetime(2026, 3, 5, 9, tzinfo=UTC), tick=False):
        record(
            "role_changed", actor=manager, target=agent, detail={"from": "agent", "to": "manager"}
        )
    with time_machine.travel(datetime(2026, 3, 9, 9, tzinfo=UTC), tick=False):
        record("sign_in", actor=manager, target=manager)


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_lists_events_newest_first_with_the_contract_fields(manager, events, agent):
    data = _api(manager).get("/api/v1/audit-log/").json()

    assert data["count"] == 3
    first = data["results"][0]
    assert set(first) == {"id", "at", "actor", "action", "target", "ip", "detail"}
    assert first["action"] == "sign_in"
    assert first["actor"] == manager.pk
    assert data["results"][1]["target"] == {"type": "user", "id": str(agent.pk)}


def test_the_api_filters_by_action_actor_and_period(manager, agent, events):
    api = _api(manager)

    by_action = api.get("/api/v1/audit-log/", {"action": "sign_in"}).json()
    by_actor = api.get("/api/v1/audit-log/", {"actor": agent.pk}).json()
    by_period = api.get(
        "/api/v1/audit-log/",
        {"since": "2026-03-02T00:00:00Z", "until": "2026-03-09T00:00:00+00:00"},
    ).json()

    assert [row["action"] for row in by_action["results"]] == ["sign_in", "sign_in"]
    assert [row["actor"] for row in by_actor["results"]] == [agent.pk]
    assert [row["action"] for row in by_period["results"]] == ["role_changed"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"since": "yesterday"}, "since"),
        ({"actor": "x"}, "actor"),
        ({"until": "2026-03-01T00:00"}, "until"),
    ],
)
def test_bad_filters_answer_400_naming_the_field(manager, query, field):
    response = _api(manager).get("/api/v1/audit-log/", query)

    assert response.status_code == 400
    assert field in response.json()


def test_agents_and_contacts_get_403(agent, contact):
    assert _api(agent).get("/api/v1/audit-log/").status_code == 403
    assert _api(contact).get("/api/v1/audit-log/").status_code == 403


def test_the_page_filters_and_exports_what_it_shows_as_csv(client, manager, agent, events):
    client.force_login(manager)

    page = client.get("/audit/", {"action": "role_changed"}).content.decode()
    export = client.get("/audit/", {"action": "role_changed", "format": "csv"})

    assert "role_changed" in page
    assert "<code>sign_in</code>" not in page
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[0][:5] == ["id", "at", "actor", "actor_email", "action"]
    assert [row[4] for row in rows[1:]] == ["role_changed"]
    assert client.get("/api/v1/audit-log/", {"action": "export"}).json()["count"] == 1


def test_the_page_is_for_managers(client, agent):
    client.force_login(agent)

    assert client.get("/audit/").status_code == 403


def test_a_dashboard_export_is_recorded(client, manager):
    client.force_login(manager)

    response = client.get("/dashboard/", {"export": "by_week"})

    assert response.status_code == 200
    assert AuditEvent.objects.get(action="export").detail["table"] == "by_week"


def test_a_vendor_changed_through_the_api_is_a_settings_change(manager):
    api = _api(manager)

    created = api.post(
        "/api/v1/vendors/", {"name": "Contoso Cloud", "support_email": "help@contoso.example"}
    )
    api.patch(f"/api/v1/vendors/{created.json()['id']}/", {"expected_response_minutes": 30})

    events = AuditEvent.objects.filter(action="settings_changed", target_type="vendor")
    assert events.count() == 2
    assert events.first().detail["fields"] == ["expected_response_minutes"]


def test_an_organisation_changed_through_the_api_is_a_settings_change(manager, organization):
    api = _api(manager)

    response = api.patch(f"/api/v1/organizations/{organization.pk}/", {"name": "Northwind Ltd"})
    refused = api.patch(f"/api/v1/organizations/{organization.pk}/", {"timezone": "Mars/Base"})

    assert response.status_code == 200
    assert refused.status_code == 400
    [event] = AuditEvent.objects.filter(action="settings_changed", target_type="organization")
    assert (event.actor, event.target_id) == (manager, str(organization.pk))
    assert event.detail == {"fields": ["name"], "via": "api"}
