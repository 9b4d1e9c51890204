"""Notifications, the overdue list and losses."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import TicketFactory
from tickets import services as ticket_services
from tickets.models import Status
from updates.models import Loss, LossCategory, Notification, NotificationKind

NOTIFICATIONS = "/api/v1/notifications/"
OVERDUE = "/api/v1/overdue/"
LOSSES = "/api/v1/losses/"


def notify(recipient, ticket, kind=NotificationKind.BREACHED) -> Notification:
    return Notification.objects.create(
        recipient=recipient, kind=kind, ticket=ticket, message=f"{ticket.reference}: late"
    )


# Notifications


def test_notifications_list_the_callers_own_newest_first(api_client_for, agent, ticket):
    older = notify(agent, ticket, NotificationKind.DUE_SOON)
    newer = notify(agent, ticket, NotificationKind.BREACHED)
    rows = api_client_for(agent).get(NOTIFICATIONS).json()["results"]
    assert [row["id"] for row in rows] == [newer.pk, older.pk]
    assert rows[0] == {
        "id": newer.pk,
        "kind": "breached",
        "ticket": ticket.pk,
        "ticket_reference": ticket.reference,
        "message": newer.message,
        "created_at": rows[0]["created_at"],
        "read": False,
    }


def test_a_notification_is_marked_read_and_unread(api_client_for, agent, ticket):
    note = notify(agent, ticket)
    client = api_client_for(agent)
    read = client.patch(f"{NOTIFICATIONS}{note.pk}/", {"read": True}, format="json")
    assert read.status_code == 200
    assert read.json()["read"] is True
    note.refresh_from_db()
    assert note.read_at is not None
    unread = client.patch(f"{NOTIFICATIONS}{note.pk}/", {"read": False}, format="json")
    assert unread.json()["read"] is False


@pytest.mark.parametrize("payload", [{}, {"read": "yes"}, {"read": 1}, {"read": True, "kind": "x"}])
def test_bad_notification_changes_answer_400(api_client_for, agent, ticket, payload):
    note = notify(agent, ticket)
    response = api_client_for(agent).patch(f"{NOTIFICATIONS}{note.pk}/", payload, format="json")
    assert response.status_code == 400
    note.refresh_from_db()
    assert note.read_at is None


def test_mark_all_read_marks_only_mine(api_client_for, agent, other_agent, ticket):
    for _ in range(3):
        notify(agent, ticket)
    theirs = notify(other_agent, ticket)
    response = api_client_for(agent).post(f"{NOTIFICATIONS}mark-all-read/")
    assert response.json() == {"marked": 3}
    assert not Notification.objects.filter(recipient=agent, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_notification_list_runs_constant_queries(
    api_client_for, agent, ticket, django_assert_num_queries
):
    client = api_client_for(agent)
    notify(agent, ticket)
    with CaptureQueriesContext(connection) as one:
        client.get(NOTIFICATIONS)
    for _ in range(19):
        notify(agent, TicketFactory(organization=ticket.organization))
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(client.get(NOTIFICATIONS).json()["results"]) == 20


# Overdue


def test_overdue_lists_breached_promises_most_late_first_with_minutes_late(
    api_client_for, agent, organization
):
    start = timezone.now()
    p1 = TicketFactory(organization=organization, impact=1, urgency=1)  # due +15 min
    p2 = TicketFactory(organization=organization, impact=1, urgency=3)  # due +60 min
    TicketFactory(organization=organization, impact=4, urgency=4)
    paused = TicketFactory(organization=organization, impact=1, urgency=1)
    ticket_services.change_status(paused, status=Status.WAITING_ON_CUSTOMER, by=agent)
    resolved = TicketFactory(organization=organization, impact=1, urgency=1)
    ticket_services.change_status(resolved, status=Status.RESOLVED, by=agent)

    with time_machine.travel(start + timedelta(minutes=90), tick=False):
        rows = api_client_for(agent).get(OVERDUE).json()["results"]
    assert [row["id"] for row in rows] == [p1.pk, p2.pk]
    assert rows[0]["minutes_late"] in (74, 75)
    assert rows[1]["minutes_late"] in (29, 30)
    assert rows[0]["reference"] == p1.reference
    assert rows[0]["update_overdue"] is True


def test_overdue_runs_constant_queries(
    api_client_for, agent, organization, django_assert_num_queries
):
    client = api_client_for(agent)
    start = timezone.now()
    TicketFactory(organization=organization, impact=1, urgency=1)
    later = start + timedelta(hours=2)
    with time_machine.travel(later, tick=False), CaptureQueriesContext(connection) as one:
        client.get(OVERDUE)
    for _ in range(19):
        TicketFactory(organization=organization, impact=1, urgency=1, owner=agent)
    with (
        time_machine.travel(later, tick=False),
        django_assert_num_queries(len(one.captured_queries)),
    ):
        assert client.get(OVERDUE).json()["count"] == 20


# Losses


def test_a_manager_records_a_loss_and_lists_it(api_client_for, manager, ticket):
    client = api_client_for(manager)
    response = client.post(
        LOSSES,
        {"ticket": ticket.pk, "category": "slow_response", "description": "Waited a day"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["organization"] == ticket.organization_id  # taken from the ticket
    assert body["recorded_by"] == manager.pk
    assert body["category"] == "slow_response"
    listed = client.get(LOSSES).json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]
    assert client.get(LOSSES, {"category": "wrong_fix"}).json()["count"] == 0


def test_a_loss_without_a_ticket_names_its_organisation(api_client_for, manager, organization):
    response = api_client_for(manager).post(
        LOSSES, {"organization": organization.pk, "category": "other"}, format="json"
    )
    assert response.status_code == 201
    assert Loss.objects.get().ticket is None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"category": "other"}, "organization"),
        ({"category": "bad_luck", "organization": "ORG"}, "category"),
        ({"category": "other", "organization": 99999}, "organization"),
        ({"category": "other", "ticket": 99999}, "ticket"),
        ({"category": "other", "ticket": "TICKET", "organization": "OTHER"}, "ticket"),
    ],
)
def test_bad_losses_answer_400_naming_the_field(
    api_client_for, manager, ticket, other_organization, payload, field
):
    payload = {
        key: {
            "ORG": ticket.organization_id,
            "TICKET": ticket.pk,
            "OTHER": other_organization.pk,
        }.get(value, value)
        for key, value in payload.items()
    }
    response = api_client_for(manager).post(LOSSES, payload, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert not Loss.objects.exists()


def test_losses_are_for_managers_only(api_client_for, agent, organization):
    client = api_client_for(agent)
    assert client.get(LOSSES).status_code == 403
    response = client.post(
        LOSSES, {"organization": organization.pk, "category": LossCategory.OTHER}, format="json"
    )
    assert response.status_code == 403
    assert not Loss.objects.exists()
