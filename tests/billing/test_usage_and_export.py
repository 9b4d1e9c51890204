"""Contracts, usage and the CSV export through the API: the contract's defaults and audit, a
month's usage reproduced line by line in the export (against a golden file), and what an
organisation admin contact may see."""

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from audit.models import AuditEvent
from billing.models import Contract
from tests.billing.factories import TimeEntryFactory
from tests.factories import AgentFactory, ContactFactory, OrganizationFactory, TicketFactory

GOLDEN = Path(__file__).parent / "golden" / "export_2026-11.csv"
pytestmark = pytest.mark.django_db


def test_the_contract_reads_its_defaults_before_any_put(api_as, manager, organization):
    response = api_as(manager).get(f"/api/v1/organizations/{organization.pk}/contract/")
    assert response.status_code == 200
    assert response.json() == {
        "included_minutes": 0,
        "rates": {},
        "rounding_minutes": 0,
        "out_of_hours_multiplier": "1",
        "currency": "EUR",
    }


def test_a_manager_replaces_the_contract_and_the_change_is_audited(
    api_as, manager, organization, remote
):
    body = {
        "included_minutes": 600,
        "rates": {str(remote.pk): "95"},
        "rounding_minutes": 15,
        "out_of_hours_multiplier": "1.50",
    }
    response = api_as(manager).put(f"/api/v1/organizations/{organization.pk}/contract/", body)
    assert response.status_code == 200, response.json()
    assert response.json()["rates"] == {str(remote.pk): "95.00"}
    assert response.json()["out_of_hours_multiplier"] == "1.5"
    event = AuditEvent.objects.get(action="settings_changed")
    assert event.actor == manager
    assert event.detail["after"]["included_minutes"] == 600
    assert event.detail["before"]["included_minutes"] == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"included_minutes": -1}, "included_minutes"),
        ({"rounding_minutes": 1441}, "rounding_minutes"),
        ({"out_of_hours_multiplier": "lots"}, "out_of_hours_multiplier"),
        ({"out_of_hours_multiplier": "-1"}, "out_of_hours_multiplier"),
        ({"out_of_hours_multiplier": "NaN"}, "out_of_hours_multiplier"),
        ({"rates": {"999999": "10"}}, "rates"),
        ({"rates": {"1": "ten"}}, "rates"),
        ({"rates": {"1": "1.234"}}, "rates"),
        ({"rates": []}, "rates"),
    ],
)
def test_a_bad_contract_is_a_400_naming_the_field_and_changes_nothing(
    api_as, manager, organization, change, field
):
    body = {
        "included_minutes": 60,
        "rates": {},
        "rounding_minutes": 0,
        "out_of_hours_multiplier": "1",
        **change,
    }
    response = api_as(manager).put(f"/api/v1/organizations/{organization.pk}/contract/", body)
    assert response.status_code == 400
    assert field in response.json()
    assert not Contract.objects.exists()


@pytest.fixture
def november(organization, remote, on_site):
    """Two customers' November: Northwind has 2 hours included, 15-minute rounding and time and
    a half out of hours; Bluewave is pay as you go."""
    Contract.objects.create(
        organization=organization,
        included_minutes=120,
        rates={str(remote.pk): "90.00", str(on_site.pk): "120.00"},
        rounding_minutes=15,
        out_of_hours_multiplier=Decimal("1.5"),
    )
    bluewave = OrganizationFactory(name="Bluewave Dental", timezone="America/New_York")
    Contract.objects.create(organization=bluewave, rates={str(remote.pk): "75.50"})
    ana = AgentFactory(name="Ana Agent")
    ben = AgentFactory(name="Ben Field")
    printer = TicketFactory(organization=organization, subject="Printer jams")
    server = TicketFactory(organization=organization, subject="Server down")
    xray = TicketFactory(organization=bluewave, subject="X-ray PC slow")

    def log(ticket, agent, at, minutes, work_type=remote, billable=True):
        return TimeEntryFactory(
            ticket=ticket,
            agent=agent,
            started_at=at,
            minutes=minutes,
            work_type=work_type,
            billable=billable,
            note="Internal: the customer's admin password was on a sticky note.",
        )

    utc = UTC
    log(printer, ana, datetime(2026, 11, 2, 9, 0, tzinfo=utc), 50)  # 60, in hours, included
    log(printer, ana, datetime(2026, 11, 3, 9, 0, tzinfo=utc), 20, billable=False)
    log(server, ben, datetime(2026, 11, 7, 22, 0, tzinfo=utc), 40, on_site)  # 45 x 1.5 = 67.5
    log(server, ben, datetime(2026, 11, 9, 14, 0, tzinfo=utc), 61, on_site)  # 75
    log(printer, ana, datetime(2026, 10, 31, 23, 0, tzinfo=utc), 30)  # October: not counted
    # New York: 1 December 03:00 UTC is still 30 November there.
    log(xray, ana, datetime(2026, 12, 1, 3, 0, tzinfo=utc), 7)
    log(xray, ben, datetime(2026, 11, 1, 3, 0, tzinfo=utc), 30)  # 31 October in New York
    return {
        "northwind": organization,
        "bluewave": bluewave,
        "references": {
            "printer": printer.reference,
            "server": server.reference,
            "xray": xray.reference,
        },
    }


def test_usage_adds_up_the_month_in_the_organisations_time_zone(api_as, manager, november):
    client = api_as(manager)
    northwind = client.get(
        f"/api/v1/organizations/{november['northwind'].pk}/usage/?month=2026-11"
    ).json()
    # 60 + 67.5 + 75 = 202.5 billable; 120 included; 82.5 over: 7.5 min of the out-of-hours
    # on-site entry (at 120/h: 15.00) and all 75 of the last (150.00).
    assert northwind == {
        "month": "2026-11",
        "minutes_logged": 171,
        "billable_minutes": "202.5",
        "included_minutes": 120,
        "over_minutes": "82.5",
        "amount": "165.00",
        "currency": "EUR",
    }
    bluewave = client.get(
        f"/api/v1/organizations/{november['bluewave'].pk}/usage/?month=2026-11"
    ).json()
    assert bluewave["minutes_logged"] == 7
    assert bluewave["amount"] == "8.81"


def test_the_export_matches_the_golden_file_and_adds_up_to_the_usages(api_as, manager, november):
    client = api_as(manager)
    response = client.get(
        "/api/v1/time-entries/export/?month=2026-11", HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.streaming
    text = b"".join(response.streaming_content).decode()
    # The golden file names tickets by role: their ids depend on what ran before.
    golden = GOLDEN.read_text().format(**november["references"])
    assert text == golden.replace("\n", "\r\n")
    amounts = sum(Decimal(line.split(",")[-1]) for line in text.splitlines()[1:])
    assert amounts == Decimal("165.00") + Decimal("8.81")
    assert "sticky note" not in text
    assert AuditEvent.objects.filter(action="export", actor=manager).count() == 1
    one = client.get(
        f"/api/v1/time-entries/export/?month=2026-11&organization={november['bluewave'].pk}"
    )
    assert b"".join(one.streaming_content).decode().count("\r\n") == 2


def test_the_export_reads_a_chunk_at_a_time_and_chunk_edges_change_no_line(
    api_as, manager, november, monkeypatch
):
    """Entries come through a server-side cursor a chunk at a time; with one row per chunk
    every organisation straddles chunks and the CSV is still the golden file."""
    from django.db import connections

    from billing import month_groups

    reads: list[int] = []
    fetchmany = month_groups.CHUNK
    monkeypatch.setattr(month_groups, "CHUNK", 1)
    database = connections["default"]
    original = database.chunked_cursor

    def counting_cursor():
        cursor = original()
        real = cursor.fetchmany

        def fetch(size=fetchmany):
            rows = real(size)
            reads.append(len(rows))
            return rows

        cursor.fetchmany = fetch
        return cursor

    monkeypatch.setattr(database, "chunked_cursor", counting_cursor)
    response = api_as(manager).get("/api/v1/time-entries/export/?month=2026-11")
    text = b"".join(response.streaming_content).decode()
    golden = GOLDEN.read_text().format(**november["references"])
    assert text == golden.replace("\n", "\r\n")
    assert reads
    assert max(reads) == 1


@pytest.mark.parametrize(
    "query", ["", "month=2026-13", "month=26-11", "month=2026-11&organization=x"]
)
def test_a_bad_export_query_is_a_json_400(api_as, manager, query):
    response = api_as(manager).get(f"/api/v1/time-entries/export/?{query}", HTTP_ACCEPT="text/csv")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"


def test_an_organisation_admin_sees_their_own_usage_without_money(
    api_as, org_admin, contact, november
):
    own = api_as(org_admin).get(
        f"/api/v1/organizations/{november['northwind'].pk}/usage/?month=2026-11"
    )
    assert own.status_code == 200
    assert "amount" not in own.json()
    assert "currency" not in own.json()
    assert own.json()["over_minutes"] == "82.5"
    other = api_as(org_admin).get(
        f"/api/v1/organizations/{november['bluewave'].pk}/usage/?month=2026-11"
    )
    assert other.status_code == 404
    plain = api_as(contact).get(
        f"/api/v1/organizations/{november['northwind'].pk}/usage/?month=2026-11"
    )
    assert plain.status_code == 404
    bluewave_admin = ContactFactory(
        organization=november["bluewave"], sees_organization_tickets=True
    )
    assert (
        api_as(bluewave_admin)
        .get(f"/api/v1/organizations/{november['bluewave'].pk}/contract/")
        .status_code
        == 404
    )
