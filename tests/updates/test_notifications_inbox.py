"""The notifications bell and inbox: unread count, list, marking read; only one's own."""

import pytest

from tests.factories import TicketFactory
from tests.tickets.helpers import client_for, htmx
from updates.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db


def notify(user, ticket, kind=NotificationKind.DUE_SOON, message="Update due in 10 min"):
    return Notification.objects.create(recipient=user, ticket=ticket, kind=kind, message=message)


def test_bell_in_the_header_shows_the_unread_count(agent, other_agent):
    ticket = TicketFactory()
    notify(agent, ticket)
    notify(agent, ticket, kind=NotificationKind.BREACHED)
    notify(other_agent, ticket)
    read = notify(agent, ticket)
    read.read_at = read.created_at
    read.save()
    content = client_for(agent).get("/").content.decode()
    assert 'aria-label="Notifications: 2 unread"' in content
    assert '<span class="badge">2</span>' in content


def test_bell_fragment_for_polling(agent):
    notify(agent, TicketFactory())
    response = client_for(agent).get("/notifications/bell/", **htmx())
    assert response.status_code == 200
    assert "1 unread" in response.content.decode()


def test_inbox_lists_only_my_notifications_newest_first(agent, other_agent):
    ticket = TicketFactory()
    older = notify(agent, ticket, message="older")
    newer = notify(agent, ticket, message="newer")
    notify(other_agent, ticket, message="not mine")
    response = client_for(agent).get("/notifications/")
    assert response.context["notifications"] == [newer, older]
    assert "not mine" not in response.content.decode()


def test_inbox_pages_by_id_without_counting(agent):
    ticket = TicketFactory()
    made = [notify(agent, ticket, message=f"n{index}") for index in range(35)]
    client = client_for(agent)
    first = client.get("/notifications/")
    assert len(first.context["notifications"]) == 30
    second = client.get(f"/notifications/{first.context['next_url']}")
    assert [n.pk for n in second.context["notifications"]] == [n.pk for n in made[4::-1]]


def test_mark_one_read(agent):
    notification = notify(agent, TicketFactory())
    response = client_for(agent).post(f"/notifications/{notification.pk}/read/")
    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.read


def test_mark_read_with_htmx_updates_the_row_and_the_bell(agent):
    notification = notify(agent, TicketFactory())
    notify(agent, TicketFactory())
    response = client_for(agent).post(f"/notifications/{notification.pk}/read/", **htmx())
    content = response.content.decode()
    assert f'id="notification-{notification.pk}"' in content
    assert 'hx-swap-oob="true"' in content
    assert "1 unread" in content


def test_open_marks_read_and_goes_to_the_ticket(agent):
    ticket = TicketFactory()
    notification = notify(agent, ticket)
    response = client_for(agent).post(f"/notifications/{notification.pk}/read/", {"open": "1"})
    assert response["Location"] == f"/tickets/{ticket.pk}/"
    notification.refresh_from_db()
    assert notification.read


def test_nobody_marks_someone_elses_notification(agent, other_agent):
    notification = notify(other_agent, TicketFactory())
    response = client_for(agent).post(f"/notifications/{notification.pk}/read/")
    assert response.status_code == 404
    notification.refresh_from_db()
    assert not notification.read


def test_mark_all_read_touches_only_mine(agent, other_agent):
    ticket = TicketFactory()
    notify(agent, ticket)
    notify(agent, ticket)
    theirs = notify(other_agent, ticket)
    client_for(agent).post("/notifications/read-all/")
    assert not Notification.objects.filter(recipient=agent, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert not theirs.read


def test_notifications_are_for_staff_only(client, contact):
    assert client.get("/notifications/").status_code == 302
    assert client_for(contact).get("/notifications/").status_code == 403
