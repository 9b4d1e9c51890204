"""Time entries through the API: logging time, the author's editing window (TIME_EDIT_DAYS), a
manager's change with a logged reason, closed months, and who may call what."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from audit.models import AuditEvent
from billing.models import ClosedMonth, TimeEntry
from tests.billing.factories import TimeEntryFactory
from tests.factories import AgentFactory

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_an_agent_logs_time_and_started_at_defaults_to_now_minus_the_minutes(
    api_as, agent, ticket, on_site
):
    response = api_as(agent).post(
        f"/api/v1/tickets/{ticket.pk}/time/",
        {"minutes": 45, "work_type": on_site.pk, "note": "Swapped the fuser."},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["agent"] == agent.pk
    assert body["billable"] is True
    assert body["started_at"] == "2026-11-20T11:15:00Z"
    assert body["work_type"] == on_site.pk
    listed = api_as(agent).get(f"/api/v1/tickets/{ticket.pk}/time/").json()
    assert [entry["id"] for entry in listed] == [body["id"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"minutes": 0}, "minutes"),
        ({"minutes": 1441}, "minutes"),
        ({"minutes": "30"}, "minutes"),
        ({"minutes": 30, "started_at": "2026-11-21T10:00:00Z"}, "started_at"),
        ({"minutes": 30, "started_at": "2026-11-19T10:00:00"}, "started_at"),
        ({"minutes": 30, "work_type": 999999}, "work_type"),
        ({"minutes": 30, "billable": "yes"}, "billable"),
        ({"minutes": 30, "agent": 1}, "agent"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(
    api_as, agent, ticket, work_types, body, field
):
    response = api_as(agent).post(f"/api/v1/tickets/{ticket.pk}/time/", body)
    assert response.status_code == 400
    assert field in response.json()
    assert not TimeEntry.objects.exists()


def test_the_author_may_change_their_entry_within_the_window_and_not_after(
    api_as, agent, ticket, remote, frozen
):
    entry = TimeEntryFactory(ticket=ticket, agent=agent, work_type=remote, created_at=NOW)
    client = api_as(agent)
    assert client.patch(f"/api/v1/time-entries/{entry.pk}/", {"minutes": 50}).status_code == 200
    frozen.shift(timedelta(days=7))
    response = client.patch(f"/api/v1/time-entries/{entry.pk}/", {"minutes": 55})
    assert response.status_code == 403
    assert client.delete(f"/api/v1/time-entries/{entry.pk}/").status_code == 403
    entry.refresh_from_db()
    assert entry.minutes == 50


def test_the_window_is_the_setting(api_as, agent, ticket, remote, frozen, settings):
    settings.TIME_EDIT_DAYS = 1
    entry = TimeEntryFactory(ticket=ticket, agent=agent, work_type=remote, created_at=NOW)
    frozen.shift(timedelta(days=1, seconds=1))
    assert (
        api_as(agent).patch(f"/api/v1/time-entries/{entry.pk}/", {"minutes": 5}).status_code == 403
    )


def test_another_agent_may_not_change_or_delete_an_entry(api_as, agent, ticket, remote):
    entry = TimeEntryFactory(ticket=ticket, agent=agent, work_type=remote, created_at=NOW)
    other = api_as(AgentFactory())
    assert other.patch(f"/api/v1/time-entries/{entry.pk}/", {"minutes": 5}).status_code == 403
    assert other.delete(f"/api/v1/time-entries/{entry.pk}/").status_code == 403
    assert TimeEntry.objects.filter(pk=entry.pk, minutes=30).exists()


def test_a_manager_changes_a_locked_entry_only_with_a_reason_which_is_audited(
    api_as, agent, manager, ticket, remote, frozen
):
    entry = TimeEntryFactory(ticket=ticket, agent=agent, work_type=remote, created_at=NOW)
    frozen.shift(timedelta(days=30))
    client = api_as(manager)
    refused = client.patch(f"/api/v1/time-entries/{entry.pk}/", {"minutes": 20})
    assert refused.status_code == 400
    assert "reason" in refused.json()
    response = client.patch(
        f"/api/v1/time-entries/{entry.pk}/", {"minutes": 20, "reason": "Double-counted travel."}
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="time_entry_changed")
    assert event.actor == manager
    assert event.target_id == str(entry.pk)
    assert event.detail["reason"] == "Double-counted travel."
    assert event.detail["before"] == {"minutes": 30}
    deleted = client.delete(f"/api/v1/time-entries/{entry.pk}/?reason=Duplicate")
    assert deleted.status_code == 204
    assert AuditEvent.objects.filter(action="time_entry_deleted").count() == 1
    assert not TimeEntry.objects.filter(pk=entry.pk).exists()


def test_a_manager_needs_no_reason_for_their_own_fresh_entry(api_as, manager, ticket, remote):
    entry = TimeEntryFactory(ticket=ticket, agent=manager, work_type=remote, created_at=NOW)
    assert (
        api_as(manager).patch(f"/api/v1/time-entries/{entry.pk}/", {"billable": False}).status_code
        == 200
    )
    assert not AuditEvent.objects.filter(action="time_entry_changed").exists()


def test_a_closed_month_refuses_new_changed_moved_and_deleted_entries(
    api_as, agent, manager, ticket, remote
):
    october = TimeEntryFactory(
        ticket=ticket,
        agent=agent,
        work_type=remote,
        created_at=NOW,
        started_at=datetime(2026, 10, 30, 10, 0, tzinfo=UTC),
    )
    november = TimeEntryFactory(ticket=ticket, agent=agent, work_type=remote, created_at=NOW)
    closed = api_as(manager).post("/api/v1/billing/months/2026-10/close/")
    assert closed.status_code == 200
    assert closed.json() == {"month": "2026-10", "closed": True}
    client = api_as(agent)
    assert (
        client.post(
            f"/api/v1/tickets/{ticket.pk}/time/",
            {"minutes": 30, "started_at": "2026-10-15T10:00:00Z"},
        ).status_code
        == 400
    )
    assert client.patch(f"/api/v1/time-entries/{october.pk}/", {"minutes": 5}).status_code == 400
    assert client.delete(f"/api/v1/time-entries/{october.pk}/").status_code == 400
    moved = client.patch(
        f"/api/v1/time-entries/{november.pk}/", {"started_at": "2026-10-15T10:00:00Z"}
    )
    assert moved.status_code == 400
    assert "started_at" in moved.json()
    reopened = api_as(manager).post("/api/v1/billing/months/2026-10/reopen/")
    assert reopened.json() == {"month": "2026-10", "closed": False}
    assert not ClosedMonth.objects.exists()
    assert client.patch(f"/api/v1/time-entries/{october.pk}/", {"minutes": 5}).status_code == 200


def test_an_entry_belongs_to_the_month_of_its_organisations_time_zone(
    api_as, agent, manager, ticket, remote
):
    ticket.organization.timezone = "Asia/Tokyo"
    ticket.organization.save()
    # 31 October 20:00 UTC is 1 November 05:00 in Tokyo: November's, so October's close spares it.
    entry = TimeEntryFactory(
        ticket=ticket,
        agent=agent,
        work_type=remote,
        created_at=NOW,
        started_at=datetime(2026, 10, 31, 20, 0, tzinfo=UTC),
    )
    api_as(manager).post("/api/v1/billing/months/2026-10/close/")
    assert (
        api_as(agent).patch(f"/api/v1/time-entries/{entry.pk}/", {"minutes": 5}).status_code == 200
    )


def test_the_list_filters_by_organisation_agent_ticket_billable_and_period(
    api_as, agent, ticket, other_agent, remote
):
    first = TimeEntryFactory(
        ticket=ticket, agent=agent, work_type=remote, started_at=datetime(2026, 11, 2, tzinfo=UTC)
    )
    TimeEntryFactory(
        agent=other_agent,
        work_type=remote,
        started_at=datetime(2026, 11, 3, tzinfo=UTC),
        billable=False,
    )
    client = api_as(agent)

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/v1/time-entries/?{query}")
        assert response.status_code == 200, response.json()
        return [entry["id"] for entry in response.json()["results"]]

    assert ids(f"organization={ticket.organization_id}") == [first.pk]
    assert ids(f"agent={agent.pk}") == [first.pk]
    assert ids(f"ticket={ticket.pk}") == [first.pk]
    assert ids("billable=true") == [first.pk]
    assert ids("since=2026-11-02&until=2026-11-03") == [first.pk]
    assert ids("until=2026-11-02T00:00:00Z") == []
    for bad in ("since=yesterday", "billable=maybe", "agent=x", "until=2026-13-01"):
        response = client.get(f"/api/v1/time-entries/?{bad}")
        assert response.status_code == 400, bad
        assert bad.split("=")[0] in response.json()


def test_contacts_get_404_and_agents_403_on_manager_paths(
    api_as, contact, agent, ticket, remote, organization
):
    entry = TimeEntryFactory(ticket=ticket, agent=agent, work_type=remote)
    customer = api_as(contact)
    for path in (
        f"/api/v1/tickets/{ticket.pk}/time/",
        "/api/v1/time-entries/",
        f"/api/v1/time-entries/{entry.pk}/",
        "/api/v1/work-types/",
        f"/api/v1/work-types/{remote.pk}/",
        f"/api/v1/organizations/{organization.pk}/contract/",
        f"/api/v1/organizations/{organization.pk}/usage/?month=2026-11",
        "/api/v1/time-entries/export/?month=2026-11",
    ):
        assert customer.get(path).status_code == 404, path
    assert customer.post("/api/v1/billing/months/2026-11/close/").status_code == 404
    staff = api_as(agent)
    for path in (
        f"/api/v1/organizations/{organization.pk}/contract/",
        f"/api/v1/organizations/{organization.pk}/usage/?month=2026-11",
        "/api/v1/time-entries/export/?month=2026-11",
    ):
        assert staff.get(path).status_code == 403, path
    assert staff.post("/api/v1/billing/months/2026-11/close/").status_code == 403
    assert staff.post("/api/v1/work-types/", {"name": "Audit"}).status_code == 403
    assert staff.get("/api/v1/work-types/").status_code == 200
    assert api_as(None).get("/api/v1/time-entries/").status_code == 401
    assert not ClosedMonth.objects.exists()


def test_a_new_installation_has_the_four_work_types_and_managers_add_more(
    api_as, manager, work_types
):
    client = api_as(manager)
    names = [row["name"] for row in client.get("/api/v1/work-types/").json()["results"]]
    assert sorted(names) == ["On site", "Project", "Remote", "Travel"]
    made = client.post("/api/v1/work-types/", {"name": "Training"})
    assert made.status_code == 201
    assert made.json()["active"] is True
    retired = client.patch(f"/api/v1/work-types/{made.json()['id']}/", {"active": False})
    assert retired.json()["active"] is False
    assert client.post("/api/v1/work-types/", {"name": "remote"}).status_code == 400
