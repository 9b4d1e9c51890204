"""Every path under /api/ answers errors in the API's JSON format; the pages answer HTML."""

from datetime import timedelta

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from api.tickets import TicketViewSet
from tests.factories import PASSWORD

JSON = "application/json"


def bearer(user) -> dict[str, str]:
    token, _ = Token.objects.get_or_create(user=user)
    return {"Authorization": f"Token {token.key}"}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/tickets/%0A/",
        "/api/v1/%0A",
        "/api/v1/tickets/1/%0Aupdates/",
        "/api/%0D%0A",
        "/api/v1/tickets/%00/",
        "/api/v1/no-such-thing/",
    ],
)
def test_unknown_api_paths_answer_json_404_even_with_encoded_control_characters(
    client, agent, path
):
    response = client.get(path, headers=bearer(agent))

    assert response.status_code == 404
    assert response["Content-Type"] == JSON
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_unknown_pages_still_answer_the_html_404(client, agent):
    client.force_login(agent)

    response = client.get("/no-such-page/%0A/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def test_the_token_endpoint_locks_out_in_json(axes_on, client, agent):
    for _ in range(5):
        client.post("/api/v1/auth/token/", {"username": agent.email, "password": "guess"}, JSON)

    response = client.post(
        "/api/v1/auth/token/", {"username": agent.email, "password": PASSWORD}, JSON
    )

    assert response.status_code == 429
    assert response["Content-Type"] == JSON
    assert response.json()["code"] == "throttled"
    assert "15 minutes" in response.json()["detail"]
    assert response["Retry-After"] == "900"


def test_the_portal_lockout_stays_a_page(axes_on, client, contact):
    for _ in range(6):
        response = client.post("/portal/login/", {"username": contact.email, "password": "x"})

    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()


def test_a_server_error_under_the_api_answers_json(client, agent, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(TicketViewSet, "list", fail)
    client = Client(raise_request_exception=False)

    response = client.get("/api/v1/tickets/", headers=bearer(agent))

    assert response.status_code == 500
    assert response["Content-Type"] == JSON
    assert response.json() == {"detail": "Server error.", "code": "server_error"}


def test_a_server_error_on_a_page_answers_html(agent, monkeypatch):
    monkeypatch.setattr("tickets.views.QueueControls", None)
    client = Client(raise_request_exception=False)
    client.force_login(agent)

    response = client.get("/")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("delete", "/api/v1/overdue/"),
        ("put", "/api/v1/auth/token/"),
        ("post", "/api/schema/"),
        ("post", "/api/docs/"),
    ],
)
def test_a_method_the_api_does_not_allow_answers_json_405(client, agent, method, path):
    response = getattr(client, method)(path, headers=bearer(agent))

    assert response.status_code == 405
    assert response["Content-Type"] == JSON
    assert response.json()["code"] == "method_not_allowed"


def test_a_refused_api_call_answers_json_403(client, contact):
    response = client.get("/api/v1/losses/", headers=bearer(contact))

    assert response.status_code in (403, 404)
    assert response["Content-Type"] == JSON


def test_a_failed_csrf_check_under_the_api_answers_json_403(agent):
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)

    response = client.post("/api/v1/tickets/", {}, JSON)

    assert response.status_code == 403
    assert response["Content-Type"] == JSON
    assert set(response.json()) == {"detail", "code"}


def test_a_refused_page_answers_the_html_403(client, contact):
    client.force_login(contact)

    response = client.get("/")

    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
