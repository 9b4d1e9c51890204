"""Signed-in browsers: seen, ended one by one or everywhere; a deactivated user is out at once."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import UserSession
from audit.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0"


def _signed_in(user, agent_header=FIREFOX, address="198.51.100.4") -> Client:
    client = Client(HTTP_USER_AGENT=agent_header, REMOTE_ADDR=address)
    assert client.post("/login/", {"username": user.email, "password": PASSWORD}).status_code == 302
    return client


def test_the_sessions_page_lists_each_browser_with_its_device_and_address(agent):
    laptop = _signed_in(agent)
    _signed_in(agent, "curl/8.5", "203.0.113.9")

    html = laptop.get("/account/sessions/").content.decode()

    assert "Firefox on Windows" in html
    assert "curl" in html
    assert "203.0.113.9" in html
    assert "This browser" in html


def test_signing_out_the_other_browsers_keeps_this_one(agent):
    laptop = _signed_in(agent)
    phone = _signed_in(agent, "Mozilla/5.0 (iPhone) Safari/604.1")

    laptop.post("/account/sessions/", {"session": "others"})

    assert laptop.get("/").status_code == 200
    assert phone.get("/").status_code == 302
    assert UserSession.objects.filter(user=agent).count() == 1


def test_one_other_browser_can_be_signed_out_by_itself(agent, other_agent):
    laptop = _signed_in(agent)
    phone = _signed_in(agent, "Mozilla/5.0 (iPhone) Safari/604.1")
    colleague = _signed_in(other_agent)
    row = UserSession.objects.get(user=agent, user_agent__contains="iPhone")

    laptop.post("/account/sessions/", {"session": str(row.pk)})
    # Someone else's browser id changes nothing.
    laptop.post(
        "/account/sessions/",
        {"session": str(UserSession.objects.get(user=other_agent).pk)},
    )

    assert phone.get("/").status_code == 302
    assert colleague.get("/").status_code == 200


def test_a_manager_signs_someone_out_everywhere(client, manager, agent):
    browsers = [_signed_in(agent), _signed_in(agent, "curl/8.5")]
    client.force_login(manager)

    assert (
        "Firefox on Windows" in client.get(f"/account/people/{agent.pk}/sessions/").content.decode()
    )
    client.post(f"/account/people/{agent.pk}/sign-out/")

    assert [browser.get("/").status_code for browser in browsers] == [302, 302]
    agent.refresh_from_db()
    assert agent.is_active


def test_an_agent_cannot_sign_others_out(client, agent, other_agent):
    colleague = _signed_in(other_agent)
    client.force_login(agent)

    assert client.post(f"/account/people/{other_agent.pk}/sign-out/").status_code == 403
    assert colleague.get("/").status_code == 200


def test_deactivating_through_the_api_signs_out_and_stops_tokens_at_once(manager, agent):
    browser = _signed_in(agent)
    token = Token.objects.create(user=agent)
    script = APIClient()
    script.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert script.get("/api/v1/tickets/").status_code == 200
    api = APIClient()
    api.force_login(manager)

    response = api.patch(f"/api/v1/users/{agent.pk}/", {"is_active": False}, format="json")

    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert script.get("/api/v1/tickets/").status_code == 401
    assert browser.get("/").status_code == 302
    assert not Session.objects.filter(
        session_key__in=UserSession.objects.filter(user=agent).values("session_key")
    ).exists()
    event = AuditEvent.objects.get(action="user_deactivated")
    assert (event.actor, event.target_id) == (manager, str(agent.pk))


def test_the_manager_page_can_switch_an_account_off(client, manager, agent):
    browser = _signed_in(agent)
    client.force_login(manager)

    client.post(f"/account/people/{agent.pk}/sign-out/", {"deactivate": "1"})

    agent.refresh_from_db()
    assert not agent.is_active
    assert browser.get("/").status_code == 302
    assert AuditEvent.objects.filter(action="user_deactivated").count() == 1
