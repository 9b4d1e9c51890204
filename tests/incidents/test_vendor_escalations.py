"""Vendor escalations can hang on a major incident instead of each ticket: one case for the whole
outage, shown on the incident page, listed on the vendor's page and scorecard, chased by the
incident's commander, held back by the guard; and never seen by any customer (canaries)."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from incidents import services as incident_services
from tests.updates.keeper_support import deliver, smtp_server, smtp_settings
from tests.vendors.factories import VendorFactory
from updates import services as update_services
from updates.models import Notification, OutboxKind, OutboxMessage
from updates.services import PublicUpdateHeldBack
from vendors import services as vendor_services
from vendors.models import VendorEscalation
from vendors.selectors import vendor_scorecards

from .conftest import run_fan_out

__all__ = ["smtp_server", "smtp_settings"]

VENDOR = "Zyxcanary Networks"
CASE = "CASE-CANARY-7731"
SUMMARY = "Canary-summary: relay firmware rollback requested"


@pytest.fixture
def vendor(db):
    return VendorFactory(name=VENDOR)


@pytest.fixture
def case(agent, incident, vendor):
    return vendor_services.open_escalation(
        incident=incident, vendor=vendor, by=agent, summary=SUMMARY, vendor_reference=CASE
    )


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_incident_page_shows_its_cases_and_the_vendor_page_lists_them(agent, incident, case):
    page = signed_in(agent).get(f"/incidents/{incident.pk}/").content.decode()
    assert VENDOR in page
    assert CASE in page
    assert f"/vendors/escalations/{case.pk}/" in page
    vendor_page = signed_in(agent).get(f"/vendors/{case.vendor_id}/").content.decode()
    assert incident.reference in vendor_page
    case_page = signed_in(agent).get(f"/vendors/escalations/{case.pk}/")
    assert case_page.status_code == 200
    assert incident.reference in case_page.content.decode()
    # Logged on the incident's own timeline as an internal note, never on a ticket.
    assert incident.entries.filter(kind="note", body__contains=VENDOR).exists()


@pytest.mark.django_db
def test_staff_open_an_incident_case_from_its_page_and_bad_input_changes_nothing(
    agent, incident, vendor
):
    client = signed_in(agent)
    url = f"/vendors/incidents/{incident.pk}/escalate/"
    bad = client.post(url, {"escalate-vendor": vendor.pk, "escalate-summary": ""})
    assert bad.status_code == 400
    assert 'aria-invalid="true"' in bad.content.decode()
    assert not VendorEscalation.objects.exists()
    good = client.post(
        url,
        {
            "escalate-vendor": vendor.pk,
            "escalate-summary": "Relay firmware rollback",
            "escalate-status": "open",
        },
    )
    assert good.status_code == 302
    escalation = VendorEscalation.objects.get()
    assert escalation.incident_id == incident.pk
    assert escalation.ticket_id is None


@pytest.mark.django_db
def test_an_escalation_has_a_ticket_or_an_incident_never_both_nor_neither(
    agent, incident, tickets, vendor
):
    with pytest.raises(ValidationError):
        vendor_services.open_escalation(
            ticket=tickets[0], incident=incident, vendor=vendor, by=agent, summary="x"
        )
    with pytest.raises(ValidationError):
        vendor_services.open_escalation(vendor=vendor, by=agent, summary="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        VendorEscalation.objects.create(vendor=vendor, summary="x")
    incident_services.resolve_incident(incident, by=agent, resolution="Fixed.")
    with pytest.raises(ValidationError):
        vendor_services.open_escalation(incident=incident, vendor=vendor, by=agent, summary="x")


@pytest.mark.django_db
def test_the_incident_case_is_chased_by_its_commander_once(
    agent, other_agent, incident, case, smtp_settings
):
    incident_services.change_incident(incident, by=agent, commander=other_agent)
    chase_at = timezone.now() + timedelta(hours=1)
    vendor_services.set_next_chase(case, next_chase_at=chase_at, by=agent)
    with time_machine.travel(chase_at + timedelta(seconds=1), tick=False):
        assert len(vendor_services.claim_due_chases()) == 1
        assert vendor_services.claim_due_chases() == []
        messages = OutboxMessage.objects.filter(kind=OutboxKind.VENDOR_CHASE)
        assert {m.recipient_id for m in messages} == {other_agent.pk}
        assert deliver(list(messages.values_list("pk", flat=True))).sent == 2
    [email] = smtp_settings.to(other_agent.email)
    assert email["Subject"].startswith(f"[{incident.reference}] Chase {VENDOR} case {CASE}")
    assert f"/incidents/{incident.pk}/" in email.get_body(("plain",)).get_content()
    bell = Notification.objects.get(recipient=other_agent)
    assert incident.reference in bell.message


@pytest.mark.django_db
def test_scorecards_count_an_incident_case_once(case, vendor):
    [card] = vendor_scorecards(vendors=[vendor])
    assert card.escalations == 1


@pytest.mark.django_db
def test_the_guard_holds_back_the_incident_vendor_on_the_incident_and_on_each_ticket(
    agent, incident, tickets, case
):
    with pytest.raises(PublicUpdateHeldBack) as held:
        incident_services.post_incident_update(
            incident, by=agent, body=f"{VENDOR} is rolling back the firmware."
        )
    assert held.value.matches == [VENDOR]
    with pytest.raises(PublicUpdateHeldBack):
        update_services.post_public_update(
            tickets[0], author=agent, body=f"{VENDOR} is rolling back the firmware."
        )


@pytest.mark.django_db
def test_customers_never_see_the_incident_case_in_pages_api_or_email(
    agent, incident, tickets, case, smtp_settings
):
    incident_services.post_incident_update(
        incident, by=agent, body="We are rolling back a change on our mail relay."
    )
    run_fan_out()
    deliver(list(OutboxMessage.objects.filter(entry__isnull=False).values_list("pk", flat=True)))
    canaries = [VENDOR, CASE, SUMMARY, "Zyxcanary"]
    for ticket in tickets:
        contact = ticket.requester
        client = signed_in(contact)
        seen = [
            client.get("/portal/").content.decode(),
            client.get(f"/portal/tickets/{ticket.pk}/").content.decode(),
            client.get(f"/api/v1/tickets/{ticket.pk}/").content.decode(),
            client.get(f"/api/v1/tickets/{ticket.pk}/updates/").content.decode(),
            *(email.as_string() for email in smtp_settings.to(contact.email)),
        ]
        assert smtp_settings.to(contact.email)
        for text in seen:
            for canary in canaries:
                assert canary not in text
        assert client.get(f"/vendors/escalations/{case.pk}/").status_code == 404
        assert client.get(f"/api/v1/escalations/{case.pk}/").status_code == 404
        assert client.get(f"/incidents/{incident.pk}/").status_code == 404
