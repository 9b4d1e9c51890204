"""The isolation matrix: a contact of organisation A against organisation B's ids, on every
endpoint. What they may not see answers 404 exactly as a missing id does, and nothing is written."""

import pytest

from tests.factories import ContactFactory, TicketFactory
from tests.vendors.factories import EscalationFactory, EscalationNoteFactory, VendorFactory
from tickets import services as ticket_services
from tickets.models import Status, Ticket
from updates.models import Feedback, Notification, NotificationKind, TimelineEntry
from vendors.models import EscalationNote, Vendor, VendorEscalation

MISSING_ID = 987654


@pytest.fixture
def foreign_ticket(other_ticket, agent):
    """Organisation B's ticket, owned, restated and resolved so that every action applies."""
    ticket_services.assign_owner(other_ticket, owner=agent, by=agent)
    ticket_services.restate_problem(other_ticket, problem_statement="X-ray PC slow", by=agent)
    return ticket_services.change_status(other_ticket, status=Status.RESOLVED, by=agent)


def snapshot() -> tuple:
    return (
        list(Ticket.objects.order_by("pk").values_list("pk", "status", "impact", "updated_at")),
        TimelineEntry.objects.count(),
        Feedback.objects.count(),
    )


TICKET_REQUESTS = [
    ("get", "/api/v1/tickets/{id}/", None),
    ("patch", "/api/v1/tickets/{id}/", {"impact": 1}),
    ("get", "/api/v1/tickets/{id}/updates/", None),
    ("post", "/api/v1/tickets/{id}/updates/", {"body": "Hello from A"}),
    ("post", "/api/v1/tickets/{id}/confirm-understanding/", None),
    ("post", "/api/v1/tickets/{id}/feedback/", {"kept_informed": 1, "resolved": 1}),
]


@pytest.mark.parametrize(("method", "path", "payload"), TICKET_REQUESTS)
def test_another_organisations_ticket_answers_404_like_a_missing_one_and_writes_nothing(
    api_client_for, contact, foreign_ticket, method, path, payload
):
    client = api_client_for(contact)
    before = snapshot()
    send = getattr(client, method)
    foreign = send(path.format(id=foreign_ticket.pk), payload, format="json")
    missing = send(path.format(id=MISSING_ID), payload, format="json")
    assert foreign.status_code == 404
    assert foreign.json() == missing.json()
    assert snapshot() == before


@pytest.mark.parametrize(("method", "path", "payload"), TICKET_REQUESTS)
def test_a_colleagues_ticket_is_invisible_to_a_plain_contact(
    api_client_for, organization, contact, agent, method, path, payload
):
    colleague = ContactFactory(organization=organization)
    theirs = TicketFactory(organization=organization, requester=colleague)
    ticket_services.change_status(theirs, status=Status.RESOLVED, by=agent)
    before = snapshot()
    response = getattr(api_client_for(contact), method)(
        path.format(id=theirs.pk), payload, format="json"
    )
    assert response.status_code == 404
    assert snapshot() == before


def test_another_organisations_tickets_never_appear_in_lists_or_filters(
    api_client_for, contact, ticket, foreign_ticket, other_organization
):
    client = api_client_for(contact)
    listed = client.get("/api/v1/tickets/").json()
    assert [row["id"] for row in listed["results"]] == [ticket.pk]
    filtered = client.get("/api/v1/tickets/", {"organization": other_organization.pk}).json()
    assert filtered["count"] == 0
    searched = client.get("/api/v1/tickets/", {"search": foreign_ticket.reference}).json()
    assert searched["count"] == 0


def test_a_contact_cannot_raise_a_ticket_in_another_organisation(
    api_client_for, contact, other_organization
):
    before = snapshot()
    response = api_client_for(contact).post(
        "/api/v1/tickets/",
        {"organization": other_organization.pk, "subject": "x", "impact": 1, "urgency": 1},
        format="json",
    )
    assert response.status_code == 400
    assert snapshot() == before


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("get", "/api/v1/organizations/", None),
        ("post", "/api/v1/organizations/", {"name": "Mine now"}),
        ("get", "/api/v1/organizations/{org}/", None),
        ("patch", "/api/v1/organizations/{org}/", {"name": "Renamed"}),
        ("get", "/api/v1/users/", None),
        (
            "post",
            "/api/v1/users/",
            {"email": "x@y.test", "password": "long pass 2026", "role": "manager"},
        ),
        ("get", "/api/v1/overdue/", None),
        ("get", "/api/v1/losses/", None),
        ("post", "/api/v1/losses/", {"organization": 1, "category": "other"}),
    ],
)
def test_staff_only_endpoints_answer_403_to_a_contact(
    api_client_for, contact, other_organization, method, path, payload
):
    response = getattr(api_client_for(contact), method)(
        path.format(org=other_organization.pk), payload, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    other_organization.refresh_from_db()
    assert other_organization.name == "Bluewave Dental"


def test_someone_elses_notification_answers_404(api_client_for, agent, other_agent, ticket):
    theirs = Notification.objects.create(
        recipient=other_agent, kind=NotificationKind.BREACHED, ticket=ticket, message="Late"
    )
    client = api_client_for(agent)
    assert client.get(f"/api/v1/notifications/{theirs.pk}/").status_code == 404
    assert (
        client.patch(
            f"/api/v1/notifications/{theirs.pk}/", {"read": True}, format="json"
        ).status_code
        == 404
    )
    client.post("/api/v1/notifications/mark-all-read/")
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.get("/api/v1/notifications/").json()["count"] == 0


# Vendor data (DESIGN rule 7): for a contact it does not exist, on their own tickets or others'.

VENDOR_REQUESTS = [
    ("get", "/api/v1/tickets/{ticket}/escalations/", None),
    ("post", "/api/v1/tickets/{ticket}/escalations/", {"vendor": "{vendor}", "summary": "x"}),
    ("get", "/api/v1/escalations/{escalation}/", None),
    ("patch", "/api/v1/escalations/{escalation}/", {"status": "resolved"}),
    ("get", "/api/v1/escalations/{escalation}/notes/", None),
    ("post", "/api/v1/escalations/{escalation}/notes/", {"body": "x", "pushback": True}),
    ("get", "/api/v1/vendors/", None),
    ("post", "/api/v1/vendors/", {"name": "Mine now"}),
    ("get", "/api/v1/vendors/{vendor}/", None),
    ("patch", "/api/v1/vendors/{vendor}/", {"name": "Renamed"}),
    ("get", "/api/v1/vendors/{vendor}/scorecard/", None),
]


def vendor_snapshot() -> tuple:
    return (
        list(Vendor.objects.order_by("pk").values_list("pk", "name")),
        list(VendorEscalation.objects.order_by("pk").values_list("pk", "status", "updated_at")),
        EscalationNote.objects.count(),
        snapshot(),
    )


def _fill(template, ids: dict[str, int]):
    if isinstance(template, dict):
        return {key: _fill(value, ids) for key, value in template.items()}
    if isinstance(template, str) and template.startswith("{"):
        return ids[template.strip("{}")]
    return template


@pytest.mark.parametrize("whose", ["own", "foreign"])
@pytest.mark.parametrize(("method", "path", "payload"), VENDOR_REQUESTS)
def test_vendor_endpoints_answer_a_contact_404_like_a_missing_id_and_write_nothing(
    api_client_for, contact, ticket, other_ticket, agent, whose, method, path, payload
):
    vendor = VendorFactory(name="Contoso Networks")
    target = ticket if whose == "own" else other_ticket
    escalation = EscalationFactory(ticket=target, vendor=vendor, by=agent)
    EscalationNoteFactory(escalation=escalation, author=agent)
    real = {"ticket": target.pk, "escalation": escalation.pk, "vendor": vendor.pk}
    missing = dict.fromkeys(real, MISSING_ID)
    client = api_client_for(contact)
    before = vendor_snapshot()
    send = getattr(client, method)
    seen = send(path.format(**real), _fill(payload, real), format="json")
    unknown = send(path.format(**missing), _fill(payload, real), format="json")
    assert seen.status_code == 404
    assert seen.json() == unknown.json()
    assert vendor_snapshot() == before


def test_a_ticket_waiting_on_a_vendor_reads_in_progress_to_its_contact_everywhere(
    api_client_for, contact, ticket, agent
):
    ticket_services.assign_owner(ticket, owner=agent, by=agent)
    ticket_services.change_status(ticket, status=Status.WAITING_ON_VENDOR, by=agent)
    client = api_client_for(contact)
    assert client.get(f"/api/v1/tickets/{ticket.pk}/").json()["status"] == "in_progress"
    listed = client.get("/api/v1/tickets/").json()["results"]
    assert [row["status"] for row in listed] == ["in_progress"]
    assert client.get("/api/v1/tickets/", {"status": "waiting_on_vendor"}).json()["count"] == 0
    timeline = client.get(f"/api/v1/tickets/{ticket.pk}/updates/").text
    assert "vendor" not in timeline.lower()
