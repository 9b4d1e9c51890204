"""One test per door: nothing passes the second factor (admin, API token, API session, portal,
password reset)."""

import re

import pytest
from django.core import mail
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from audit.models import AuditEvent
from tests.accounts.two_factor import code, enrol
from tests.factories import PASSWORD, ManagerFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture
def manager_with_two_factor():
    manager = ManagerFactory()
    secret, recovery = enrol(manager)
    return manager, secret, recovery


def test_admin_door_a_password_only_session_opens_no_admin_page(client, manager_with_two_factor):
    manager, _, _ = manager_with_two_factor
    # A session that never passed the code (as the admin's own login form would make).
    client.force_login(manager)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response.url.startswith("/login/")
    assert client.get("/admin/").status_code == 302  # signed out, not just redirected
    assert client.get("/admin/login/?next=/admin/").url == "/login/?next=/admin/"


def test_admin_door_opens_after_the_code(client, manager_with_two_factor):
    manager, secret, _ = manager_with_two_factor
    client.post("/login/", {"username": manager.email, "password": PASSWORD, "next": "/admin/"})

    response = client.post("/login/code/", {"code": code(secret, 1)})

    assert response.url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_api_token_door_needs_a_code(manager_with_two_factor):
    manager, secret, recovery = manager_with_two_factor
    api = APIClient()
    credentials = {"username": manager.email, "password": PASSWORD}

    missing = api.post(TOKEN_URL, credentials, format="json")
    wrong = api.post(TOKEN_URL, {**credentials, "otp": "000000"}, format="json")

    assert (missing.status_code, missing.json()["code"]) == (400, "otp_required")
    assert (wrong.status_code, wrong.json()["code"]) == (400, "otp_invalid")
    assert not Token.objects.exists()

    good = api.post(TOKEN_URL, {**credentials, "otp": code(secret, 1)}, format="json")
    by_recovery = api.post(TOKEN_URL, {**credentials, "otp": recovery[0]}, format="json")

    assert good.status_code == 200
    assert by_recovery.status_code == 200
    assert good.json()["token"] == Token.objects.get(user=manager).key
    assert AuditEvent.objects.filter(action="token_created", actor=manager).count() == 2


def test_api_token_door_wrong_codes_are_locked_out_with_429(manager_with_two_factor, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 2
    manager, secret, _ = manager_with_two_factor
    api = APIClient()
    credentials = {"username": manager.email, "password": PASSWORD}

    first = api.post(TOKEN_URL, {**credentials, "otp": "000000"}, format="json")
    second = api.post(TOKEN_URL, {**credentials, "otp": "111111"}, format="json")
    right = api.post(TOKEN_URL, {**credentials, "otp": code(secret, 1)}, format="json")

    assert first.status_code == 400
    assert second.status_code == 429
    assert right.status_code == 429
    assert not Token.objects.exists()


def test_api_token_door_refuses_a_manager_who_must_enrol(settings):
    settings.STAFF_2FA_REQUIRED_ROLES = ["manager"]
    manager = ManagerFactory()
    old_token = Token.objects.create(user=manager)
    api = APIClient()

    response = api.post(TOKEN_URL, {"username": manager.email, "password": PASSWORD}, format="json")
    api.credentials(HTTP_AUTHORIZATION=f"Token {old_token.key}")
    with_old_token = api.get("/api/v1/tickets/")

    assert (response.status_code, response.json()["code"]) == (400, "enrolment_required")
    assert (with_old_token.status_code, with_old_token.json()["code"]) == (
        403,
        "enrolment_required",
    )


def test_api_session_door_needs_the_code(client, manager_with_two_factor):
    manager, secret, _ = manager_with_two_factor
    client.force_login(manager)

    refused = client.get("/api/v1/tickets/")

    assert refused.status_code == 401
    assert refused.json()["code"] == "otp_required"
    client.post("/login/", {"username": manager.email, "password": PASSWORD})
    client.post("/login/code/", {"code": code(secret, 1)})
    assert client.get("/api/v1/tickets/").status_code == 200


def test_portal_door_gives_staff_no_way_around_the_code(client, manager_with_two_factor):
    manager, _, _ = manager_with_two_factor

    client.post("/portal/login/", {"username": manager.email, "password": PASSWORD})

    assert client.get("/").status_code == 302
    assert client.get("/api/v1/tickets/").status_code in (401, 403)


def test_password_reset_door_the_next_sign_in_still_asks_for_the_code(
    client, manager_with_two_factor
):
    manager, secret, _ = manager_with_two_factor

    assert 'href="/password-reset/"' in client.get("/login/").content.decode()
    client.post("/password-reset/", {"email": manager.email})
    (email,) = mail.outbox
    link = re.search(r"http://\S+/password-reset/\S+/", email.body).group(0)
    path = link.split("//", 1)[1].split("/", 1)[1]
    form = client.get(f"/{path}", follow=True)
    client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a brand new passphrase 7", "new_password2": "a brand new passphrase 7"},
    )

    assert client.get("/").status_code == 302  # the reset signed nobody in
    response = client.post(
        "/login/", {"username": manager.email, "password": "a brand new passphrase 7"}
    )
    assert response.url == "/login/code/"
    assert client.get("/").status_code == 302
    client.post("/login/code/", {"code": code(secret, 1)})
    assert client.get("/").status_code == 200
    # The link was single-use.
    assert "expired" in client.get(form.redirect_chain[-1][0]).content.decode()
