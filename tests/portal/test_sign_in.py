"""Signing in to the portal: password, throttling (django-axes), password reset and the
one-time emailed link (django-sesame)."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = reverse("portal:login")
LINK_REQUEST = reverse("portal:sign_in_link")


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def test_a_contact_signs_in_with_email_and_password(client, contact):
    response = client.post(LOGIN, {"username": "Priya@Northwind.test", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:tickets")
    assert signed_in_user_id(client) == str(contact.pk)


def test_sign_in_returns_to_the_page_asked_for(client, contact, ticket):
    target = reverse("portal:ticket", args=[ticket.pk])

    response = client.post(LOGIN, {"username": contact.email, "password": PASSWORD, "next": target})

    assert response["Location"] == target


def test_sign_in_never_redirects_off_site(client, contact):
    response = client.post(
        LOGIN, {"username": contact.email, "password": PASSWORD, "next": "https://evil.test/"}
    )

    assert response["Location"] == reverse("portal:tickets")


def test_a_wrong_password_gets_a_clear_message(client, contact):
    response = client.post(LOGIN, {"username": contact.email, "password": "nope"})

    assert response.status_code == 200
    assert "don&#x27;t match an account" in response.content.decode()
    assert signed_in_user_id(client) is None


def test_staff_trying_the_portal_sign_in_are_sent_to_their_own(client, agent):
    response = client.post(LOGIN, {"username": agent.email, "password": PASSWORD})

    assert "This sign-in is for customers. Helpdesk staff sign in at /login/." in (
        response.content.decode()
    )
    assert signed_in_user_id(client) is None


def test_a_signed_in_contact_skips_the_sign_in_page(portal_client):
    response = portal_client.get(LOGIN)

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:tickets")


def test_signing_out_returns_to_the_portal_sign_in(portal_client):
    response = portal_client.post(reverse("portal:logout"))

    assert response["Location"] == LOGIN
    assert signed_in_user_id(portal_client) is None


# Throttling with django-axes (switched off for the rest of the suite, on here).


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def test_five_wrong_passwords_lock_the_address_out_even_for_the_right_one(axes_on, client, contact):
    for _ in range(5):
        client.post(LOGIN, {"username": contact.email, "password": "guess"})

    response = client.post(LOGIN, {"username": contact.email, "password": PASSWORD})

    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert "get a sign-in link by email" in response.content.decode()
    assert signed_in_user_id(client) is None


def test_changing_the_case_of_the_address_does_not_buy_more_attempts(axes_on, client, contact):
    for variant in ("priya@northwind.test", "PRIYA@northwind.test", "Priya@Northwind.Test") * 2:
        client.post(LOGIN, {"username": variant, "password": "guess"})

    response = client.post(LOGIN, {"username": contact.email, "password": PASSWORD})

    assert response.status_code == 429


def test_the_lockout_ends_after_the_cool_off(axes_on, client, contact):
    for _ in range(5):
        client.post(LOGIN, {"username": contact.email, "password": "guess"})

    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        response = client.post(LOGIN, {"username": contact.email, "password": PASSWORD})

    assert response.status_code == 302
    assert signed_in_user_id(client) == str(contact.pk)


def test_a_locked_out_address_does_not_lock_out_a_colleague(axes_on, client, contact, colleague):
    for _ in range(6):
        client.post(LOGIN, {"username": contact.email, "password": "guess"})

    response = client.post(LOGIN, {"username": colleague.email, "password": PASSWORD})

    assert response.status_code == 302


def test_staff_sign_in_keeps_working_with_throttling_on(axes_on, client, agent):
    response = client.post(reverse("login"), {"username": agent.email, "password": PASSWORD})

    assert response.status_code == 302
    assert signed_in_user_id(client) == str(agent.pk)


def test_staff_sign_in_is_throttled_with_the_staff_page(axes_on, client, agent):
    for _ in range(5):
        client.post(reverse("login"), {"username": agent.email, "password": "guess"})

    response = client.post(reverse("login"), {"username": agent.email, "password": PASSWORD})

    assert response.status_code == 429
    body = response.content.decode()
    assert "Sign-in for this address is paused" in body
    assert "portal.css" not in body


# Password reset by email.


def test_password_reset_by_email_with_a_link_on_the_site_url(client, contact, settings):
    settings.SITE_URL = "https://support.example.com"

    response = client.post(reverse("portal:password_reset"), {"email": contact.email})

    assert response["Location"] == reverse("portal:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [contact.email]
    link = re.search(r"https://support\.example\.com(/portal/reset/\S+/)", message.body)
    assert link, message.body

    form_page = client.get(link.group(1), follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-brand-new-secret-42", "new_password2": "a-brand-new-secret-42"},
    )
    assert done["Location"] == reverse("portal:password_reset_complete")
    assert client.login(username=contact.email, password="a-brand-new-secret-42")


def test_password_reset_sends_nothing_to_staff_or_unknown_addresses(client, agent):
    for email in (agent.email, "nobody@nowhere.test"):
        response = client.post(reverse("portal:password_reset"), {"email": email})
        assert response["Location"] == reverse("portal:password_reset_done")

    assert mail.outbox == []


# One-time sign-in link by email.


def _requested_link(client, email, capture) -> str:
    with capture(execute=True):
        client.post(LINK_REQUEST, {"email": email})
    match = re.search(r"http://testserver(/portal/sign-in/\?sesame=\S+)", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


@pytest.fixture
def testserver_site(settings):
    settings.SITE_URL = "http://testserver"


def test_a_sign_in_link_signs_a_contact_in_once(
    client, contact, testserver_site, django_capture_on_commit_callbacks
):
    link = _requested_link(client, contact.email, django_capture_on_commit_callbacks)
    token = link.split("sesame=")[1]

    landing = client.get(link)
    assert landing.status_code == 200
    assert "Continue as" in landing.content.decode()
    assert signed_in_user_id(client) is None  # opening the link alone signs nobody in

    response = client.post(reverse("portal:sign_in"), {"token": token})
    assert response["Location"] == reverse("portal:tickets")
    assert signed_in_user_id(client) == str(contact.pk)

    client.logout()
    reused = client.post(reverse("portal:sign_in"), {"token": token})
    assert reused.status_code == 400
    assert signed_in_user_id(client) is None


def test_a_mail_scanner_opening_the_link_does_not_spend_it(
    client, contact, testserver_site, django_capture_on_commit_callbacks
):
    link = _requested_link(client, contact.email, django_capture_on_commit_callbacks)

    for _ in range(3):
        assert client.get(link).status_code == 200

    token = link.split("sesame=")[1]
    assert client.post(reverse("portal:sign_in"), {"token": token}).status_code == 302


def test_a_sign_in_link_expires(
    client, contact, testserver_site, django_capture_on_commit_callbacks
):
    link = _requested_link(client, contact.email, django_capture_on_commit_callbacks)

    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        response = client.get(link)

    assert response.status_code == 400
    assert "This link has expired" in response.content.decode()


def test_a_forged_token_is_refused(client, contact):
    response = client.post(reverse("portal:sign_in"), {"token": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})

    assert response.status_code == 400
    assert signed_in_user_id(client) is None


def test_the_link_request_answers_the_same_for_staff_and_unknown_addresses(
    client, agent, contact, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        staff = client.post(LINK_REQUEST, {"email": agent.email})
        unknown = client.post(LINK_REQUEST, {"email": "nobody@nowhere.test"})
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(LINK_REQUEST, {"email": contact.email})

    assert len(mail.outbox) == 1
    for response in (staff, unknown, known):
        assert response.status_code == 200
        assert "If" in response.content.decode()
        assert "belongs to a customer account" in response.content.decode()


def test_a_bad_email_address_answers_400(client):
    response = client.post(LINK_REQUEST, {"email": "not-an-email"})

    assert response.status_code == 400
    assert "Write an email address, such as name@example.com." in response.content.decode()


def test_the_sign_in_link_is_delivered_over_smtp(
    client, contact, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(LINK_REQUEST, {"email": contact.email})

    assert len(smtp_server.messages) == 1
    envelope = smtp_server.messages[0]
    assert envelope.rcpt_tos == [contact.email]
    assert b"/portal/sign-in/?sesame=" in envelope.content
