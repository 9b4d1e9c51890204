"""Staff password resets count against the same email allowance as the portal's (accounts.throttle):
three per address in the window, the same answer for a known and an unknown address."""

import pytest
from django.core import mail

pytestmark = pytest.mark.django_db

REFUSED = "We have sent several emails for this address or from your network recently"


def test_a_fourth_reset_for_one_address_sends_nothing_and_says_why(client, manager):
    answers = [
        client.post("/password-reset/", {"email": manager.email}, REMOTE_ADDR="192.0.2.30")
        for _ in range(5)
    ]

    assert len(mail.outbox) == 3
    assert [a.status_code for a in answers] == [302, 302, 302, 429, 429]
    assert REFUSED in answers[3].content.decode()


def test_an_unknown_address_is_counted_and_answered_the_same(client):
    answers = [
        client.post("/password-reset/", {"email": "nobody@msp.test"}, REMOTE_ADDR="192.0.2.31")
        for _ in range(4)
    ]

    assert [a.status_code for a in answers] == [302, 302, 302, 429]
    assert mail.outbox == []
