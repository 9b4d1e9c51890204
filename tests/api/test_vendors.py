"""Vendors, escalations, escalation notes and scorecards through the API (staff only)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import TicketFactory
from tests.vendors.factories import EscalationFactory, EscalationNoteFactory, VendorFactory
from tickets.models import Status
from updates.models import TimelineEntry
from vendors.models import EscalationNote, EscalationStatus, Vendor, VendorEscalation

VENDORS = "/api/v1/vendors/"
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
VENDOR = object()  # stands for the fixture vendor's id in parametrised payloads


@pytest.fixture
def vendor(db):
    return VendorFactory(name="Contoso Networks", expected_response_minutes=60)


@pytest.fixture
def escalation(ticket, vendor, agent):
    return EscalationFactory(ticket=ticket, vendor=vendor, by=agent, vendor_reference="CN-1")


def vendor_snapshot() -> tuple:
    return (
        list(Vendor.objects.order_by("pk").values_list("pk", "name", "expected_response_minutes")),
        list(
            VendorEscalation.objects.order_by("pk").values_list(
                "pk", "status", "summary", "acknowledged_at", "next_chase_at"
            )
        ),
        EscalationNote.objects.count(),
    )


# Vendors


def test_staff_list_and_read_vendors_with_the_contract_fields(api_client_for, agent, vendor):
    client = api_client_for(agent)
    listed = client.get(VENDORS).json()
    assert listed["count"] == 1
    row = listed["results"][0]
    for name in ("name", "support_email", "support_phone", "expected_response_minutes"):
        assert name in row
    assert row["name"] == "Contoso Networks"
    assert client.get(f"{VENDORS}{vendor.pk}/").json()["expected_response_minutes"] == 60


def test_staff_add_a_vendor_and_change_it(api_client_for, agent):
    client = api_client_for(agent)
    created = client.post(
        VENDORS,
        {
            "name": "Fabrikam Cloud",
            "support_email": "help@fabrikam.example",
            "support_phone": "+1 555 0100",
            "expected_response_minutes": 30,
            "aliases": "Fabrikam, FBK",
        },
    )
    assert created.status_code == 201, created.json()
    vendor_id = created.json()["id"]
    assert Vendor.objects.get(pk=vendor_id).alias_list == ["Fabrikam", "FBK"]
    changed = client.patch(f"{VENDORS}{vendor_id}/", {"expected_response_minutes": 15})
    assert changed.status_code == 200
    assert changed.json()["expected_response_minutes"] == 15
    assert changed.json()["name"] == "Fabrikam Cloud"


def test_vendor_filters_by_active_and_name(api_client_for, agent, vendor):
    VendorFactory(name="Old Telecom", is_active=False)
    client = api_client_for(agent)
    assert [v["name"] for v in client.get(VENDORS, {"is_active": "false"}).json()["results"]] == [
        "Old Telecom"
    ]
    assert [v["name"] for v in client.get(VENDORS, {"search": "conto"}).json()["results"]] == [
        "Contoso Networks"
    ]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "Contoso Networks"}, "name"),  # already exists
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "New", "expected_response_minutes": "60"}, "expected_response_minutes"),
        ({"name": "New", "expected_response_minutes": 0}, "expected_response_minutes"),
        ({"name": "New", "support_email": "not an email"}, "support_email"),
        ({"name": "New", "is_active": "yes"}, "is_active"),
        ({"name": "New", "colour": "red"}, "colour"),
        ({"support_email": "a@b.test"}, "name"),
    ],
)
def test_bad_vendor_input_answers_400_naming_the_field_and_writes_nothing(
    api_client_for, agent, vendor, payload, field
):
    before = vendor_snapshot()
    response = api_client_for(agent).post(VENDORS, payload)
    assert response.status_code == 400
    assert field in response.json()
    assert vendor_snapshot() == before


def test_vendor_list_runs_a_fixed_number_of_queries(
    api_client_for, agent, django_assert_num_queries
):
    client = api_client_for(agent)
    VendorFactory()
    with CaptureQueriesContext(connection) as one:
        assert client.get(VENDORS).status_code == 200
    VendorFactory.create_batch(10)
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(client.get(VENDORS).json()["results"]) == 11


# Escalations


def test_staff_escalate_a_ticket_and_it_stays_off_the_customers_timeline(
    api_client_for, agent, ticket, vendor
):
    response = api_client_for(agent).post(
        f"/api/v1/tickets/{ticket.pk}/escalations/",
        {
            "vendor": vendor.pk,
            "vendor_reference": "CN-558812",
            "summary": "Switch reboots every 40 minutes",
            "next_chase_at": (datetime.now(UTC) + timedelta(hours=2)).isoformat(),
            "mark_ticket_waiting": True,
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "open"
    assert body["vendor_name"] == "Contoso Networks"
    assert body["ticket_reference"] == ticket.reference
    assert body["acknowledge_by"] is not None
    assert body["acknowledged_at"] is None
    ticket.refresh_from_db()
    assert ticket.status == Status.WAITING_ON_VENDOR
    event = TimelineEntry.objects.get(ticket=ticket, event="vendor_escalated")
    assert not event.is_public


def test_a_ticket_lists_its_escalations_in_a_fixed_number_of_queries(
    api_client_for, agent, ticket, vendor, django_assert_num_queries
):
    client = api_client_for(agent)
    path = f"/api/v1/tickets/{ticket.pk}/escalations/"
    first = EscalationFactory(ticket=ticket, vendor=vendor, by=agent)
    EscalationNoteFactory(escalation=first, author=agent, pushback=True)
    with CaptureQueriesContext(connection) as one:
        assert client.get(path).status_code == 200
    for _ in range(4):
        more = EscalationFactory(ticket=ticket, vendor=VendorFactory(), by=agent)
        EscalationNoteFactory(escalation=more, author=agent)
    with django_assert_num_queries(len(one.captured_queries)):
        rows = client.get(path).json()["results"]
    assert len(rows) == 5
    assert {row["pushbacks"] for row in rows} == {0, 1}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"summary": "x"}, "vendor"),
        ({"vendor": 987654, "summary": "x"}, "vendor"),
        ({"vendor": "1", "summary": "x"}, "vendor"),
        ({"vendor": None, "summary": "x"}, "vendor"),
        ({"vendor": VENDOR, "summary": "   "}, "summary"),
        ({"vendor": VENDOR, "summary": "x" * 2001}, "summary"),
        ({"vendor": VENDOR, "summary": "x", "status": "lost"}, "status"),
        (
            {"vendor": VENDOR, "summary": "x", "next_chase_at": "2020-01-01T00:00:00Z"},
            "next_chase_at",
        ),
        (
            {"vendor": VENDOR, "summary": "x", "next_chase_at": "2030-01-01T00:00:00"},
            "next_chase_at",
        ),
        ({"vendor": VENDOR, "summary": "x", "opened_at": "2026-01-01T00:00:00Z"}, "opened_at"),
    ],
)
def test_bad_escalation_input_answers_400_naming_the_field_and_writes_nothing(
    api_client_for, agent, ticket, vendor, payload, field
):
    payload = {key: vendor.pk if value is VENDOR else value for key, value in payload.items()}
    before = vendor_snapshot()
    response = api_client_for(agent).post(f"/api/v1/tickets/{ticket.pk}/escalations/", payload)
    assert response.status_code == 400
    assert field in response.json()
    assert vendor_snapshot() == before


def test_an_inactive_vendor_takes_no_new_escalation(api_client_for, agent, ticket):
    retired = VendorFactory(name="Old Telecom", is_active=False)
    response = api_client_for(agent).post(
        f"/api/v1/tickets/{ticket.pk}/escalations/", {"vendor": retired.pk, "summary": "Line down"}
    )
    assert response.status_code == 400
    assert "vendor" in response.json()
    assert not VendorEscalation.objects.exists()


def test_escalating_a_missing_ticket_answers_404(api_client_for, agent, vendor):
    response = api_client_for(agent).post(
        "/api/v1/tickets/987654/escalations/", {"vendor": vendor.pk, "summary": "x"}
    )
    assert response.status_code == 404


def test_status_changes_stamp_acknowledged_and_resolved_times(api_client_for, agent, escalation):
    client = api_client_for(agent)
    path = f"/api/v1/escalations/{escalation.pk}/"
    with time_machine.travel(NOW, tick=False):
        acknowledged = client.patch(path, {"status": "acknowledged"}).json()
    assert acknowledged["status"] == "acknowledged"
    assert datetime.fromisoformat(acknowledged["acknowledged_at"]) == NOW
    assert acknowledged["resolved_at"] is None
    later = NOW + timedelta(hours=3)
    with time_machine.travel(later, tick=False):
        resolved = client.patch(path, {"status": "resolved", "rca_requested": True}).json()
    assert datetime.fromisoformat(resolved["acknowledged_at"]) == NOW
    assert datetime.fromisoformat(resolved["resolved_at"]) == later
    assert resolved["rca_requested"] is True
    assert resolved["next_chase_at"] is None
    assert client.get(path).json()["status"] == "resolved"


def test_an_impossible_status_change_answers_400_and_changes_nothing(
    api_client_for, agent, escalation
):
    client = api_client_for(agent)
    path = f"/api/v1/escalations/{escalation.pk}/"
    assert client.patch(path, {"status": "closed"}).status_code == 200
    before = vendor_snapshot()
    response = client.patch(path, {"status": "open", "summary": "Changed"})
    assert response.status_code == 400
    assert "status" in response.json()
    assert vendor_snapshot() == before


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"status": "lost"}, "status"),
        ({"summary": ""}, "summary"),
        ({"rca_received": "true"}, "rca_received"),
        ({"next_chase_at": "tomorrow"}, "next_chase_at"),
        ({"vendor": 1}, "vendor"),
        ({"acknowledged_at": "2026-01-01T00:00:00Z"}, "acknowledged_at"),
    ],
)
def test_bad_escalation_changes_answer_400_naming_the_field(
    api_client_for, agent, escalation, payload, field
):
    before = vendor_snapshot()
    response = api_client_for(agent).patch(f"/api/v1/escalations/{escalation.pk}/", payload)
    assert response.status_code == 400
    assert field in response.json()
    assert vendor_snapshot() == before


def test_a_missing_escalation_answers_404(api_client_for, agent):
    client = api_client_for(agent)
    assert client.get("/api/v1/escalations/987654/").status_code == 404
    assert client.patch("/api/v1/escalations/987654/", {"summary": "x"}).status_code == 404
    assert client.get("/api/v1/escalations/987654/notes/").status_code == 404
    assert client.post("/api/v1/escalations/987654/notes/", {"body": "x"}).status_code == 404


# Notes


def test_staff_add_notes_and_pushbacks_and_read_them_oldest_first(
    api_client_for, agent, escalation
):
    client = api_client_for(agent)
    path = f"/api/v1/escalations/{escalation.pk}/notes/"
    first = client.post(path, {"body": "Sent the logs."})
    assert first.status_code == 201
    assert first.json()["pushback"] is False
    assert first.json()["author"] == agent.pk
    second = client.post(
        path, {"body": "They want the customer to reboot again.", "pushback": True}
    )
    assert second.json()["pushback"] is True
    listed = client.get(path).json()
    assert [note["id"] for note in listed["results"]] == [first.json()["id"], second.json()["id"]]
    assert client.get(f"/api/v1/escalations/{escalation.pk}/").json()["pushbacks"] == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "body"),
        ({"body": ""}, "body"),
        ({"body": "x" * 50_001}, "body"),
        ({"body": "x", "pushback": 1}, "pushback"),
        ({"body": "x", "author": 1}, "author"),
    ],
)
def test_bad_notes_answer_400_naming_the_field(api_client_for, agent, escalation, payload, field):
    response = api_client_for(agent).post(f"/api/v1/escalations/{escalation.pk}/notes/", payload)
    assert response.status_code == 400
    assert field in response.json()
    assert not EscalationNote.objects.exists()


def test_notes_list_in_a_fixed_number_of_queries(
    api_client_for, agent, other_agent, escalation, django_assert_num_queries
):
    client = api_client_for(agent)
    path = f"/api/v1/escalations/{escalation.pk}/notes/"
    EscalationNoteFactory(escalation=escalation, author=agent)
    with CaptureQueriesContext(connection) as one:
        assert client.get(path).status_code == 200
    for author in (agent, other_agent) * 3:
        EscalationNoteFactory(escalation=escalation, author=author)
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(client.get(path).json()["results"]) == 7


# Scorecard


def test_the_scorecard_has_the_contract_figures_over_a_period(
    api_client_for, manager, agent, organization, vendor
):
    """Two cases in March (acknowledged after 30 min and, late, after 90 min; resolved after 2 h
    and 4 h; one pushback) and one in January outside the period."""
    client = api_client_for(manager)

    def case(opened: datetime, acknowledge_after: int, resolve_after: int, pushbacks: int = 0):
        with time_machine.travel(opened, tick=False):
            escalation = EscalationFactory(
                ticket=TicketFactory(organization=organization), vendor=vendor, by=agent
            )
        path = f"/api/v1/escalations/{escalation.pk}/"
        with time_machine.travel(opened + timedelta(minutes=acknowledge_after), tick=False):
            client.patch(path, {"status": "acknowledged"})
            for _ in range(pushbacks):
                client.post(f"{path}notes/", {"body": "Asked us to reboot.", "pushback": True})
        with time_machine.travel(opened + timedelta(minutes=resolve_after), tick=False):
            client.patch(path, {"status": "resolved"})

    case(datetime(2026, 1, 5, 9, tzinfo=UTC), 10, 20)
    case(datetime(2026, 3, 2, 9, tzinfo=UTC), 30, 120, pushbacks=1)
    case(datetime(2026, 3, 3, 9, tzinfo=UTC), 90, 240)

    path = f"{VENDORS}{vendor.pk}/scorecard/"
    card = client.get(path, {"since": "2026-03-01", "until": "2026-04-01T00:00:00Z"}).json()
    assert card["escalations"] == 2
    assert card["median_minutes_to_acknowledge"] == 60.0
    assert card["median_minutes_to_resolve"] == 180.0
    assert card["breached_expected_response"] == 1
    assert card["pushbacks"] == 1
    assert card["p90_minutes_to_acknowledge"] == 90.0
    assert card["vendor"] == vendor.pk
    everything = client.get(path).json()
    assert everything["escalations"] == 3
    assert everything["since"] is None


def test_a_vendor_without_escalations_has_an_empty_scorecard(api_client_for, agent, vendor):
    card = api_client_for(agent).get(f"{VENDORS}{vendor.pk}/scorecard/").json()
    assert card["escalations"] == 0
    assert card["median_minutes_to_acknowledge"] is None
    assert card["pushbacks"] == 0


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"since": "yesterday"}, "since"),
        ({"until": "2026-13-01"}, "until"),
        ({"since": "2026-03-01T00:00:00"}, "since"),
        ({"since": "2026-03-01", "until": "2026-02-01"}, "until"),
    ],
)
def test_a_bad_scorecard_period_answers_400_naming_the_parameter(
    api_client_for, agent, vendor, query, field
):
    response = api_client_for(agent).get(f"{VENDORS}{vendor.pk}/scorecard/", query)
    assert response.status_code == 400
    assert field in response.json()


# Roles


def contact_requests(vendor: Vendor, escalation: VendorEscalation) -> list[tuple]:
    ticket_id = escalation.ticket_id
    return [
        ("get", VENDORS, None),
        ("post", VENDORS, {"name": "Sneaky Vendor"}),
        ("get", f"{VENDORS}{vendor.pk}/", None),
        ("patch", f"{VENDORS}{vendor.pk}/", {"name": "Renamed"}),
        ("get", f"{VENDORS}{vendor.pk}/scorecard/", None),
        ("get", f"/api/v1/tickets/{ticket_id}/escalations/", None),
        (
            "post",
            f"/api/v1/tickets/{ticket_id}/escalations/",
            {"vendor": vendor.pk, "summary": "x"},
        ),
        ("get", f"/api/v1/escalations/{escalation.pk}/", None),
        ("patch", f"/api/v1/escalations/{escalation.pk}/", {"status": "resolved"}),
        ("get", f"/api/v1/escalations/{escalation.pk}/notes/", None),
        ("post", f"/api/v1/escalations/{escalation.pk}/notes/", {"body": "x", "pushback": True}),
    ]


def test_a_contact_gets_404_from_every_vendor_endpoint_even_on_their_own_ticket(
    api_client_for, contact, vendor, escalation
):
    """The escalation is on the contact's own ticket: still nothing of it exists for them, and
    the answer is the same as for an id that does not exist."""
    client = api_client_for(contact)
    before = vendor_snapshot()
    for method, path, payload in contact_requests(vendor, escalation):
        response = getattr(client, method)(path, payload)
        assert response.status_code == 404, (method, path)
        assert response.json() == {"detail": "Not found.", "code": "not_found"}
    assert vendor_snapshot() == before


def test_anonymous_callers_are_asked_to_sign_in(api_client_for, vendor, escalation):
    client = api_client_for(None)
    for method, path, payload in contact_requests(vendor, escalation):
        assert getattr(client, method)(path, payload).status_code == 401, (method, path)


def test_managers_work_on_escalations_too(api_client_for, manager, escalation):
    client = api_client_for(manager)
    response = client.patch(f"/api/v1/escalations/{escalation.pk}/", {"status": "awaiting_vendor"})
    assert response.status_code == 200
    assert (
        escalation.__class__.objects.get(pk=escalation.pk).status
        == EscalationStatus.AWAITING_VENDOR
    )
