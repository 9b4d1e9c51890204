"""A sign-in link or password reset refused by accounts.throttle (issue 16, item 5) is one
`throttled` audit event: the kind of request, the address as typed and the client address, with no
user named, so the log says no more than the page about whether the address has an account."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent

pytestmark = pytest.mark.django_db

LINK = reverse("portal:sign_in_link")
PORTAL_RESET = reverse("portal:password_reset")
STAFF_RESET = "/password-reset/"
REFUSED = "We have sent several emails for this address or from your network recently"


def ask(client, url, email, address):
    return client.post(url, {"email": email}, REMOTE_ADDR=address)


def page_text(response, email: str) -> str:
    """The page without what differs by design: the address typed and the CSRF tokens."""
    text = response.content.decode().replace(email, "EMAIL")
    return re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"', "TOKEN", text)


@pytest.mark.parametrize(
    ("url", "kind"),
    [(LINK, "sign_in_link"), (PORTAL_RESET, "password_reset"), (STAFF_RESET, "password_reset")],
)
def test_a_fourth_request_in_the_window_writes_one_throttled_event(client, contact, url, kind):
    typed = "Priya@Northwind.test"
    for _ in range(3):
        ask(client, url, typed, "192.0.2.40")
    assert not AuditEvent.objects.filter(action="throttled").exists()

    refused = ask(client, url, typed, "192.0.2.40")

    assert refused.status_code == 429
    assert REFUSED in refused.content.decode()
    event = AuditEvent.objects.get(action="throttled")
    assert event.actor is None
    assert event.target is None
    assert event.ip == "192.0.2.40"
    assert event.detail == {
        "kind": kind,
        "email": typed,
        "client": "192.0.2.40",
        "over": ["address", "client"],
    }


def test_a_known_and_an_unknown_address_get_the_same_page_and_the_same_event(contact):
    known = [ask(Client(), LINK, contact.email, "192.0.2.41") for _ in range(4)]
    unknown = [ask(Client(), LINK, "nobody@nowhere.test", "192.0.2.42") for _ in range(4)]

    assert [r.status_code for r in known] == [r.status_code for r in unknown] == [200] * 3 + [429]
    assert page_text(known[3], contact.email) == page_text(unknown[3], "nobody@nowhere.test")
    first, second = AuditEvent.objects.filter(action="throttled").order_by("id")
    assert (first.target, second.target) == (None, None)
    assert {key for key in first.detail} == {key for key in second.detail}
    assert (first.detail["email"], second.detail["email"]) == (contact.email, "nobody@nowhere.test")


def test_one_client_over_its_allowance_is_recorded_as_such(contact):
    client = Client()
    for email in (contact.email, "ana@northwind.test", "bo@northwind.test"):
        ask(client, LINK, email, "198.51.100.9")

    ask(client, LINK, "dana@northwind.test", "198.51.100.9")

    event = AuditEvent.objects.get(action="throttled")
    assert event.detail["over"] == ["client"]


def test_managers_find_refusals_in_the_audit_log(client, manager, contact):
    for _ in range(4):
        ask(Client(), PORTAL_RESET, contact.email, "192.0.2.43")

    client.force_login(manager)
    page = client.get("/audit/", {"action": "throttled"}).content.decode()

    assert "<code>throttled</code>" in page
    assert "kind: password_reset" in page
