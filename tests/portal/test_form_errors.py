"""Every portal form shows its field errors in place and keeps what the customer typed, both as a
plain form post (no JavaScript: the whole page again, 400) and over htmx (only the form's fragment,
400, which the portal's htmx config swaps in). Nothing is written while a form has errors; a
successful htmx post navigates to the result page (HX-Redirect) instead of swapping a page into a
fragment."""

import re

import pytest
from django.urls import reverse

from tickets import services as ticket_services
from tickets.models import Status, Ticket
from updates import services as update_services
from updates.models import EntryKind, Feedback, TimelineEntry

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
TYPED = "Typed-by-the-customer 7f3a"


@pytest.fixture
def restated_ticket(agent, ticket):
    ticket_services.take_ownership(ticket, by=agent)
    ticket_services.restate_problem(ticket, problem_statement="The printer jams.", by=agent)
    return ticket


def new_request_missing_answers():
    # Subject and description typed, the two plain-word questions left unanswered.
    return {"subject": TYPED, "description": "It jams.", "people_affected": "2"}


# (url maker, bad data, the field's error message, the fragment's first tag)
CASES = {
    "new request": (
        lambda ticket: reverse("portal:new_request"),
        new_request_missing_answers(),
        "Choose how much of your business is affected.",
        '<form method="post" action="/portal/new/" class="card request-form"',
    ),
    "reply": (
        lambda ticket: reverse("portal:reply", args=[ticket.pk]),
        {"body": TYPED + "x" * 50_000},
        "Keep it to 50000 characters or fewer",
        '<section class="card conversation" id="conversation"',
    ),
    "not quite": (
        lambda ticket: reverse("portal:not_quite", args=[ticket.pk]),
        {"body": TYPED + "x" * 50_000},
        "Keep it to 50000 characters or fewer",
        '<section class="card understanding" id="understanding"',
    ),
    "feedback": (
        lambda ticket: reverse("portal:feedback", args=[ticket.pk]),
        {"kept_informed": "9", "comment": TYPED},
        "Choose a score from 1 to 5.",
        '<div id="feedback-form"',
    ),
}


def nothing_written(ticket_count: int) -> None:
    assert Ticket.objects.count() == ticket_count
    assert not TimelineEntry.objects.filter(kind=EntryKind.CUSTOMER_REPLY).exists()
    assert not Feedback.objects.exists()


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("over_htmx", [False, True], ids=["plain post", "htmx"])
def test_a_form_with_errors_shows_them_in_place_and_keeps_what_was_typed(
    portal_client, agent, restated_ticket, case, over_htmx
):
    url_for, data, error, fragment_start = CASES[case]
    if case == "feedback":
        ticket_services.change_status(restated_ticket, status=Status.RESOLVED, by=agent)
    tickets_before = Ticket.objects.count()

    response = portal_client.post(url_for(restated_ticket), data, headers=HTMX if over_htmx else {})

    body = response.content.decode()
    assert response.status_code == 400
    assert error in body
    assert 'class="field-error"' in body
    assert TYPED in body
    if over_htmx:
        assert body.lstrip().startswith(fragment_start)
        assert "<html" not in body
    else:
        assert body.lstrip().startswith("<!doctype html>")
        assert fragment_start in body
    nothing_written(tickets_before)


def test_the_not_quite_form_stays_open_with_its_error_on_a_plain_post(
    portal_client, restated_ticket
):
    response = portal_client.post(
        reverse("portal:not_quite", args=[restated_ticket.pk]), {"body": ""}
    )

    assert '<details class="not-quite" open>' in response.content.decode()


def test_new_request_errors_name_each_unanswered_question(portal_client):
    response = portal_client.post(
        reverse("portal:new_request"), new_request_missing_answers(), headers=HTMX
    )

    form = response.context["form"]
    assert set(form.errors) == {"impact", "urgency", "preferred_contact"}
    assert "Please check the answers marked below." in response.content.decode()


def test_a_phone_contact_without_a_number_is_asked_for_it_in_place(portal_client):
    data = {
        **new_request_missing_answers(),
        "impact": "minor",
        "urgency": "whenever",
        "preferred_contact": "phone",
    }

    response = portal_client.post(reverse("portal:new_request"), data, headers=HTMX)

    assert response.status_code == 400
    assert "Give the phone number we should call." in response.content.decode()
    # The answers already given stay chosen.
    assert re.search(r'value="minor"[^>]*checked', response.content.decode())
    assert not Ticket.objects.exists()


def test_a_successful_htmx_new_request_navigates_to_the_ticket(portal_client):
    data = {
        **new_request_missing_answers(),
        "impact": "minor",
        "urgency": "whenever",
        "preferred_contact": "email",
    }

    response = portal_client.post(reverse("portal:new_request"), data, headers=HTMX)

    ticket = Ticket.objects.get()
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("portal:ticket", args=[ticket.pk]) + "?new=1"


def test_successful_htmx_feedback_and_not_quite_navigate_back_to_the_ticket(
    portal_client, restated_ticket, agent
):
    ticket_url = reverse("portal:ticket", args=[restated_ticket.pk])

    not_quite = portal_client.post(
        reverse("portal:not_quite", args=[restated_ticket.pk]),
        {"body": "It is the other printer."},
        headers=HTMX,
    )
    ticket_services.change_status(restated_ticket, status=Status.RESOLVED, by=agent)
    feedback = portal_client.post(
        reverse("portal:feedback", args=[restated_ticket.pk]),
        {"kept_informed": "4", "resolved": "5"},
        headers=HTMX,
    )

    assert not_quite["HX-Redirect"] == ticket_url
    assert feedback["HX-Redirect"] == ticket_url
    assert Feedback.objects.filter(ticket=restated_ticket).exists()
    # The flash message waits for the page the browser now loads.
    assert "Thank you for your feedback" in portal_client.get(ticket_url).content.decode()


def test_an_htmx_reply_that_reopens_the_ticket_also_refreshes_the_promise(
    portal_client, agent, ticket
):
    ticket_services.take_ownership(ticket, by=agent)
    update_services.post_public_update(
        ticket, author=agent, body="Which floor?", status=Status.WAITING_ON_CUSTOMER
    )

    response = portal_client.post(
        reverse("portal:reply", args=[ticket.pk]), {"body": "Second floor."}, headers=HTMX
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="promise"' in body
    assert 'hx-swap-oob="true"' in body
    assert "Next update by" in body
    assert "We're waiting for your reply" not in body
    assert "Thanks, your reply is with us. We'll update you by" in body


def test_the_portal_tells_htmx_to_swap_error_responses(portal_client):
    body = portal_client.get(reverse("portal:new_request")).content.decode()

    assert '<meta name="htmx-config"' in body
    assert '"code": "40[09]", "swap": true, "error": false' in body
