"""What colour says, words say too (WCAG 1.4.1): a late promise reads "late" on the customer's
banner and in the staff queue, whatever colour it is drawn in."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.tickets.helpers import client_for, owned_ticket
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def late_ticket(agent, contact):
    ticket = owned_ticket(agent, organization=contact.organization, requester=contact, impact=1)
    Ticket.objects.filter(pk=ticket.pk).update(
        next_update_due=timezone.now() - timedelta(minutes=20)
    )
    return ticket


def test_the_customers_banner_says_the_update_is_late(contact, late_ticket):
    body = client_for(contact).get(f"/portal/tickets/{late_ticket.pk}/").content.decode()

    assert 'class="promise overdue"' in body
    assert "Late: next update was due by" in body


def test_the_banner_on_time_says_nothing_of_lateness(contact, late_ticket):
    Ticket.objects.filter(pk=late_ticket.pk).update(
        next_update_due=timezone.now() + timedelta(hours=1)
    )

    body = client_for(contact).get(f"/portal/tickets/{late_ticket.pk}/").content.decode()

    assert "Next update by" in body
    assert "Late:" not in body


def test_the_queue_says_late_in_words_and_names_the_priority(agent, late_ticket):
    body = client_for(agent).get("/?view=all").content.decode()

    assert 'class="row-late"' in body
    assert "20 min late</time>" in body
    assert '<span class="visually-hidden">late, was due' in body
    assert f">P{late_ticket.priority}</span>" in body
