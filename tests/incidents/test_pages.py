"""Staff pages: /incidents/, an incident's page with its composer and linked tickets, the ticket
page's incident panel. Plain form posts work without JavaScript; customers get 404."""

import pytest
from django.test import Client

from incidents import services as incident_services
from incidents.models import Incident, IncidentDelivery, IncidentEntry
from tests.servicedesk.test_errors_tied_to_fields import assert_errors_tied_to_fields
from tests.vendors.factories import EscalationFactory, VendorFactory

from .conftest import TITLE, run_fan_out


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_customers_get_404_on_every_incident_page(contact, incident, tickets):
    client = signed_in(contact)
    for url in [
        "/incidents/",
        f"/incidents/{incident.pk}/",
        f"/incidents/{incident.pk}/progress/",
    ]:
        assert client.get(url).status_code == 404, url
    for url in [
        f"/incidents/{incident.pk}/updates/",
        f"/incidents/{incident.pk}/tickets/{tickets[0].pk}/unlink/",
        f"/incidents/tickets/{tickets[0].pk}/link/",
    ]:
        response = client.post(url, {"body": "x"})
        assert response.status_code == 404, url
        assert TITLE not in response.content.decode()


@pytest.mark.django_db
def test_the_list_shows_open_incidents_first_with_tickets_and_customers(agent, incident):
    done = incident_services.create_incident(by=agent, title="Old outage")
    incident_services.resolve_incident(done, by=agent)
    page = signed_in(agent).get("/incidents/").content.decode()
    assert page.index(TITLE) < page.index("Old outage")
    row = page[page.index(TITLE) :]
    assert '<td class="num">3</td>' in row  # tickets
    assert '<td class="num">2</td>' in row  # customers


@pytest.mark.django_db
def test_opening_an_incident_from_the_list(agent):
    response = signed_in(agent).post(
        "/incidents/", {"title": "VPN down", "summary": "Remote access is down."}
    )
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/incidents/{incident.pk}/"
    assert incident.commander == agent


@pytest.mark.django_db
def test_a_blank_title_is_a_field_error_and_nothing_is_made(agent):
    response = signed_in(agent).post("/incidents/", {"title": "  "})
    assert response.status_code == 400
    assert not Incident.objects.exists()


@pytest.mark.django_db
def test_the_incident_page_lists_linked_tickets_and_sends_an_update(agent, incident, tickets):
    client = signed_in(agent)
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    for ticket in tickets:
        assert ticket.reference in page
    assert 'for="id_update-body"' in page

    response = client.post(f"/incidents/{incident.pk}/updates/", {"update-body": "Rerouting mail."})
    assert response.status_code == 302
    assert IncidentDelivery.objects.count() == 3
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "3 still to go" in page
    run_fan_out()
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "on 3 of 3 tickets" in page
    assert "still to go" not in page


@pytest.mark.django_db
def test_a_held_back_update_asks_for_confirmation_and_sends_nothing(agent, incident, tickets):
    EscalationFactory(ticket=tickets[0], vendor=VendorFactory(name="Contoso"), by=agent)
    client = signed_in(agent)
    url = f"/incidents/{incident.pk}/updates/"
    response = client.post(url, {"update-body": "Contoso is on it."})
    assert response.status_code == 400
    assert 'name="update-confirm_vendor_mention"' in response.content.decode()
    assert not IncidentEntry.objects.exists()
    response = client.post(
        url, {"update-body": "Contoso is on it.", "update-confirm_vendor_mention": "on"}
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_linking_by_reference_and_unlinking_from_the_incident_page(agent, organization, tickets):
    incident = incident_services.create_incident(by=agent, title="Relay down")
    client = signed_in(agent)
    response = client.post(
        f"/incidents/{incident.pk}/tickets/", {"link-ticket": tickets[0].reference}
    )
    assert response.status_code == 302
    assert list(incident.links.values_list("ticket_id", flat=True)) == [tickets[0].pk]
    wrong = client.post(f"/incidents/{incident.pk}/tickets/", {"link-ticket": "SD-999999"})
    assert wrong.status_code == 400
    assert "There is no ticket SD-999999" in wrong.content.decode()
    client.post(f"/incidents/{incident.pk}/tickets/{tickets[0].pk}/unlink/")
    assert not incident.links.exists()


@pytest.mark.django_db
def test_the_ticket_page_links_and_shows_the_incident(agent, tickets):
    incident = incident_services.create_incident(by=agent, title="Relay down")
    client = signed_in(agent)
    page = client.get(f"/tickets/{tickets[0].pk}/").content.decode()
    assert 'id="major-incident"' in page
    # The link form loads when opened (tickets.panels rule 5): under htmx, or the whole page.
    assert f'href="/tickets/{tickets[0].pk}/?form=incident#major-incident"' in page
    form = client.get(f"/tickets/{tickets[0].pk}/?form=incident", HTTP_HX_REQUEST="true")
    assert "Relay down" in form.content.decode()
    assert "Relay down" in client.get(f"/tickets/{tickets[0].pk}/?form=incident").content.decode()
    response = client.post(
        f"/incidents/tickets/{tickets[0].pk}/link/", {"incident_link-incident": incident.pk}
    )
    assert response.status_code == 302
    page = client.get(f"/tickets/{tickets[0].pk}/").content.decode()
    assert f"/incidents/{incident.pk}/" in page
    assert "Unlink from the incident" in page


@pytest.mark.django_db
def test_the_progress_fragment_polls_only_while_tickets_are_pending(agent, incident):
    client = signed_in(agent)
    incident_services.post_incident_update(incident, by=agent, body="Rerouting mail.")
    fragment = client.get(f"/incidents/{incident.pk}/progress/").content.decode()
    assert "hx-trigger" in fragment
    run_fan_out()
    fragment = client.get(f"/incidents/{incident.pk}/progress/").content.decode()
    assert "hx-trigger" not in fragment


@pytest.mark.django_db
def test_the_dashboard_shows_major_incidents_now(manager, incident):
    page = signed_in(manager).get("/dashboard/").content.decode()
    assert 'id="panel-major-incidents"' in page
    assert f"/incidents/{incident.pk}/" in page
    incident_services.resolve_incident(incident, by=manager, resolution="Mail flows again.")
    page = signed_in(manager).get("/dashboard/").content.decode()
    assert 'id="panel-major-incidents"' not in page


INCIDENT_FORMS = {
    "update": ("updates/", {"update-body": "", "update-next_update_due": "not a time"}),
    "note": ("notes/", {"note-body": ""}),
    "status": ("status/", {"status-status": "exploded"}),
    "link": ("tickets/", {"link-ticket": "printer"}),
}


@pytest.mark.django_db
@pytest.mark.parametrize("form", INCIDENT_FORMS)
def test_incident_form_errors_are_tied_to_their_fields(agent, incident, form):
    path, data = INCIDENT_FORMS[form]
    response = signed_in(agent).post(f"/incidents/{incident.pk}/{path}", data)
    assert response.status_code == 400
    assert_errors_tied_to_fields(response.content.decode())
    assert not IncidentEntry.objects.exists()


@pytest.mark.django_db
def test_new_incident_and_ticket_panel_errors_are_tied_to_their_fields(agent, tickets):
    response = signed_in(agent).post("/incidents/", {"title": ""})
    assert_errors_tied_to_fields(response.content.decode())
    response = signed_in(agent).post(
        f"/incidents/tickets/{tickets[0].pk}/link/", {"incident_link-incident": "999"}
    )
    assert response.status_code == 400
    assert_errors_tied_to_fields(response.content.decode())
