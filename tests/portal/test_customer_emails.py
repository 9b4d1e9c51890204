"""The emails a customer gets lead back into the portal: acknowledgement and updates carry the
promise in the contact's own time zone and a link to the portal ticket page; the resolution links
to the ticket and to the feedback confirmation page (`portal:feedback`), all under SITE_URL.
Delivered through a real SMTP server (aiosmtpd)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from tests.factories import ContactFactory
from tests.updates.keeper_support import deliver, smtp_server, smtp_settings
from tickets.models import Status, Ticket
from updates import services as update_services
from updates.models import Feedback, OutboxMessage

__all__ = ["smtp_server", "smtp_settings"]

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
MONDAY_9_LONDON = datetime(2026, 3, 2, 9, 0, tzinfo=LONDON)  # 04:00 in New York
SITE = "https://help.northwind-msp.example"


@pytest.fixture
def new_yorker(organization):
    """A contact whose own time zone differs from the organisation's (Europe/London)."""
    return ContactFactory(
        name="Dana Brooks",
        email="dana@northwind.test",
        organization=organization,
        timezone="America/New_York",
    )


def deliver_customer_emails() -> None:
    pending = OutboxMessage.objects.filter(alert__isnull=True, sent_at__isnull=True)
    deliver(list(pending.values_list("pk", flat=True)))


def parts(message) -> tuple[str, str]:
    return (
        message.get_body(("plain",)).get_content(),
        message.get_body(("html",)).get_content(),
    )


def test_every_customer_email_carries_the_promise_in_their_zone_and_a_portal_link(
    client, new_yorker, agent, smtp_settings, settings
):
    settings.SITE_URL = SITE
    client.force_login(new_yorker)
    with time_machine.travel(MONDAY_9_LONDON, tick=False) as traveller:
        client.post(
            reverse("portal:new_request"),
            {
                "subject": "Tills will not print receipts",
                "description": "Printer offline on all three tills.",
                "impact": "team_stopped",  # P2: first response within the hour, 24x7
                "urgency": "within_hours",
                "people_affected": "3",
                "preferred_contact": "email",
            },
        )
        ticket = Ticket.objects.get()
        deliver_customer_emails()
        traveller.move_to(MONDAY_9_LONDON + timedelta(minutes=20))
        update_services.add_internal_note(ticket, author=agent, body="CANARY-EMAIL-NOTE")
        update_services.post_public_update(
            ticket,
            author=agent,
            body="We are resetting the till printers now.",
            next_update_due=datetime(2026, 3, 2, 14, 0, tzinfo=LONDON),
        )
        deliver_customer_emails()
        traveller.move_to(MONDAY_9_LONDON + timedelta(hours=2))
        update_services.post_public_update(
            ticket, author=agent, body="All three tills print again.", status=Status.RESOLVED
        )
        deliver_customer_emails()

    ticket_link = SITE + reverse("portal:ticket", args=[ticket.pk])
    feedback_link = SITE + reverse("portal:feedback", args=[ticket.pk])
    acknowledgement, update, resolution = smtp_settings.to(new_yorker.email)
    for message, promise in (
        (acknowledgement, "Next update by 05:00 your time, or sooner."),  # 10:00 London
        (update, "Next update by 09:00 your time, or sooner."),  # 14:00 London
    ):
        for part in parts(message):
            assert promise in part
            assert ticket_link in part
            assert "CANARY-EMAIL-NOTE" not in part
    for part in parts(resolution):
        assert ticket_link in part
        assert feedback_link in part
        assert "Next update by" not in part  # nothing is owed once resolved
        assert "CANARY-EMAIL-NOTE" not in part

    # The feedback link opens the confirmation page and records nothing by itself.
    page = client.get(feedback_link.removeprefix(SITE))
    assert page.status_code == 200
    assert "Were you kept informed?" in page.content.decode()
    assert not Feedback.objects.exists()
