"""Autocomplete pickers (tickets.autocomplete): the suggestions endpoint, what a typed value
resolves to, and the queue filters and new-ticket form that use them instead of long selects."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import AgentFactory, ContactFactory, OrganizationFactory
from tests.tickets.helpers import client_for, htmx, owned_ticket
from tickets.autocomplete import CONTACTS, CUSTOMERS, STAFF, SUGGESTION_LIMIT
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def option_values(response) -> list[str]:
    return re.findall(r'role="option"[^>]*data-value="(\d+)"', response.content.decode())


# ---- the suggestions endpoint ----------------------------------------------------------------


def test_suggestions_list_matching_customers_names_starting_with_the_text_first(agent):
    contains = OrganizationFactory(name="Old Northwind Depot")
    starts = OrganizationFactory(name="Northwind Traders")
    OrganizationFactory(name="Fabrikam Dental")

    response = client_for(agent).get("/tickets/autocomplete/customers/?q=northwind")

    assert response.status_code == 200
    assert option_values(response) == [str(starts.pk), str(contains.pk)]
    assert 'data-label="Northwind Traders"' in response.content.decode()


def test_suggestions_stop_at_the_limit_and_say_there_are_more(agent):
    for number in range(SUGGESTION_LIMIT + 2):
        OrganizationFactory(name=f"Contoso branch {number:02}")
    response = client_for(agent).get("/tickets/autocomplete/customers/?q=contoso")
    assert len(option_values(response)) == SUGGESTION_LIMIT
    assert "More match" in response.content.decode()


def test_staff_suggestions_match_name_or_email_and_leave_out_customers(agent, contact):
    AgentFactory(name="Chen Wei", email="chen@msp.test")
    response = client_for(agent).get("/tickets/autocomplete/staff/?q=chen@")
    content = response.content.decode()
    assert "Chen Wei" in content
    assert "chen@msp.test" in content
    assert option_values(client_for(agent).get("/tickets/autocomplete/staff/?q=priya")) == []


def test_contact_suggestions_keep_to_the_chosen_customer(agent, contact):
    elsewhere = ContactFactory(name="Priya Elsewhere")
    client = client_for(agent)
    by_id = client.get(
        f"/tickets/autocomplete/contacts/?q=priya&organization={contact.organization.pk}"
    )
    assert option_values(by_id) == [str(contact.pk)]
    by_name = client.get("/tickets/autocomplete/contacts/?q=priya&organization=northwind traders")
    assert option_values(by_name) == [str(contact.pk)]
    # A customer name that names no one (yet) narrows nothing.
    anywhere = client.get("/tickets/autocomplete/contacts/?q=priya&organization=northw1nd")
    assert set(option_values(anywhere)) == {str(contact.pk), str(elsewhere.pk)}


def test_no_match_is_said_plainly(agent):
    response = client_for(agent).get("/tickets/autocomplete/customers/?q=zzz")
    assert option_values(response) == []
    assert "No customer matches “zzz”." in response.content.decode()


def test_suggestions_are_for_staff_only_and_unknown_sources_are_404(client, agent, contact):
    assert client.get("/tickets/autocomplete/customers/?q=a").status_code == 302
    assert client_for(contact).get("/tickets/autocomplete/contacts/?q=a").status_code == 403
    assert client_for(agent).get("/tickets/autocomplete/vendors/?q=a").status_code == 404


# ---- what typed text resolves to -------------------------------------------------------------


def test_a_number_an_exact_name_or_a_unique_part_names_one_customer(organization):
    OrganizationFactory(name="Fabrikam Dental")
    assert CUSTOMERS.resolve(str(organization.pk)) == organization
    assert CUSTOMERS.resolve(f"#{organization.pk}") == organization
    assert CUSTOMERS.resolve("  northwind   TRADERS ") == organization
    assert CUSTOMERS.resolve("wind tra") == organization


def test_an_exact_name_wins_over_longer_names_containing_it(db):
    exact = OrganizationFactory(name="Contoso")
    OrganizationFactory(name="Contoso Pharma")
    assert CUSTOMERS.resolve("contoso") == exact


def test_several_or_no_matches_are_clear_errors(db):
    OrganizationFactory(name="Contoso Pharma")
    OrganizationFactory(name="Contoso Retail")
    with pytest.raises(ValidationError, match="Several customers match “contoso”: Contoso"):
        CUSTOMERS.resolve("contoso")
    with pytest.raises(ValidationError, match=r"No customer matches “globex”\."):
        CUSTOMERS.resolve("globex")
    with pytest.raises(ValidationError, match=r"No customer has the number 999999\."):
        CUSTOMERS.resolve("999999")


def test_a_contact_label_typed_back_names_that_contact(contact):
    ContactFactory(name=contact.name, email="another.priya@example.test")
    assert CONTACTS.resolve(f"{contact.name} <{contact.email}>") == contact
    with pytest.raises(ValidationError, match="Several customer contacts match"):
        CONTACTS.resolve(contact.name)


def test_staff_pickers_never_resolve_a_customer_contact(contact):
    with pytest.raises(ValidationError):
        STAFF.resolve(str(contact.pk))


# ---- the queue's owner and customer filters ---------------------------------------------------


def test_queue_filters_by_a_typed_customer_name_or_owner_email_without_javascript(
    agent, other_agent
):
    northwind = OrganizationFactory(name="Northwind Traders")
    mine = owned_ticket(agent, organization=northwind)
    theirs = owned_ticket(other_agent)
    client = client_for(agent)

    by_name = client.get("/?view=open&organization=northwind")
    assert [t.pk for t in by_name.context["page"].tickets] == [mine.pk]
    by_email = client.get("/?view=open&owner=bob@msp.test")
    assert [t.pk for t in by_email.context["page"].tickets] == [theirs.pk]


def test_a_chosen_filter_shows_its_name_and_carries_its_id(agent):
    northwind = OrganizationFactory(name="Northwind Traders")
    content = client_for(agent).get(f"/?view=open&organization={northwind.pk}").content.decode()
    field = re.search(r'<input[^>]*name="organization"[^>]*>', content).group(0)
    assert 'value="Northwind Traders"' in field
    assert f'data-chosen-value="{northwind.pk}"' in field
    assert 'hx-get="/tickets/autocomplete/customers/"' in field


def test_an_ambiguous_filter_answers_400_naming_the_matches_and_keeps_the_text(agent):
    OrganizationFactory(name="Contoso Pharma")
    OrganizationFactory(name="Contoso Retail")
    response = client_for(agent).get("/?view=open&organization=contoso")
    content = response.content.decode()
    assert response.status_code == 400
    assert "Several customers match “contoso”" in content
    assert re.search(r'<input[^>]*name="organization"[^>]*value="contoso"', content)


def test_the_queue_lists_no_customers_or_staff_and_its_queries_do_not_grow_with_them(agent):
    owned_ticket(agent)
    client = client_for(agent)
    client.get("/?view=open")  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get("/?view=open")
    for number in range(15):
        OrganizationFactory(name=f"Customer to list {number}")
        AgentFactory(name=f"Agent to list {number}")
    with CaptureQueriesContext(connection) as many:
        content = client.get("/?view=open").content.decode()
    assert len(many) == len(few)
    assert "Customer to list" not in content
    assert "Agent to list" not in content


def test_htmx_filtering_by_a_picked_id_answers_the_results_fragment(agent):
    northwind = OrganizationFactory(name="Northwind Traders")
    owned_ticket(agent, organization=northwind)
    response = client_for(agent).get(
        f"/?view=open&organization={northwind.pk}", **htmx(target="queue-results")
    )
    assert response.content.decode().lstrip().startswith('<section id="queue-results"')
    assert len(response.context["page"].tickets) == 1


# ---- the new-ticket form ---------------------------------------------------------------------


def test_new_ticket_form_lists_no_contacts(agent, contact):
    content = client_for(agent).get("/tickets/new/").content.decode()
    assert contact.email not in content
    assert 'data-autocomplete="contacts"' in content
    assert 'hx-include="[name=organization]"' in content


def test_a_ticket_is_raised_with_the_customer_and_requester_typed_by_name(agent, contact):
    response = client_for(agent).post(
        "/tickets/new/",
        {
            "organization": "Northwind Traders",
            "requester": f"{contact.name} <{contact.email}>",
            "subject": "Phone call: printer offline",
            "impact": 3,
            "urgency": 3,
        },
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get(subject="Phone call: printer offline")
    assert (ticket.organization, ticket.requester) == (contact.organization, contact)


def test_a_refused_new_ticket_shows_the_chosen_customer_by_name(agent, contact):
    response = client_for(agent).post(
        "/tickets/new/",
        {"organization": contact.organization.pk, "requester": "nobody", "subject": "x"},
    )
    content = response.content.decode()
    assert response.status_code == 400
    assert "No customer contact matches “nobody”." in content
    field = re.search(r'<input[^>]*name="organization"[^>]*>', content).group(0)
    assert 'value="Northwind Traders"' in field
    assert not Ticket.objects.exists()
