"""Property-based tests of the API against its own OpenAPI schema (schemathesis).

Schemathesis reads /api/schema/ from the WSGI app in process and, for every operation, sends
generated requests (valid and invalid) as a manager and as a customer contact, checking each
answer: never a 5xx, and status code, headers and body as the schema documents them. The number
of examples per operation is kept small so the whole run stays around a minute on two cores;
raise SCHEMATHESIS_EXAMPLES locally for a deeper search.
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import TicketFactory
from tests.vendors.factories import EscalationFactory, EscalationNoteFactory, VendorFactory
from tickets import services as ticket_services
from tickets.models import Status

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "6"))
WSGI_APP = get_wsgi_application()


@pytest.fixture
def seeded(organization, contact, agent, manager):
    """A little of everything, so generated ids sometimes hit real objects (id 1, 2, ...)."""
    ticket = TicketFactory(organization=organization, requester=contact, owner=agent)
    resolved = TicketFactory(organization=organization, requester=contact)
    ticket_services.change_status(resolved, status=Status.RESOLVED, by=agent)
    vendor = VendorFactory(name="Contoso Networks")
    escalation = EscalationFactory(ticket=ticket, vendor=vendor, by=agent)
    EscalationNoteFactory(escalation=escalation, author=agent, pushback=True)
    return {"manager": manager, "contact": contact}


@pytest.fixture
def unthrottled(settings):
    """Hundreds of requests a minute are the point here, not abuse."""
    rest = {**settings.REST_FRAMEWORK}
    rest["DEFAULT_THROTTLE_RATES"] = {
        scope: "100000/minute" for scope in rest["DEFAULT_THROTTLE_RATES"]
    }
    settings.REST_FRAMEWORK = rest


# Loaded once at collection from the app itself (no database needed to build the schema).
SCHEMA = schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGI_APP)
# The explicit examples and the fuzzing phase (valid and invalid data) stay within the time
# budget; the coverage phase's exhaustive boundary cases would take minutes more.
SCHEMA.config.phases.coverage.enabled = False

# Zero server errors and zero schema violations. Not checked: whether generated "valid" data is
# accepted (a generated id rarely names a real object) or generated invalid data refused (a
# repeated query parameter is not invalid to Django).
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

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


@SCHEMA.parametrize()
@HYPOTHESIS
def test_the_api_keeps_its_schema_for_a_manager(case, auth_headers):
    case.call_and_validate(headers=auth_headers("manager"), checks=CHECKS)


@SCHEMA.parametrize()
@HYPOTHESIS
def test_the_api_keeps_its_schema_for_a_contact(case, auth_headers):
    case.call_and_validate(headers=auth_headers("contact"), checks=CHECKS)
