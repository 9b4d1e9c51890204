import pytest

from tickets import services as ticket_services
from tickets.models import Status
from updates.models import Feedback, Loss, LossCategory


def confirm_url(ticket) -> str:
    return f"/api/v1/tickets/{ticket.pk}/confirm-understanding/"


def feedback_url(ticket) -> str:
    return f"/api/v1/tickets/{ticket.pk}/feedback/"


@pytest.fixture
def restated_ticket(ticket, agent):
    ticket_services.assign_owner(ticket, owner=agent, by=agent)
    return ticket_services.restate_problem(
        ticket, problem_statement="The floor 2 printer jams on duplex jobs", by=agent
    )


@pytest.fixture
def resolved_ticket(ticket, agent):
    return ticket_services.change_status(ticket, status=Status.RESOLVED, by=agent)


def test_a_contact_confirms_our_understanding(api_client_for, contact, restated_ticket):
    response = api_client_for(contact).post(confirm_url(restated_ticket))
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == restated_ticket.pk
    assert body["understanding_confirmed_at"] is not None
    restated_ticket.refresh_from_db()
    assert restated_ticket.understanding_confirmed_at is not None


def test_confirming_twice_keeps_the_first_confirmation(api_client_for, contact, restated_ticket):
    client = api_client_for(contact)
    first = client.post(confirm_url(restated_ticket)).json()["understanding_confirmed_at"]
    second = client.post(confirm_url(restated_ticket), {}, format="json").json()
    assert second["understanding_confirmed_at"] == first


def test_there_is_nothing_to_confirm_before_the_problem_is_restated(
    api_client_for, contact, ticket
):
    response = api_client_for(contact).post(confirm_url(ticket))
    assert response.status_code == 400
    assert "problem_statement" in response.json()


def test_confirm_understanding_takes_no_fields(api_client_for, contact, restated_ticket):
    response = api_client_for(contact).post(
        confirm_url(restated_ticket), {"confirmed": True}, format="json"
    )
    assert response.status_code == 400
    assert "confirmed" in response.json()
    restated_ticket.refresh_from_db()
    assert restated_ticket.understanding_confirmed_at is None


def test_staff_cannot_confirm_on_the_customers_behalf(api_client_for, agent, restated_ticket):
    response = api_client_for(agent).post(confirm_url(restated_ticket))
    assert response.status_code == 403
    restated_ticket.refresh_from_db()
    assert restated_ticket.understanding_confirmed_at is None


def test_a_contact_rates_a_resolved_ticket(api_client_for, contact, resolved_ticket):
    response = api_client_for(contact).post(
        feedback_url(resolved_ticket),
        {"kept_informed": 5, "resolved": 4, "comment": "Quick and clear"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["kept_informed"], body["resolved"], body["comment"]) == (5, 4, "Quick and clear")
    assert body["ticket"] == resolved_ticket.pk
    assert Feedback.objects.get(ticket=resolved_ticket).author == contact
    assert not Loss.objects.exists()


def test_a_low_kept_informed_score_records_a_missed_update_loss(
    api_client_for, contact, resolved_ticket
):
    api_client_for(contact).post(
        feedback_url(resolved_ticket), {"kept_informed": 1, "resolved": 4}, format="json"
    )
    loss = Loss.objects.get()
    assert loss.category == LossCategory.MISSED_UPDATE
    assert loss.ticket == resolved_ticket


def test_feedback_waits_for_the_resolution(api_client_for, contact, ticket):
    response = api_client_for(contact).post(
        feedback_url(ticket), {"kept_informed": 5, "resolved": 5}, format="json"
    )
    assert response.status_code == 400
    assert "ticket" in response.json()
    assert not Feedback.objects.exists()


def test_feedback_is_given_once(api_client_for, contact, resolved_ticket):
    client = api_client_for(contact)
    client.post(feedback_url(resolved_ticket), {"kept_informed": 5, "resolved": 5}, format="json")
    again = client.post(
        feedback_url(resolved_ticket), {"kept_informed": 1, "resolved": 1}, format="json"
    )
    assert again.status_code == 400
    assert Feedback.objects.get().kept_informed == 5
    assert not Loss.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kept_informed": 6, "resolved": 3}, "kept_informed"),
        ({"kept_informed": 3, "resolved": 0}, "resolved"),
        ({"kept_informed": "5", "resolved": 3}, "kept_informed"),
        ({"resolved": 3}, "kept_informed"),
        ({"kept_informed": 3, "resolved": 3, "comment": "x" * 50_001}, "comment"),
        ({"kept_informed": 3, "resolved": 3, "stars": 5}, "stars"),
    ],
)
def test_bad_feedback_answers_400_naming_the_field(
    api_client_for, contact, resolved_ticket, payload, field
):
    response = api_client_for(contact).post(feedback_url(resolved_ticket), payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Feedback.objects.exists()


def test_staff_cannot_give_feedback(api_client_for, agent, resolved_ticket):
    response = api_client_for(agent).post(
        feedback_url(resolved_ticket), {"kept_informed": 5, "resolved": 5}, format="json"
    )
    assert response.status_code == 403
    assert not Feedback.objects.exists()
