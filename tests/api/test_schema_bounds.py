"""The bounds the OpenAPI schema declares for query parameters are the bounds the views enforce
(issue 16, item 4): each declared minimum and maximum is accepted, one step beyond it is a 400.
Read from the schema itself, so a filter added later is held to the same rule."""

import pytest

from tests.factories import TicketFactory
from tests.vendors.factories import EscalationFactory, VendorFactory
from webhooks.models import Subscription, new_secret

pytestmark = pytest.mark.django_db


def bounded_query_parameters(schema: dict):
    """(path, parameter name, minimum or None, maximum or None) of every GET's bounded query
    parameter."""
    for path, item in schema["paths"].items():
        for parameter in item.get("get", {}).get("parameters", []):
            bounds = parameter.get("schema", {})
            if parameter["in"] == "query" and {"minimum", "maximum"} & set(bounds):
                yield path, parameter["name"], bounds.get("minimum"), bounds.get("maximum")


def test_declared_parameter_bounds_are_what_the_views_accept(
    api_client_for, manager, organization, contact
):
    ticket = TicketFactory(organization=organization, requester=contact)
    escalation = EscalationFactory(ticket=ticket, vendor=VendorFactory(), by=manager)
    client = api_client_for(manager)
    schema = client.get("/api/schema/?format=json").json()
    webhook = Subscription.objects.create(url="https://hooks.example.test/", secret=new_secret())
    ids = {"{ticket_id}": ticket.pk, "{escalation_id}": escalation.pk, "{id}": ticket.pk}
    checked, wrong = set(), []
    for path, name, minimum, maximum in bounded_query_parameters(schema):
        if path.startswith("/api/v1/webhooks/"):
            path = path.replace("{id}", str(webhook.pk))
        for placeholder, pk in ids.items():
            path = path.replace(placeholder, str(pk))
        cases = []
        if minimum is not None:
            cases += [(minimum, 200), (minimum - 1, 400)]
        if maximum is not None:
            cases += [(maximum, 200), (maximum + 1, 400)]
        for value, expected in cases:
            status = client.get(path, {name: value}).status_code
            if status != expected:
                wrong.append(f"{path}?{name}={value}: {status}, schema says {expected}")
        checked.add(name)
    assert not wrong, "\n".join(wrong)
    assert {"organization", "owner", "priority", "ticket", "page", "page_size"} <= checked


def test_the_scorecard_reads_the_dates_its_schema_declares(api_client_for, manager):
    vendor = VendorFactory()
    client = api_client_for(manager)
    url = f"/api/v1/vendors/{vendor.pk}/scorecard/"
    parameters = client.get("/api/schema/?format=json").json()["paths"][
        "/api/v1/vendors/{id}/scorecard/"
    ]["get"]["parameters"]
    formats = {
        p["name"]: {option["format"] for option in p["schema"]["anyOf"]}
        for p in parameters
        if p["in"] == "query"
    }
    assert formats == {"since": {"date", "date-time"}, "until": {"date", "date-time"}}
    for since in ("2026-01-01", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00+02:00"):
        assert client.get(url, {"since": since}).status_code == 200, since
    for since in ("yesterday", "1999-12-31", "2026-13-01"):
        assert client.get(url, {"since": since}).status_code == 400, since
