"""One voice in every form: Django's stock error messages never reach a customer or an agent, and
the request form reports every mistake at once (a past deadline together with the others)."""

import html
import re
from datetime import UTC, datetime

import pytest
import time_machine
from django import forms
from django.core.validators import MinValueValidator

from accounts.form_messages import PlainErrors
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

NEW = "/portal/new/"
TUESDAY = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)
# Django's own wording, as it starts in each of its default messages.
STOCK = re.compile(
    r"This field is required|Ensure this value|Select a valid choice|Enter a valid|"
    r"Enter a whole number|Enter a number|Please enter a correct"
)


def errors_of(response) -> str:
    return html.unescape(response.content.decode())


def test_every_mistake_in_a_request_is_reported_at_once_past_deadline_included(portal_client):
    bad = {
        "subject": "",
        "description": "It jams.",
        "impact": "business_stopped",
        "urgency": "",
        "people_affected": "0",
        "preferred_contact": "phone",
        "contact_details": "",
        "needed_by": "2026-03-01T09:00",
    }
    with time_machine.travel(TUESDAY, tick=False):
        response = portal_client.post(NEW, bad)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) >= {"subject", "urgency", "people_affected", "contact_details", "needed_by"}
    page = errors_of(response)
    assert "This time has already passed" in page
    assert "Use a number of at least 1." in page
    assert not STOCK.search(page)
    assert not Ticket.objects.exists()


def test_a_past_deadline_alone_is_still_refused(portal_client):
    with time_machine.travel(TUESDAY, tick=False):
        response = portal_client.post(
            NEW,
            {
                "subject": "Printer",
                "description": "Jams.",
                "impact": "business_stopped",
                "urgency": "whenever",
                "people_affected": "1",
                "preferred_contact": "email",
                "needed_by": "2026-03-10T09:59",
            },
        )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["needed_by"]


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/portal/login/", {"username": "", "password": ""}),
        ("/portal/login/", {"username": "not an address", "password": "x"}),
        ("/portal/sign-in-link/", {"email": ""}),
        ("/portal/sign-in-link/", {"email": "nope"}),
        ("/portal/password-reset/", {"email": "nope"}),
        ("/login/", {"username": "", "password": ""}),
        ("/login/", {"username": "nope", "password": "x"}),
    ],
)
def test_sign_in_forms_speak_in_our_words(client, url, data):
    response = client.post(url, data)
    page = errors_of(response)
    assert response.status_code in (200, 400)
    assert not STOCK.search(page)
    assert re.search(
        r"Enter your (email address|work email address|password)\.|Write an email", page
    )


def test_a_contacts_bad_request_answers_have_no_stock_wording(portal_client):
    response = portal_client.post(
        NEW,
        {
            "subject": "x" * 201,
            "description": "",
            "impact": "everything",
            "urgency": "1",
            "people_affected": "lots",
            "preferred_contact": "pigeon",
            "needed_by": "soon",
        },
    )
    page = errors_of(response)
    assert len(response.context["form"].errors) == 7
    assert not STOCK.search(page)


class Sample(PlainErrors, forms.Form):
    name = forms.CharField(max_length=5)
    count = forms.IntegerField(min_value=1, max_value=9)
    email = forms.EmailField(required=False)
    pick = forms.ChoiceField(choices=[("a", "A")])
    when = forms.DateTimeField(required=False)
    own = forms.CharField(required=True, error_messages={"required": "Name the printer."})
    score = forms.IntegerField(required=False, validators=[MinValueValidator(3)])


def test_stock_messages_are_replaced_and_a_forms_own_are_kept():
    form = Sample(
        {"name": "toolong", "count": "0", "email": "x", "pick": "z", "when": "later", "score": "1"}
    )
    assert form.errors == {
        "name": ["Keep it to 5 characters or fewer (this has 7)."],
        "count": ["Use a number of at least 1."],
        "email": ["Write an email address, such as name@example.com."],
        "pick": ["Choose one of the options."],
        "when": ["Pick a date and time, or write one such as 2026-03-02 14:30."],
        "own": ["Name the printer."],
        "score": ["Use a number of at least 3."],
    }
    assert Sample({"count": "x", "pick": ""}).errors["count"] == [
        "Write a whole number, such as 3."
    ]
    assert Sample({"count": "x", "pick": ""}).errors["pick"] == ["Choose one."]
    assert Sample({}).errors["name"] == ["Fill this in."]


def test_a_second_form_of_the_same_class_is_unaffected_by_the_first():
    Sample({})
    assert forms.CharField().error_messages["required"] == "This field is required."
    assert Sample.base_fields["name"].error_messages["required"] == "This field is required."
