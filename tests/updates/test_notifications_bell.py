"""The bell's dropdown (the latest ten, mark all read) and the email settings page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import TicketFactory
from tests.tickets.helpers import client_for, htmx
from updates.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db


def notify_many(user, count: int) -> list[Notification]:
    ticket = TicketFactory()
    return [
        Notification.objects.create(
            recipient=user, ticket=ticket, kind=NotificationKind.MENTION, message=f"note {n}"
        )
        for n in range(count)
    ]


def test_the_dropdown_shows_the_latest_ten_newest_first(agent, other_agent):
    made = notify_many(agent, 12)
    notify_many(other_agent, 1)
    response = client_for(agent).get("/notifications/menu/", **htmx())
    assert response.status_code == 200
    content = response.content.decode()
    assert [n.pk for n in response.context["notifications"]] == [n.pk for n in made[:1:-1]]
    assert "Mark all read" in content
    assert 'href="/notifications/"' in content
    assert "note 11\n" in content or "note 11 " in content
    assert "note 1 " not in content
    assert "note 1\n" not in content


@pytest.mark.parametrize("count", [1, 25])
def test_the_bell_and_its_dropdown_run_a_fixed_number_of_queries(agent, count):
    notify_many(agent, count)
    client = client_for(agent)
    client.get("/notifications/menu/")  # session and user loaded once, as on any later request
    with CaptureQueriesContext(connection) as menu:
        client.get("/notifications/menu/", **htmx())
    with CaptureQueriesContext(connection) as bell:
        client.get("/notifications/bell/", **htmx())
    with CaptureQueriesContext(connection) as page:
        client.get("/notifications/")
    assert (len(menu), len(bell), len(page)) == (4, 3, 4), (
        [q["sql"] for q in menu.captured_queries],
        [q["sql"] for q in page.captured_queries],
    )


def test_mark_all_read_from_the_dropdown_redraws_it_and_the_bell(agent):
    notify_many(agent, 3)
    response = client_for(agent).post("/notifications/read-all/", {"from": "menu"}, **htmx())
    content = response.content.decode()
    assert 'id="bell" hx-swap-oob="true"' in content
    assert "Notifications: 0 unread" in content
    assert not Notification.objects.filter(recipient=agent, read_at__isnull=True).exists()


def test_without_javascript_the_bell_is_a_link_to_the_inbox(agent):
    content = client_for(agent).get("/notifications/").content.decode()
    assert '<a href="/notifications/" id="bell"' in content
    assert 'id="bell-menu"' in content
    assert "js/bell.js" in content


def test_email_settings_turn_email_off_per_kind(agent):
    client = client_for(agent)
    page = client.get("/account/notifications/")
    assert page.status_code == 200
    assert page.context["form"].initial["email_on"] == [
        "customer_reply",
        "handover",
        "new_ticket",
        "mention",
    ]
    response = client.post("/account/notifications/", {"email_on": ["handover", "mention"]})
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.notification_email_off == ["customer_reply", "new_ticket"]
    assert agent.wants_email_for("handover")
    assert not agent.wants_email_for("customer_reply")


def test_an_unknown_kind_in_the_settings_is_a_form_error_and_changes_nothing(agent):
    response = client_for(agent).post("/account/notifications/", {"email_on": ["due_soon"]})
    assert response.status_code == 400
    agent.refresh_from_db()
    assert agent.notification_email_off == []


def test_contacts_have_no_notification_settings(contact):
    assert client_for(contact).get("/account/notifications/").status_code == 403
