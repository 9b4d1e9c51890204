"""Forms of the ticket page's panels that most views never use (log time, link to a major
incident, split customer messages off) are drawn when opened: under htmx the form alone, without
JavaScript the whole page with the form open (tickets.panels rule 5)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incidents import services as incident_services
from tests.tickets.helpers import client_for, htmx, owned_ticket
from updates import services as update_services

pytestmark = pytest.mark.django_db

PANEL_FORMS = {
    # name: (the panel's section id, the form's action, one of its fields)
    "time": ("time", "/billing/tickets/{pk}/time/", 'name="time-minutes"'),
    "incident": (
        "major-incident",
        "/incidents/tickets/{pk}/link/",
        'name="incident_link-incident"',
    ),
    "split": ("merge-split", "/tickets/{pk}/split/", 'name="subject"'),
}


@pytest.fixture
def ticket(agent, contact):
    ticket = owned_ticket(agent, organization=contact.organization, requester=contact)
    update_services.post_customer_reply(ticket, author=contact, body="It broke again")
    return ticket


@pytest.fixture
def open_incident(agent):
    return incident_services.create_incident(
        by=agent, title="Email is down", summary="We are on it."
    )


def test_panel_forms_are_not_drawn_until_opened(agent, ticket, open_incident):
    with CaptureQueriesContext(connection) as queries:
        content = client_for(agent).get(f"/tickets/{ticket.pk}/").content.decode()
    for name, (section, action, field) in PANEL_FORMS.items():
        assert field not in content, name
        assert action.format(pk=ticket.pk) not in content, name
        assert f'hx-get="/tickets/{ticket.pk}/?form={name}"' in content, name
        assert f'href="/tickets/{ticket.pk}/?form={name}#{section}"' in content, name
    assert open_incident.title not in content
    sql = [query["sql"] for query in queries]
    # The composer's two work-type selects read the work types once; the open incidents and
    # the customer messages offered for a split are not read at all.
    assert len([q for q in sql if 'FROM "billing_worktype"' in q]) == 1
    assert not [q for q in sql if 'FROM "incidents_incident" ' in q]
    assert not [q for q in sql if '"updates_timelineentry"."kind" = ' in q]


@pytest.mark.parametrize("name", PANEL_FORMS)
def test_a_panel_form_loads_alone_under_htmx(agent, ticket, open_incident, name):
    response = client_for(agent).get(f"/tickets/{ticket.pk}/?form={name}", **htmx())
    content = response.content.decode()
    _section, action, field = PANEL_FORMS[name]
    assert response.status_code == 200
    assert content.lstrip().startswith("<form")
    assert f'action="{action.format(pk=ticket.pk)}"' in content
    assert field in content
    assert 'name="csrfmiddlewaretoken"' in content
    assert 'id="ticket-body"' not in content
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize("name", PANEL_FORMS)
def test_a_panel_form_opens_on_the_whole_page_without_javascript(
    agent, ticket, open_incident, name
):
    response = client_for(agent).get(f"/tickets/{ticket.pk}/?form={name}")
    content = response.content.decode()
    section_id, _action, field = PANEL_FORMS[name]
    assert response.status_code == 200
    assert 'id="ticket-body"' in content
    section = content[content.index(f'id="{section_id}"') :]
    section = section[: section.index("</section>")]
    assert field in section  # drawn inside its panel
    assert " open>" in section[: section.index(field)]  # in an open <details>


def test_the_incident_form_offers_the_open_incidents(agent, ticket, open_incident):
    content = (
        client_for(agent).get(f"/tickets/{ticket.pk}/?form=incident", **htmx()).content.decode()
    )
    assert f'<option value="{open_incident.pk}">' in content
    assert open_incident.title in content


def test_the_split_form_offers_the_customer_messages_or_says_there_are_none(agent, contact):
    ticket = owned_ticket(agent, organization=contact.organization, requester=contact)
    client = client_for(agent)
    content = client.get(f"/tickets/{ticket.pk}/?form=split", **htmx()).content.decode()
    assert "No customer messages to split off yet." in content
    assert 'name="entries"' not in content

    update_services.post_customer_reply(ticket, author=contact, body="Printer jammed")
    content = client.get(f"/tickets/{ticket.pk}/?form=split", **htmx()).content.decode()
    assert "Printer jammed" in content
    assert 'name="entries"' in content


def test_a_time_form_with_errors_comes_back_open_with_them(agent, ticket):
    response = client_for(agent).post(
        f"/billing/tickets/{ticket.pk}/time/", {"time-minutes": "0", "time-work_type": ""}
    )
    content = response.content.decode()
    assert response.status_code == 400
    section = content[content.index('id="time"') :]
    assert 'name="time-minutes"' in section
    assert " open>" in section[: section.index('name="time-minutes"')]


def test_an_unknown_form_is_still_a_clear_400_naming_the_panel_forms(agent, ticket):
    response = client_for(agent).get(f"/tickets/{ticket.pk}/?form=wat", **htmx())
    assert response.status_code == 400
    assert "Unknown form 'wat'" in response.content.decode()
    assert "time" in response.content.decode()


def test_a_closed_ticket_answers_its_panel_forms_with_a_sentence_not_a_form(agent, contact):
    from tickets import services

    ticket = owned_ticket(agent, organization=contact.organization, requester=contact)
    services.change_status(ticket, status="closed", by=agent)
    client = client_for(agent)
    incident = client.get(f"/tickets/{ticket.pk}/?form=incident", **htmx()).content.decode()
    split = client.get(f"/tickets/{ticket.pk}/?form=split", **htmx()).content.decode()
    assert "<form" not in incident
    assert "is closed" in incident
    assert "<form" not in split
    assert "is closed" in split
