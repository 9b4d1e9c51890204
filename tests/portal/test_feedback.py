"""Feedback after resolution: a confirmation page (GET records nothing), low scores record a loss."""

import pytest
from django.urls import reverse

from tickets import services as ticket_services
from tickets.models import Status
from updates.models import Feedback, Loss, LossCategory

pytestmark = pytest.mark.django_db


@pytest.fixture
def resolved_ticket(agent, ticket):
    ticket_services.take_ownership(ticket, by=agent)
    ticket_services.change_status(ticket, status=Status.RESOLVED, by=agent)
    return ticket


def feedback_url(ticket):
    return reverse("portal:feedback", args=[ticket.pk])


def test_following_a_link_with_scores_only_prefills_the_form(portal_client, resolved_ticket):
    response = portal_client.get(
        feedback_url(resolved_ticket), {"kept_informed": "1", "resolved": "2"}
    )

    assert response.status_code == 200
    assert not Feedback.objects.exists()
    assert not Loss.objects.exists()
    assert response.context["form"].initial == {"kept_informed": "1", "resolved": "2"}
    assert "Were you kept informed?" in response.content.decode()


def test_prefill_ignores_values_outside_1_to_5(portal_client, resolved_ticket):
    response = portal_client.get(feedback_url(resolved_ticket), {"kept_informed": "9"})

    assert response.context["form"].initial == {}


def test_good_scores_are_recorded_without_a_loss(portal_client, contact, resolved_ticket):
    response = portal_client.post(
        feedback_url(resolved_ticket),
        {"kept_informed": "5", "resolved": "4", "comment": "Quick and clear."},
    )

    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert (feedback.kept_informed, feedback.resolved) == (5, 4)
    assert feedback.author == contact
    assert feedback.comment == "Quick and clear."
    assert not Loss.objects.exists()


def test_a_low_kept_informed_score_records_a_missed_update_loss(portal_client, resolved_ticket):
    portal_client.post(feedback_url(resolved_ticket), {"kept_informed": "1", "resolved": "4"})

    loss = Loss.objects.get()
    assert loss.category == LossCategory.MISSED_UPDATE
    assert loss.ticket == resolved_ticket
    assert loss.organization == resolved_ticket.organization


def test_a_low_solved_score_records_a_wrong_fix_loss(portal_client, resolved_ticket):
    portal_client.post(
        feedback_url(resolved_ticket),
        {"kept_informed": "4", "resolved": "2", "comment": "Still jams."},
    )

    loss = Loss.objects.get()
    assert loss.category == LossCategory.WRONG_FIX
    assert loss.description == "Still jams."


def test_feedback_is_given_once(portal_client, resolved_ticket):
    portal_client.post(feedback_url(resolved_ticket), {"kept_informed": "5", "resolved": "5"})

    again = portal_client.post(
        feedback_url(resolved_ticket), {"kept_informed": "1", "resolved": "1"}
    )
    page = portal_client.get(feedback_url(resolved_ticket))

    assert again.status_code == 409
    assert Feedback.objects.get().kept_informed == 5
    assert not Loss.objects.exists()
    assert "already given feedback" in page.content.decode()


def test_feedback_waits_for_the_resolution(portal_client, ticket):
    page = portal_client.get(feedback_url(ticket))
    post = portal_client.post(feedback_url(ticket), {"kept_informed": "1", "resolved": "1"})

    assert "Feedback opens once this request is resolved." in page.content.decode()
    assert post.status_code == 409
    assert not Feedback.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"kept_informed": "0", "resolved": "3"},
        {"kept_informed": "3", "resolved": "6"},
        {"kept_informed": "three", "resolved": "3"},
        {"resolved": "3"},
    ],
)
def test_bad_scores_answer_400_and_record_nothing(portal_client, resolved_ticket, data):
    response = portal_client.post(feedback_url(resolved_ticket), data)

    assert response.status_code == 400
    assert "Choose a score from 1 to 5." in response.content.decode()
    assert not Feedback.objects.exists()


def test_the_ticket_page_invites_feedback_once_resolved(portal_client, resolved_ticket):
    body = portal_client.get(reverse("portal:ticket", args=[resolved_ticket.pk])).content.decode()

    assert "How did we do?" in body
    assert feedback_url(resolved_ticket) in body
