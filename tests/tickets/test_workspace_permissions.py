"""Who may reach each staff workspace page and action, and CSRF on every form.

The convention (accounts.decorators.staff_required): anonymous visitors are sent to sign in,
customer contacts get 403 (they have the portal), agents and managers are let through. A refused
request changes nothing. Every POST needs the CSRF token the page's forms carry.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from tests.factories import AgentFactory, ContactFactory, ManagerFactory, TicketFactory
from tests.tickets.helpers import version
from tickets.models import Ticket
from updates.models import TimelineEntry

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    url: Callable[[Ticket, User], str]
    data: Callable[[Ticket, User], dict[str, Any]] = lambda ticket, helper: {}
    allowed_status: int = 302  # what an agent or a manager gets


def _with_version(**fields) -> Callable[[Ticket, User], dict[str, Any]]:
    def build(ticket: Ticket, helper: User) -> dict[str, Any]:
        values = {
            key: (value(ticket, helper) if callable(value) else value)
            for key, value in fields.items()
        }
        return {"expected_updated_at": version(ticket), **values}

    return build


PAGES = [
    Endpoint("queue", "get", lambda t, h: "/?view=open", allowed_status=200),
    Endpoint("triage inbox", "get", lambda t, h: "/triage/", allowed_status=200),
    Endpoint("new ticket form", "get", lambda t, h: "/tickets/new/", allowed_status=200),
    Endpoint(
        "priority preview",
        "get",
        lambda t, h: "/tickets/priority-preview/?impact=1&urgency=2",
        allowed_status=200,
    ),
    Endpoint("ticket page", "get", lambda t, h: f"/tickets/{t.pk}/", allowed_status=200),
    # A side form opened on its own (the no-JavaScript link; htmx asks the same URL).
    Endpoint(
        "ticket page side form",
        "get",
        lambda t, h: f"/tickets/{t.pk}/?form=handover",
        allowed_status=200,
    ),
    Endpoint("notifications", "get", lambda t, h: "/notifications/", allowed_status=200),
    Endpoint("bell", "get", lambda t, h: "/notifications/bell/", allowed_status=200),
]
ACTIONS = [
    Endpoint("take ownership", "post", lambda t, h: f"/tickets/{t.pk}/own/", _with_version()),
    Endpoint(
        "assign",
        "post",
        lambda t, h: f"/tickets/{t.pk}/handover/",
        _with_version(owner=lambda t, h: h.pk, handover_note="Yours: payroll."),
    ),
    Endpoint(
        "triage",
        "post",
        lambda t, h: f"/tickets/{t.pk}/triage/",
        _with_version(impact=2, urgency=2, problem_statement="Payroll export fails."),
    ),
    Endpoint(
        "status and dates",
        "post",
        lambda t, h: f"/tickets/{t.pk}/details/",
        _with_version(status="new", eta="", needed_by=""),
    ),
    Endpoint(
        "priority override",
        "post",
        lambda t, h: f"/tickets/{t.pk}/priority/",
        _with_version(priority_override=1, priority_override_reason="Board meeting at 10."),
    ),
    Endpoint(
        "add collaborator",
        "post",
        lambda t, h: f"/tickets/{t.pk}/collaborators/",
        _with_version(user=lambda t, h: h.pk),
    ),
    Endpoint(
        "remove collaborator",
        "post",
        lambda t, h: f"/tickets/{t.pk}/collaborators/{h.pk}/remove/",
    ),
    Endpoint(
        "public update",
        "post",
        lambda t, h: f"/tickets/{t.pk}/updates/public/",
        lambda t, h: {"body": "We are on it.", "promise": "default", "status": "new"},
    ),
    Endpoint(
        "update preview",
        "post",
        lambda t, h: f"/tickets/{t.pk}/updates/preview/",
        lambda t, h: {"body": "We are on it.", "promise": "default", "status": "new"},
        allowed_status=200,
    ),
    Endpoint(
        "internal note",
        "post",
        lambda t, h: f"/tickets/{t.pk}/updates/note/",
        lambda t, h: {"body": "Checked the logs."},
    ),
    Endpoint(
        "raise a ticket",
        "post",
        lambda t, h: "/tickets/new/",
        lambda t, h: {
            "organization": t.organization_id,
            "subject": "Phone call: scanner offline",
            "impact": 3,
            "urgency": 3,
        },
    ),
    Endpoint("mark all notifications read", "post", lambda t, h: "/notifications/read-all/"),
    # Nobody has a notification 999999: staff get past the gate to a 404.
    Endpoint(
        "mark a notification read",
        "post",
        lambda t, h: "/notifications/999999/read/",
        allowed_status=404,
    ),
]
EVERYTHING = PAGES + ACTIONS


def _snapshot(ticket: Ticket) -> tuple:
    ticket.refresh_from_db()
    return (
        ticket.updated_at,
        Ticket.objects.count(),
        TimelineEntry.objects.count(),
        ticket.collaborators.count(),
    )


def _call(client: Client, endpoint: Endpoint, ticket: Ticket, helper: User):
    url = endpoint.url(ticket, helper)
    return getattr(client, endpoint.method)(url, endpoint.data(ticket, helper))


@pytest.fixture
def ticket_and_helper(db):
    """A new ticket, and a colleague who already collaborates on it (so "remove" has someone)."""
    ticket = TicketFactory()
    helper = AgentFactory(name="Hana Helper")
    ticket.collaborators.add(helper)
    return ticket, helper


@pytest.mark.parametrize("endpoint", EVERYTHING, ids=lambda endpoint: endpoint.name)
def test_anonymous_visitors_are_sent_to_sign_in_and_change_nothing(endpoint, ticket_and_helper):
    ticket, helper = ticket_and_helper
    before = _snapshot(ticket)
    response = _call(Client(), endpoint, ticket, helper)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
    assert _snapshot(ticket) == before


@pytest.mark.parametrize("endpoint", EVERYTHING, ids=lambda endpoint: endpoint.name)
def test_customer_contacts_are_refused_and_change_nothing(endpoint, ticket_and_helper):
    ticket, helper = ticket_and_helper
    # Even the ticket's own requester: the staff workspace is not theirs.
    contact = ContactFactory(organization=ticket.organization)
    client = Client()
    client.force_login(contact)
    before = _snapshot(ticket)
    assert _call(client, endpoint, ticket, helper).status_code == 403
    assert _snapshot(ticket) == before


@pytest.mark.parametrize("role", ["agent", "manager"])
@pytest.mark.parametrize("endpoint", EVERYTHING, ids=lambda endpoint: endpoint.name)
def test_agents_and_managers_may_use_every_page_and_action(endpoint, role, ticket_and_helper):
    ticket, helper = ticket_and_helper
    user = AgentFactory() if role == "agent" else ManagerFactory()
    client = Client()
    client.force_login(user)
    response = _call(client, endpoint, ticket, helper)
    assert response.status_code == endpoint.allowed_status, response.content.decode()[:500]


# ---- CSRF ----------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ACTIONS, ids=lambda endpoint: endpoint.name)
def test_every_action_refuses_a_post_without_the_csrf_token(endpoint, ticket_and_helper, agent):
    ticket, helper = ticket_and_helper
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    before = _snapshot(ticket)
    assert _call(client, endpoint, ticket, helper).status_code == 403
    assert _snapshot(ticket) == before


def test_every_form_on_the_ticket_page_carries_the_token_and_it_is_accepted(
    ticket_and_helper, agent
):
    ticket, _helper = ticket_and_helper
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    content = client.get(f"/tickets/{ticket.pk}/").content.decode()
    # The side forms load when opened: each as the htmx fragment, and all of them drawn on the
    # page when asked for by name (the links that work without JavaScript).
    pages = [content]
    for name in ("triage", "details", "handover", "collaborator", "override"):
        pages.append(
            client.get(
                f"/tickets/{ticket.pk}/?form={name}", HTTP_HX_REQUEST="true"
            ).content.decode()
        )
        pages.append(client.get(f"/tickets/{ticket.pk}/?form={name}").content.decode())
    post_forms = [
        form
        for page in pages
        for form in re.findall(r"<form[^>]*method=\"post\".*?</form>", page, flags=re.S)
    ]
    actions = {re.search(r'action="([^"]+)"', form).group(1) for form in post_forms}
    for path in (
        "own",
        "triage",
        "details",
        "handover",
        "collaborators",
        "priority",
        "updates/note",
    ):
        assert f"/tickets/{ticket.pk}/{path}/" in actions, path
    for form in post_forms:
        assert 'name="csrfmiddlewaretoken"' in form, form[:200]
    # htmx requests send the token as a header (base.html's hx-headers).
    assert 'hx-headers=\'{"X-CSRFToken": "' in content

    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', content).group(1)
    response = client.post(
        f"/tickets/{ticket.pk}/updates/note/",
        {"body": "Logs checked.", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert TimelineEntry.objects.filter(ticket=ticket, kind="internal_note").count() == 1
