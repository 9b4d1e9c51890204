"""GET/PATCH /api/v1/users/{id}/ (API.md "Agent speed"): managers change people."""

import pytest
from rest_framework.test import APIClient

from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(manager):
    client = APIClient()
    client.force_authenticate(manager)
    return client


def test_one_person_carries_triage_duty_active_and_email_preferences(api, agent):
    data = api.get(f"/api/v1/users/{agent.pk}/").json()

    assert data["triage_duty"] is False
    assert data["is_active"] is True
    assert data["notification_email_off"] == []
    assert "password" not in data


def test_patch_sets_triage_duty_and_email_preferences(api, agent):
    response = api.patch(
        f"/api/v1/users/{agent.pk}/",
        {"triage_duty": True, "notification_email_off": ["new_ticket", "mention", "new_ticket"]},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["triage_duty"] is True
    assert response.json()["notification_email_off"] == ["mention", "new_ticket"]
    agent.refresh_from_db()
    assert agent.triage_duty
    assert AuditEvent.objects.get(action="settings_changed").target_id == str(agent.pk)


def test_a_role_change_is_in_the_audit_log(api, manager, agent):
    response = api.patch(f"/api/v1/users/{agent.pk}/", {"role": "manager"}, format="json")

    assert response.status_code == 200
    event = AuditEvent.objects.get(action="role_changed")
    assert event.actor == manager
    assert event.detail == {"from": "agent", "to": "manager"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"notification_email_off": ["Not a kind!"]}, "notification_email_off"),
        ({"notification_email_off": "new_ticket"}, "notification_email_off"),
        ({"is_active": "nope"}, "is_active"),
        ({"role": "contact"}, "organization"),
        ({"email": "new@msp.test"}, "email"),
    ],
)
def test_bad_changes_answer_400_naming_the_field_and_change_nothing(api, agent, body, field):
    response = api.patch(f"/api/v1/users/{agent.pk}/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    agent.refresh_from_db()
    assert (agent.role, agent.is_active, agent.email) == ("agent", True, "alice@msp.test")


def test_agents_and_contacts_may_not_change_people(agent, contact, other_agent):
    for caller in (agent, contact):
        client = APIClient()
        client.force_authenticate(caller)
        response = client.patch(
            f"/api/v1/users/{other_agent.pk}/", {"is_active": False}, format="json"
        )
        assert response.status_code == 403
    other_agent.refresh_from_db()
    assert other_agent.is_active
