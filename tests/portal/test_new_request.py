"""Raising a new request: plain-word answers, contact preferences, and the first-response promise."""

import html
from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from tickets.models import Status, Ticket

pytestmark = pytest.mark.django_db
NEW = reverse("portal:new_request")
TUESDAY_10_LONDON = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)


def answers(**overrides):
    data = {
        "subject": "Tills won't print receipts",
        "description": "All three tills show 'printer offline' since opening.",
        "impact": "team_stopped",
        "urgency": "within_hours",
        "people_affected": "6",
        "preferred_contact": "phone",
        "contact_details": "+44 20 7946 0000",
        "best_times": "Before 11am",
        "needed_by": "",
    }
    data.update(overrides)
    return data


def test_the_form_asks_its_questions_in_plain_words(portal_client):
    body = portal_client.get(NEW).content.decode()

    assert "How much of your business is affected?" in body
    assert "Our whole business has stopped" in body
    assert "How soon do you need it fixed?" in body
    assert "How many people are affected?" in body
    assert "How should we contact you?" in body
    assert "When are you best reached?" in body


def test_a_request_becomes_a_ticket_with_impact_urgency_and_priority(portal_client, contact):
    response = portal_client.post(NEW, answers())

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:ticket", args=[ticket.pk]) + "?new=1"
    assert (ticket.impact, ticket.urgency, ticket.priority) == (2, 2, 2)
    assert ticket.organization == contact.organization
    assert ticket.requester == contact
    assert ticket.created_by == contact
    assert ticket.status == Status.NEW
    assert ticket.people_affected == 6
    assert ticket.preferred_contact == "phone"
    assert ticket.contact_details == "+44 20 7946 0000"
    assert ticket.best_times == "Before 11am"


def test_after_submitting_the_customer_sees_the_first_response_promise(portal_client):
    with time_machine.travel(TUESDAY_10_LONDON, tick=False):
        # One person, within days: P3, first response within 4 business hours.
        response = portal_client.post(
            NEW, answers(impact="one_person", urgency="within_days"), follow=True
        )

    body = response.content.decode()
    assert "Thanks, we've got it." in body
    assert "We'll reply by 14:00 today, your time, or sooner." in body


def test_the_promise_is_told_in_the_contacts_own_time_zone(client, contact):
    contact.timezone = "Australia/Sydney"
    contact.save()
    client.force_login(contact)
    with time_machine.travel(TUESDAY_10_LONDON, tick=False):
        response = client.post(
            NEW, answers(impact="one_person", urgency="within_days"), follow=True
        )

    # 14:00 in London on 3 March is 01:00 on 4 March in Sydney (UTC+11).
    assert "We'll reply by 01:00 tomorrow, your time" in response.content.decode()


def test_needed_by_is_read_in_the_contacts_time_zone(client, contact):
    contact.timezone = "America/New_York"
    contact.save()
    client.force_login(contact)
    with time_machine.travel(TUESDAY_10_LONDON, tick=False):
        client.post(NEW, answers(needed_by="2026-03-06T17:00"))

    assert Ticket.objects.get().needed_by == datetime(2026, 3, 6, 22, 0, tzinfo=UTC)


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
@pytest.mark.parametrize("needed_by", ["9999-12-31T23:59", "0001-01-01T00:00", "2100-01-02T12:00"])
def test_a_deadline_beyond_the_years_allowed_is_a_form_error(client, contact, zone, needed_by):
    contact.timezone = zone  # +14:00 and -11:00: the far ends of the world's clocks
    contact.save()
    client.force_login(contact)

    response = client.post(NEW, answers(needed_by=needed_by))

    assert response.status_code == 400
    assert "Give a date between 2000 and 2099." in response.content.decode()
    assert not Ticket.objects.exists()


def test_a_deadline_in_the_past_is_refused_and_nothing_is_written(portal_client):
    with time_machine.travel(TUESDAY_10_LONDON, tick=False):
        response = portal_client.post(NEW, answers(needed_by="2026-03-01T09:00"))

    assert response.status_code == 400
    assert "This time has already passed" in response.content.decode()
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("subject", "", "Tell us in a few words what's wrong."),
        ("impact", "", "Choose how much of your business is affected."),
        ("subject", "x" * 201, "Keep it to 200 characters or fewer"),
        ("impact", "everything", "Choose one of the options."),
        ("urgency", "1", "Choose one of the options."),
        ("people_affected", "0", "Use a number of at least 1."),
        ("people_affected", "lots", "Write a whole number, such as 3."),
        ("preferred_contact", "carrier_pigeon", "Choose one of the options."),
        (
            "needed_by",
            "next tuesday",
            "Pick a date and time, or write one such as 2026-03-02 14:30.",
        ),
    ],
)
def test_bad_answers_answer_400_naming_the_field(portal_client, field, value, message):
    response = portal_client.post(NEW, answers(**{field: value}))

    assert response.status_code == 400
    assert message in html.unescape(response.content.decode())
    assert field in response.context["form"].errors
    assert not Ticket.objects.exists()


def test_phone_as_the_contact_method_needs_a_number(portal_client):
    response = portal_client.post(NEW, answers(contact_details=""))

    assert response.status_code == 400
    assert "Give the phone number we should call." in response.content.decode()
    assert not Ticket.objects.exists()


def test_email_as_the_contact_method_needs_nothing_more(portal_client):
    portal_client.post(NEW, answers(preferred_contact="email", contact_details="", best_times=""))

    ticket = Ticket.objects.get()
    assert ticket.preferred_contact == "email"
    assert ticket.best_times == ""
