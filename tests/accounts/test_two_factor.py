"""Staff two-factor (API.md "Staff sign-in"): enrolment, the code step, who must enrol."""

import re

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from audit.models import AuditEvent
from tests.accounts.two_factor import code, enrol, secret_of
from tests.factories import PASSWORD, AgentFactory, ManagerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def managers_must_enrol(settings):
    settings.STAFF_2FA_REQUIRED_ROLES = ["manager"]


def _password_step(client, user, next_url=""):
    data = {"username": user.email, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post("/login/", data)


def test_enrolment_page_shows_a_qr_code_and_the_same_uri_as_text(client, agent):
    client.force_login(agent)

    response = client.get("/account/two-factor/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<svg role="img"' in html
    assert "style=" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]
    uri = re.search(r"otpauth://totp/[^<\s]+", html).group(0)
    assert secret_of(agent) in uri
    assert 'name="code"' in html


def test_a_correct_code_enables_two_factor_shows_ten_codes_and_revokes_tokens(client, agent):
    Token.objects.create(user=agent)
    client.force_login(agent)
    secret = secret_of(agent)

    response = client.post("/account/two-factor/", {"code": code(secret)})

    html = response.content.decode()
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", html)
    assert len(codes) == 10 == len(set(codes))
    agent.refresh_from_db()
    assert agent.two_factor_enabled
    assert not Token.objects.filter(user=agent).exists()
    assert AuditEvent.objects.filter(action="two_factor_enabled", actor=agent).count() == 1
    # The enrolling browser passed the code: it goes on working.
    assert client.get("/").status_code == 200


def test_a_wrong_enrolment_code_changes_nothing(client, agent):
    client.force_login(agent)
    secret_of(agent)

    response = client.post("/account/two-factor/", {"code": "000000"})

    assert response.status_code == 400
    assert "does not match" in response.content.decode()
    agent.refresh_from_db()
    assert not agent.two_factor_enabled


def test_sign_in_asks_for_the_code_before_any_page_and_records_sign_in_after_it(client, agent):
    secret, _ = enrol(agent)

    response = _password_step(client, agent, next_url="/vendors/")

    assert response.status_code == 302
    assert response.url == reverse("login-code")
    assert client.get("/").status_code == 302  # not signed in yet
    assert not AuditEvent.objects.filter(action="sign_in").exists()

    response = client.post("/login/code/", {"code": code(secret, 1)})

    assert response.status_code == 302
    assert response.url == "/vendors/"
    assert client.get("/").status_code == 200
    event = AuditEvent.objects.get(action="sign_in")
    assert event.actor == agent
    assert event.detail["two_factor"] is True


def test_each_totp_code_is_accepted_once(client, agent):
    secret, _ = enrol(agent)
    used = code(secret, 1)
    _password_step(client, agent)
    client.post("/login/code/", {"code": used})
    client.post("/logout/")

    _password_step(client, agent)
    response = client.post("/login/code/", {"code": used})

    assert response.status_code == 400
    assert client.get("/").status_code == 302
    assert AuditEvent.objects.filter(action="sign_in_failed").count() == 1


def test_a_recovery_code_signs_in_once(client, agent):
    _, recovery = enrol(agent)
    _password_step(client, agent)
    assert client.post("/login/code/", {"code": recovery[0]}).status_code == 302
    client.post("/logout/")

    _password_step(client, agent)
    assert client.post("/login/code/", {"code": recovery[0]}).status_code == 400
    assert client.post("/login/code/", {"code": recovery[1].upper()}).status_code == 302


def test_the_code_page_without_a_password_step_sends_you_to_sign_in(client, agent):
    enrol(agent)

    response = client.post("/login/code/", {"code": "123456"})

    assert response.status_code == 302
    assert response.url == reverse("login")


def test_wrong_codes_count_under_the_sign_in_lockout(client, agent, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    secret, _ = enrol(agent)
    _password_step(client, agent)

    statuses = [client.post("/login/code/", {"code": "000000"}).status_code for _ in range(3)]
    # Locked out now: even the right code is refused, and so is the password.
    after = client.post("/login/code/", {"code": code(secret, 1)})

    assert statuses == [400, 400, 429]
    assert after.status_code == 429
    assert _password_step(client, agent).status_code == 429
    assert client.get("/").status_code == 302


def test_a_manager_must_enrol_before_any_other_page(client, managers_must_enrol):
    manager = ManagerFactory()
    client.force_login(manager)

    assert client.get("/").url == "/account/two-factor/"
    assert client.get("/dashboard/").url == "/account/two-factor/"
    assert client.get("/account/two-factor/").status_code == 200
    api = client.get("/api/v1/tickets/")
    assert api.status_code == 403
    assert api.json()["code"] == "enrolment_required"


def test_superusers_count_as_managers_and_an_empty_setting_requires_nobody(client, settings):
    settings.STAFF_2FA_REQUIRED_ROLES = ["manager"]
    boss = ManagerFactory(is_superuser=True)
    client.force_login(boss)
    assert client.get("/").status_code == 302

    settings.STAFF_2FA_REQUIRED_ROLES = []
    assert client.get("/").status_code == 200


def test_every_agent_may_be_required_to_enrol(client, settings):
    settings.STAFF_2FA_REQUIRED_ROLES = ["manager", "agent"]
    client.force_login(AgentFactory())

    assert client.get("/").url == "/account/two-factor/"
