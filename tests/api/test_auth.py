import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from accounts.models import Role, User
from tests.factories import PASSWORD

TOKEN_URL = "/api/v1/auth/token/"


def test_a_token_is_issued_for_email_and_password_and_opens_the_api(agent):
    client = APIClient()
    response = client.post(TOKEN_URL, {"username": agent.email, "password": PASSWORD})
    assert response.status_code == 200
    token = response.json()["token"]

    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/tickets/").status_code == 200


def test_the_email_in_the_token_request_is_case_insensitive(agent):
    response = APIClient().post(TOKEN_URL, {"username": agent.email.upper(), "password": PASSWORD})
    assert response.status_code == 200


def test_asking_twice_returns_the_same_token(contact):
    first = APIClient().post(TOKEN_URL, {"username": contact.email, "password": PASSWORD})
    second = APIClient().post(TOKEN_URL, {"username": contact.email, "password": PASSWORD})
    assert first.json()["token"] == second.json()["token"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"username": "alice@msp.test", "password": "wrong"}, "non_field_errors"),
        ({"username": "nobody@msp.test", "password": PASSWORD}, "non_field_errors"),
        ({"password": PASSWORD}, "username"),
        ({"username": "alice@msp.test"}, "password"),
        ({"username": "alice@msp.test", "password": PASSWORD, "remember": "1"}, "remember"),
    ],
)
def test_bad_credentials_answer_400_naming_the_problem(agent, payload, field):
    response = APIClient().post(TOKEN_URL, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert "token" not in response.json()


def test_an_inactive_user_gets_no_token(agent):
    agent.is_active = False
    agent.save()
    response = APIClient().post(TOKEN_URL, {"username": agent.email, "password": PASSWORD})
    assert response.status_code == 400


def test_without_credentials_the_api_answers_401(db):
    response = APIClient().get("/api/v1/tickets/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_bad_token_answers_401(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/v1/tickets/").status_code == 401


def test_session_auth_works_and_enforces_csrf_on_writes(agent, organization):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(agent)
    assert client.get("/api/v1/tickets/").status_code == 200

    payload = {"organization": organization.pk, "subject": "VPN", "impact": 3, "urgency": 3}
    refused = client.post("/api/v1/tickets/", payload, format="json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]

    client.cookies.load({"csrftoken": "a" * 32})
    accepted = client.post("/api/v1/tickets/", payload, format="json", HTTP_X_CSRFTOKEN="a" * 32)
    assert accepted.status_code == 201


def test_token_requests_are_rate_limited_per_address(agent, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "auth": "3/minute",
        },
    }
    client = APIClient()
    statuses = [
        client.post(TOKEN_URL, {"username": agent.email, "password": "guess"}).status_code
        for _ in range(4)
    ]
    assert statuses == [400, 400, 400, 429]
    assert (
        client.post(TOKEN_URL, {"username": agent.email, "password": PASSWORD}).status_code == 429
    )


def test_signed_in_callers_are_rate_limited(agent, api_client_for, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "user": "2/minute",
        },
    }
    client = api_client_for(agent)
    statuses = [client.get("/api/v1/tickets/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert client.get("/api/v1/tickets/").json()["code"] == "throttled"


def test_anonymous_callers_are_rate_limited(db, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "anon": "2/minute",
        },
    }
    client = APIClient()
    statuses = [client.get("/api/schema/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_createsuperuser_noinput_bootstraps_a_manager_who_can_use_the_api(db, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "Boss@MSP.test")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "bootstrap-pass-2026")
    call_command("createsuperuser", interactive=False, verbosity=0)

    boss = User.objects.get(email="boss@msp.test")
    assert boss.role == Role.MANAGER
    assert boss.is_superuser
    assert boss.is_manager

    client = APIClient()
    token = client.post(
        TOKEN_URL, {"username": "boss@msp.test", "password": "bootstrap-pass-2026"}
    ).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    created = client.post(
        "/api/v1/users/",
        {"email": "new.agent@msp.test", "password": "a long passphrase 2026", "role": "agent"},
        format="json",
    )
    assert created.status_code == 201
    assert client.get("/api/v1/users/").json()["count"] == 2


def test_me_answers_who_the_token_belongs_to(api_client_for, contact):
    response = api_client_for(contact).get("/api/v1/users/me/")
    assert response.status_code == 200
    assert response.json()["email"] == contact.email
    assert "password" not in response.json()
