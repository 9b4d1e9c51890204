"""Property-based tests of the API against its own OpenAPI schema (schemathesis).

Schemathesis reads /api/schema/ from the WSGI app in process and sends requests as a manager and
as a customer contact, running every check it has (`--checks all`):

- the schema's own examples (the examples phase), against data seeded with the ids they name:
  each must be accepted (2xx), or refused only as the caller's role requires (401/403/404);
- generated requests (the fuzzing phase), valid and invalid: never a 5xx, status codes, headers
  and bodies as documented, and schema-invalid input refused. Not asked of generated data:
  that schema-valid data is accepted. A generated body names an organisation, a time zone or
  a vendor name that does not exist or is taken, which the API rightly refuses with a 400 the
  schema cannot foresee; the query parameters' declared bounds are held to acceptance by
  test_declared_parameter_bounds_are_what_the_views_accept instead.

The number of generated examples per operation is kept small so the whole run stays around a
minute on two cores; raise SCHEMATHESIS_EXAMPLES locally for a deeper search.
"""

import os

import pytest
import schemathesis
from django.core.management.color import no_style
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, connection
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.specs.openapi.checks import positive_data_acceptance

from accounts.models import Organization, User
from billing.models import WorkType
from tests.factories import AgentFactory, ContactFactory, OrganizationFactory, TicketFactory
from tests.vendors.factories import EscalationFactory, EscalationNoteFactory, VendorFactory
from tickets import services as ticket_services
from tickets.models import Status, Ticket
from vendors.models import Vendor

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "6"))
WSGI_APP = get_wsgi_application()


def with_ids(*models) -> None:
    """Objects were made with the ids the schema's examples name: move each table's id
    sequence past them, so objects the API creates meanwhile never take one of those ids."""
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), list(models)):
            cursor.execute(statement)


def next_id_is(pk: int, model, make):
    """Make an object through its service (which takes no id) with the id `pk`."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [model._meta.db_table, pk - 1]
        )
    made = make()
    assert made.pk == pk
    return made


def public_dns(host: str, port: int) -> list[str]:
    """No DNS in the tests: every webhook host name answers a public address (IP literals are
    themselves), so the URL guard refuses only what it should."""
    return [host] if host.replace(".", "").isdigit() or ":" in host else ["93.184.215.14"]


@pytest.fixture
def seeded(manager, monkeypatch):
    """The objects the schema's examples name, with those ids (organisations 3 and 4, agent 7,
    contact 12, ticket 1042, vendor 3, and alice@msp.example who signs in), and a little of
    everything else, so generated ids sometimes hit real objects too."""
    customer = OrganizationFactory(pk=3, name="Northwind Traders")
    OrganizationFactory(pk=4, name="Bluewave Dental")
    agent = AgentFactory(pk=7, name="Ana Agent", email="ana@msp.example")
    contact = ContactFactory(pk=12, organization=customer, email="priya@northwind.example")
    AgentFactory(email="alice@msp.example", password="her passphrase")
    ticket = next_id_is(
        1042, Ticket, lambda: TicketFactory(organization=customer, requester=contact, owner=agent)
    )
    resolved = TicketFactory(organization=customer, requester=contact)
    ticket_services.change_status(resolved, status=Status.RESOLVED, by=agent)
    vendor = VendorFactory(pk=3, name="Litware Storage")
    escalation = EscalationFactory(ticket=ticket, vendor=vendor, by=agent)
    EscalationNoteFactory(escalation=escalation, author=agent, pushback=True)
    # The work types a new installation has (a transactional test before this one emptied them).
    for name in ("Remote", "On site", "Travel", "Project"):
        WorkType.objects.get_or_create(name=name)
    with_ids(Organization, User, Ticket, Vendor)
    monkeypatch.setattr("webhooks.guard.resolve", public_dns)
    return {"manager": manager, "contact": contact}


@pytest.fixture
def unthrottled(settings):
    """Hundreds of requests a minute are the point here, not abuse."""
    rest = {**settings.REST_FRAMEWORK}
    rest["DEFAULT_THROTTLE_RATES"] = {
        scope: "100000/minute" for scope in rest["DEFAULT_THROTTLE_RATES"]
    }
    settings.REST_FRAMEWORK = rest


# Loaded at collection from the app itself (no database needed to build the schema), once per
# phase: the schema's own examples, and generated requests. The coverage phase's exhaustive
# boundary cases would take minutes more; the bounds test below covers the boundaries.
EXAMPLES_SCHEMA = schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGI_APP)
for _phase in ("fuzzing", "coverage", "stateful"):
    getattr(EXAMPLES_SCHEMA.config.phases, _phase).enabled = False
SCHEMA = schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGI_APP)
for _phase in ("examples", "coverage", "stateful"):
    getattr(SCHEMA.config.phases, _phase).enabled = False

load_all_checks()
ALL_CHECKS = [check for check in CHECKS.get_all() if not isinstance(check, type)]
GENERATED_DATA_CHECKS = [check for check in ALL_CHECKS if check is not positive_data_acceptance]

HYPOTHESIS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def keep_connection_open():
    """The WSGI handler closes the database connection when a request finishes, which would
    end the test's transaction; Django's own test client unhooks the same two receivers."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def auth_headers(seeded, unthrottled, keep_connection_open):
    def headers(role: str) -> dict[str, str]:
        token, _ = Token.objects.get_or_create(user=seeded[role])
        return {"Authorization": f"Token {token.key}"}

    return headers


@EXAMPLES_SCHEMA.parametrize()
@HYPOTHESIS
def test_the_schemas_examples_are_valid_and_accepted_for_a_manager(case, auth_headers):
    case.call_and_validate(headers=auth_headers("manager"), checks=ALL_CHECKS)


@EXAMPLES_SCHEMA.parametrize()
@HYPOTHESIS
def test_the_schemas_examples_are_valid_and_accepted_for_a_contact(case, auth_headers):
    case.call_and_validate(headers=auth_headers("contact"), checks=ALL_CHECKS)


@SCHEMA.parametrize()
@HYPOTHESIS
def test_the_api_keeps_its_schema_for_a_manager(case, auth_headers):
    case.call_and_validate(headers=auth_headers("manager"), checks=GENERATED_DATA_CHECKS)


@SCHEMA.parametrize()
@HYPOTHESIS
def test_the_api_keeps_its_schema_for_a_contact(case, auth_headers):
    case.call_and_validate(headers=auth_headers("contact"), checks=GENERATED_DATA_CHECKS)
