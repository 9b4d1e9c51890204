"""Staff single sign-on against a real OpenID provider process (tests/oidc_provider), no mock:
matched by verified email, created on first sign-in when allowed, roles from groups, and the
second factor still asked for."""

from urllib.parse import urlparse

import pytest

from accounts.models import Role, User
from audit.models import AuditEvent
from tests.accounts.oidc import sign_in_at_provider, start_provider, stop_provider
from tests.accounts.two_factor import code, enrol
from tests.factories import AgentFactory, ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def provider():
    running = start_provider(["http://testserver/oidc/callback/"])
    yield running
    stop_provider(running)


@pytest.fixture
def sso(provider, settings):
    provider.configure(settings)
    return provider


def _single_sign_on(client, username: str, next_url: str = "/"):
    start = client.get("/oidc/authenticate/", {"next": next_url})
    assert start.status_code == 302
    back = sign_in_at_provider(start.url, username)
    target = urlparse(back)
    assert target.path == "/oidc/callback/"
    return client.get(target.path + "?" + target.query)


def test_the_login_page_offers_single_sign_on_when_it_is_set_up(client, sso):
    assert "Sign in with single sign-on" in client.get("/login/").content.decode()


def test_an_agent_is_matched_by_verified_email_and_signed_in(client, sso, agent):
    response = _single_sign_on(client, "alice", "/vendors/")

    assert response.status_code == 302
    assert response.url == "/vendors/"
    assert client.get("/").status_code == 200
    event = AuditEvent.objects.get(action="sign_in")
    assert event.actor == agent


def test_groups_set_the_role(client, sso):
    morgan = AgentFactory(email="morgan@msp.test")

    _single_sign_on(client, "morgan")

    morgan.refresh_from_db()
    assert morgan.role == Role.MANAGER
    assert AuditEvent.objects.get(action="role_changed").detail == {
        "from": "agent",
        "to": "manager",
    }


def test_someone_unknown_is_created_as_an_agent_only_when_allowed(client, sso, settings):
    settings.OIDC_CREATE_USERS = False
    _single_sign_on(client, "newbie")
    assert not User.objects.filter(email="new.hire@msp.test").exists()
    assert client.get("/").status_code == 302

    settings.OIDC_CREATE_USERS = True
    _single_sign_on(client, "newbie")

    created = User.objects.get(email="new.hire@msp.test")
    assert (created.role, created.name) == (Role.AGENT, "New Hire")
    assert not created.has_usable_password()
    assert client.get("/").status_code == 200


def test_an_unverified_email_a_contact_and_someone_in_no_group_are_refused(
    client, sso, organization
):
    AgentFactory(email="unverified@msp.test")
    AgentFactory(email="outsider@msp.test")
    ContactFactory(email="priya@northwind.test", organization=organization)

    for username in ("unverified", "priya", "outsider"):
        _single_sign_on(client, username)
        assert client.get("/").status_code == 302, username


def test_two_factor_is_still_asked_for_after_the_provider(client, sso, agent):
    secret, _ = enrol(agent)

    response = _single_sign_on(client, "alice")

    assert response.url == "/login/code/"
    assert client.get("/").status_code == 302
    client.post("/login/code/", {"code": code(secret, 1)})
    assert client.get("/").status_code == 200
