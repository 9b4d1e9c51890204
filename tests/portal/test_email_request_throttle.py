"""Sign-in links and password resets: at most three emails per address, and per client, in 15
minutes (accounts.throttle); the same answer for a known and an unknown address."""

import logging
import os
import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.cache.backends.redis import RedisCache
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

LINK = reverse("portal:sign_in_link")
RESET = reverse("portal:password_reset")
REFUSED = "We have sent several emails for this address or from your network recently"


def page_text(response, email: str) -> str:
    """The page without what differs by design: the address typed and the CSRF tokens."""
    text = response.content.decode().replace(email, "EMAIL")
    return re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"', "TOKEN", text)


def ask(client, url, email, address="192.0.2.10"):
    return client.post(url, {"email": email}, REMOTE_ADDR=address)


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run the sign-in link's on-commit send, as a finished request would."""

    def asking(client, url, email, address="192.0.2.10"):
        with django_capture_on_commit_callbacks(execute=True):
            return ask(client, url, email, address)

    return asking


@pytest.mark.parametrize("url", [LINK, RESET])
def test_fifteen_requests_for_one_address_send_three_emails(client, contact, sent, url):
    answers = [sent(client, url, contact.email).status_code for _ in range(15)]

    assert len(mail.outbox) == 3
    assert answers[3:] == [429] * 12
    refused = sent(client, url, contact.email)
    assert REFUSED in refused.content.decode()


def test_a_known_and_an_unknown_address_get_the_same_answers(client, contact, sent):
    known = [sent(client, LINK, contact.email, "192.0.2.1") for _ in range(4)]
    unknown = [sent(client, LINK, "nobody@nowhere.test", "192.0.2.2") for _ in range(4)]

    assert [r.status_code for r in known] == [r.status_code for r in unknown] == [200] * 3 + [429]
    for first, second in zip(known, unknown, strict=True):
        assert page_text(first, contact.email) == page_text(second, "nobody@nowhere.test")
    assert len(mail.outbox) == 3


def test_the_allowance_is_shared_by_sign_in_links_and_resets(client, contact, sent):
    for url in (LINK, RESET, LINK):
        sent(client, url, contact.email)

    assert sent(client, RESET, contact.email).status_code == 429
    assert len(mail.outbox) == 3


def test_changing_the_case_of_the_address_does_not_buy_more_emails(client, contact, sent):
    for index, variant in enumerate(("priya@northwind.test", "PRIYA@northwind.test") * 2):
        sent(client, LINK, variant, f"192.0.2.{index}")

    assert len(mail.outbox) == 3


def test_one_client_cannot_flood_many_addresses(client, contact, colleague, org_admin, sent):
    for email in (contact.email, colleague.email, org_admin.email, "dana@northwind.test"):
        last = sent(client, LINK, email, "198.51.100.7")

    assert last.status_code == 429
    assert len(mail.outbox) == 3
    assert sent(client, LINK, "dana@northwind.test", "198.51.100.8").status_code == 200


def test_the_allowance_comes_back_after_the_window(client, contact, sent):
    for _ in range(4):
        sent(client, LINK, contact.email)

    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert sent(client, LINK, contact.email).status_code == 200
    assert len(mail.outbox) == 4


def test_a_refusal_is_logged_for_the_audit_trail(client, contact, sent, caplog):
    for _ in range(3):
        sent(client, RESET, contact.email)
    with caplog.at_level(logging.WARNING, logger="accounts.throttle"):
        sent(client, RESET, contact.email)

    records = [record for record in caplog.records if record.name == "accounts.throttle"]
    assert len(records) == 1
    message = records[0].getMessage()
    assert "password_reset" in message
    assert contact.email in message
    assert "192.0.2.10" in message


def test_the_limits_are_settings(client, contact, sent, settings):
    settings.SIGN_IN_EMAILS_PER_ADDRESS = 1

    assert [sent(client, LINK, contact.email).status_code for _ in range(2)] == [200, 429]


REDIS_URL = os.environ.get("CELERY_BROKER_URL", "")


@pytest.mark.skipif(not REDIS_URL.startswith("redis://"), reason="the suite runs without Redis")
def test_every_process_counts_against_one_allowance_in_redis(client, contact, sent):
    prefix = f"email-throttle-test-{os.getpid()}"
    shared = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    # Another process: its own connection to the same Redis, nothing shared in memory.
    elsewhere = RedisCache(REDIS_URL, {"KEY_PREFIX": prefix})
    # A context, not the settings fixture: the suite's cache.clear() must never flush Redis.
    with override_settings(CACHES=shared):
        try:
            for _ in range(3):
                sent(client, LINK, contact.email, "203.0.113.5")
            keys = [key for key in elsewhere._cache.get_client().keys(f"{prefix}:*")]
            assert len(keys) == 2  # one counter for the address, one for the client
            assert sent(client, LINK, contact.email, "203.0.113.6").status_code == 429
        finally:
            client_ = elsewhere._cache.get_client()
            for key in client_.keys(f"{prefix}:*"):
                client_.delete(key)
    assert len(mail.outbox) == 3
