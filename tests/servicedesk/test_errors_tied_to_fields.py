"""A field with an error says so to a screen reader: it is aria-invalid, and its aria-describedby
names the element holding the error text (and any help text), on every staff and portal form.
Django adds both attributes to a field with errors; the templates must render the text under the
ids they name."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.factories import TicketFactory
from tickets import services as ticket_services
from tickets.models import Status

pytestmark = pytest.mark.django_db
LONG = "x" * 50_001


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class Fields(HTMLParser):
    """The ids in a page with the text inside each, and the invalid fields' descriptions."""

    def __init__(self):
        super().__init__()
        self.ids: dict[str, list[str]] = {}
        self.open: list[tuple[str, str | None]] = []
        self.invalid: list[tuple[str, str]] = []
        self.described: list[str] = []
        self.fieldsets: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids[attrs["id"]] = []
        if attrs.get("aria-describedby"):
            self.described.append(attrs["aria-describedby"])
        if attrs.get("aria-invalid") == "true":
            # Radio buttons are described through their fieldset (Django's use_fieldset).
            described = attrs.get("aria-describedby") or (
                self.fieldsets[-1] if self.fieldsets else ""
            )
            self.invalid.append((attrs.get("name", tag), described))
        if tag == "fieldset":
            self.fieldsets.append(attrs.get("aria-describedby") or "")
        if tag not in VOID:
            self.open.append((tag, attrs.get("id")))

    def handle_endtag(self, tag):
        if tag == "fieldset" and self.fieldsets:
            self.fieldsets.pop()
        while self.open:  # close up to the matching tag (HTML lets some end tags go unsaid)
            opened, _ = self.open.pop()
            if opened == tag:
                break

    def handle_data(self, data):
        for _, element_id in self.open:
            if element_id:
                self.ids[element_id].append(data)

    def text(self, element_id: str) -> str:
        return " ".join("".join(self.ids.get(element_id, [])).split())


def assert_errors_tied_to_fields(html: str) -> None:
    page = Fields()
    page.feed(html)
    assert page.invalid, "no field was marked invalid"
    for names in page.described:
        missing = [name for name in names.split() if name not in page.ids]
        assert not missing, f"aria-describedby names {missing}, which the page lacks"
    for field, names in page.invalid:
        error_ids = [name for name in names.split() if name.endswith("_error")]
        assert error_ids, f"{field} is invalid but not described by its error"
        assert all(page.text(name) for name in error_ids), f"{field}'s error has no text"


@pytest.fixture
def customer_ticket(agent, contact):
    ticket = TicketFactory(organization=contact.organization, requester=contact)
    ticket_services.take_ownership(ticket, by=agent)
    ticket_services.restate_problem(ticket, problem_statement="The printer jams.", by=agent)
    return ticket


PORTAL_FORMS = {
    "new request": (lambda t: reverse("portal:new_request"), {"subject": "", "description": ""}),
    "reply": (lambda t: reverse("portal:reply", args=[t.pk]), {"body": LONG}),
    "not quite": (lambda t: reverse("portal:not_quite", args=[t.pk]), {"body": LONG}),
    "feedback": (lambda t: reverse("portal:feedback", args=[t.pk]), {"kept_informed": "9"}),
}


@pytest.mark.parametrize("form", PORTAL_FORMS)
def test_portal_form_errors_are_tied_to_their_fields(client, contact, agent, customer_ticket, form):
    url_for, data = PORTAL_FORMS[form]
    if form == "feedback":
        ticket_services.change_status(customer_ticket, status=Status.RESOLVED, by=agent)
    client.force_login(contact)

    response = client.post(url_for(customer_ticket), data)

    assert response.status_code == 400
    assert_errors_tied_to_fields(response.content.decode())


STAFF_FORMS = {
    "new ticket": (lambda t: reverse("ticket-new"), {"subject": ""}),
    "public update": (
        lambda t: reverse("ticket-public-update", args=[t.pk]),
        {"body": "", "promise": "custom", "next_update_due": "not a time"},
    ),
    "internal note": (lambda t: reverse("ticket-internal-note", args=[t.pk]), {"body": ""}),
    "reassign": (lambda t: reverse("dashboard-reassign", args=[t.pk]), {"owner": "0"}),
    "loss": (lambda t: reverse("dashboard-record-loss", args=[t.pk]), {"category": "nonsense"}),
    "vendor": (lambda t: reverse("vendors:new"), {"name": ""}),
}


@pytest.mark.parametrize("form", STAFF_FORMS)
def test_staff_form_errors_are_tied_to_their_fields(client, manager, customer_ticket, form):
    url_for, data = STAFF_FORMS[form]
    client.force_login(manager)

    response = client.post(url_for(customer_ticket), data)

    assert response.status_code in {200, 400}, response.status_code
    assert_errors_tied_to_fields(response.content.decode())


def test_the_check_itself_catches_an_error_that_names_no_element_or_an_empty_one():
    html = '<input name="a" aria-invalid="true" aria-describedby="id_a_error"><p>wrong</p>'
    with pytest.raises(AssertionError, match=re.escape("['id_a_error']")):
        assert_errors_tied_to_fields(html)
    empty = html.replace("<p>wrong</p>", '<div id="id_a_error"></div><p>wrong</p>')
    with pytest.raises(AssertionError, match="has no text"):
        assert_errors_tied_to_fields(empty)
