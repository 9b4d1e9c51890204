"""Optimistic concurrency on ticket PATCH: `expected_updated_at` (the staff pages' same check)."""

from tickets.models import Ticket


def test_a_patch_with_the_current_version_applies(api_client_for, agent, ticket):
    client = api_client_for(agent)
    seen = client.get(f"/api/v1/tickets/{ticket.pk}/").json()["updated_at"]
    response = client.patch(
        f"/api/v1/tickets/{ticket.pk}/", {"impact": 1, "expected_updated_at": seen}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["impact"] == 1
    assert "expected_updated_at" not in response.json()


def test_a_patch_against_a_stale_version_answers_409_and_writes_nothing(
    api_client_for, agent, other_agent, ticket
):
    mine, theirs = api_client_for(agent), api_client_for(other_agent)
    path = f"/api/v1/tickets/{ticket.pk}/"
    seen = mine.get(path).json()["updated_at"]
    assert theirs.patch(path, {"urgency": 1}).status_code == 200
    before = Ticket.objects.values("impact", "urgency", "updated_at").get(pk=ticket.pk)
    response = mine.patch(path, {"impact": 1, "expected_updated_at": seen})
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert "changed" in response.json()["detail"]
    assert Ticket.objects.values("impact", "urgency", "updated_at").get(pk=ticket.pk) == before


def test_a_patch_without_a_version_still_applies(api_client_for, agent, other_agent, ticket):
    path = f"/api/v1/tickets/{ticket.pk}/"
    assert api_client_for(other_agent).patch(path, {"urgency": 1}).status_code == 200
    assert api_client_for(agent).patch(path, {"impact": 1}).status_code == 200


def test_a_malformed_version_answers_400_naming_it(api_client_for, agent, ticket):
    response = api_client_for(agent).patch(
        f"/api/v1/tickets/{ticket.pk}/", {"impact": 1, "expected_updated_at": "2026-03-02 09:00"}
    )
    assert response.status_code == 400
    assert "expected_updated_at" in response.json()
    assert Ticket.objects.get(pk=ticket.pk).impact != 1
