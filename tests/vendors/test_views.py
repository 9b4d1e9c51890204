"""The ticket page's escalation panel, the escalation page and the composer's vendor-mention guard:
every action, with permissions (customers get 404), bad input (field errors in place, 400, nothing
written), htmx answers and query counts."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import ManagerFactory
from tests.tickets.helpers import client_for, htmx, owned_ticket
from tests.vendors.factories import EscalationNoteFactory, VendorFactory
from tickets.models import Status, Ticket
from vendors import services
from vendors.models import EscalationNote, EscalationStatus, Vendor, VendorEscalation

pytestmark = pytest.mark.django_db

LOCAL_INPUT = "%Y-%m-%dT%H:%M"


def local_input(moment) -> str:
    """What a datetime-local picker sends for `moment` (agents default to UTC in the tests)."""
    return timezone.localtime(moment, timezone.get_default_timezone()).strftime(LOCAL_INPUT)


@pytest.fixture
def ticket(agent, organization):
    return owned_ticket(agent, organization=organization, subject="Payroll server down")


@pytest.fixture
def dell(db):
    return VendorFactory(name="Dell", aliases="Dell EMC", expected_response_minutes=30)


@pytest.fixture
def escalation(ticket, dell, agent):
    return services.open_escalation(
        ticket=ticket, vendor=dell, by=agent, summary="Disk failed", vendor_reference="SR-100"
    )


def every_page(escalation) -> list[str]:
    return [
        reverse("vendors:list"),
        reverse("vendors:new"),
        reverse("vendors:scorecards-csv"),
        reverse("vendors:detail", args=[escalation.vendor_id]),
        reverse("vendors:edit", args=[escalation.vendor_id]),
        reverse("vendors:scorecard-csv", args=[escalation.vendor_id]),
        reverse("vendors:escalation", args=[escalation.pk]),
    ]


def every_action(escalation) -> list[str]:
    return [
        reverse("vendors:escalate", args=[escalation.ticket_id]),
        reverse("vendors:escalation-note", args=[escalation.pk]),
        reverse("vendors:escalation-status", args=[escalation.pk]),
        reverse("vendors:escalation-chase", args=[escalation.pk]),
        reverse("vendors:escalation-rca", args=[escalation.pk]),
        reverse("vendors:new"),
        reverse("vendors:edit", args=[escalation.vendor_id]),
    ]


# ---- permissions -------------------------------------------------------------------------------


def test_contacts_get_404_everywhere_and_change_nothing(escalation, contact):
    client = client_for(contact)
    for url in every_page(escalation):
        assert client.get(url).status_code == 404, url
    for url in every_action(escalation):
        response = client.post(url, {f"n{escalation.pk}-body": "hi", "name": "Evil"})
        assert response.status_code == 404, url
    assert not EscalationNote.objects.exists()
    assert Vendor.objects.get(pk=escalation.vendor_id).name == "Dell"


def test_anonymous_visitors_are_sent_to_sign_in(escalation):
    client = Client()
    for url in every_page(escalation) + every_action(escalation):
        response = client.get(url) if url in every_page(escalation) else client.post(url, {})
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_agents_and_managers_can_open_every_page(escalation, agent):
    for user in (agent, ManagerFactory()):
        client = client_for(user)
        for url in every_page(escalation):
            assert client.get(url).status_code == 200, (user.role, url)


# ---- the ticket page panel ---------------------------------------------------------------------


def test_ticket_page_shows_the_escalation_panel(escalation, agent):
    services.log_escalation_note(escalation, author=agent, body="Engineer booked", pushback=True)
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        content = client_for(agent).get(f"/tickets/{escalation.ticket_id}/").content.decode()
    assert 'id="vendor-escalations"' in content
    for text in ("Dell", "SR-100", "Open", "Engineer booked", "pushed work back"):
        assert text in content
    # Dell promised to acknowledge within 30 minutes; an hour later it has not.
    assert "not acknowledged, expected by" in content
    assert "1 h" in content  # the case's age
    assert reverse("vendors:escalation", args=[escalation.pk]) in content


def test_panel_offers_the_escalate_form_on_a_ticket_without_escalations(ticket, agent, dell):
    content = client_for(agent).get(f"/tickets/{ticket.pk}/").content.decode()
    assert "Not escalated to any vendor." in content
    assert reverse("vendors:escalate", args=[ticket.pk]) in content
    assert "Dell" in content  # a vendor choice


def test_panel_runs_a_constant_number_of_queries(ticket, agent, dell):
    client = client_for(agent)
    first = services.open_escalation(ticket=ticket, vendor=dell, by=agent, summary="One")
    EscalationNoteFactory(escalation=first, author=agent)
    client.get(f"/tickets/{ticket.pk}/")
    with CaptureQueriesContext(connection) as one:
        client.get(f"/tickets/{ticket.pk}/")
    for number in range(4):
        more = services.open_escalation(
            ticket=ticket, vendor=VendorFactory(), by=agent, summary=f"Case {number}"
        )
        for _ in range(3):
            EscalationNoteFactory(escalation=more, author=agent, pushback=True)
    with CaptureQueriesContext(connection) as many:
        response = client.get(f"/tickets/{ticket.pk}/")
    assert "Case 3" in response.content.decode()
    assert len(many) == len(one)


# ---- opening an escalation ---------------------------------------------------------------------


def escalate_data(vendor, **overrides) -> dict[str, str]:
    data = {
        "escalate-vendor": str(vendor.pk),
        "escalate-vendor_reference": "SR-555",
        "escalate-summary": "Replace the RAID controller",
        "escalate-status": "open",
        "escalate-next_chase_at": local_input(timezone.now() + timedelta(hours=2)),
        "escalate-mark_ticket_waiting": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_escalating_from_the_ticket_page(ticket, agent, dell):
    url = reverse("vendors:escalate", args=[ticket.pk])
    response = client_for(agent).post(url, escalate_data(dell))
    assert response.status_code == 302
    assert response["Location"] == f"/tickets/{ticket.pk}/#vendor-escalations"
    escalation = VendorEscalation.objects.get()
    assert (escalation.vendor, escalation.vendor_reference) == (dell, "SR-555")
    assert escalation.opened_by == agent
    assert escalation.next_chase_at is not None
    assert Ticket.objects.get(pk=ticket.pk).status == Status.WAITING_ON_VENDOR


def test_escalating_under_htmx_answers_with_the_ticket_body(ticket, agent, dell):
    url = reverse("vendors:escalate", args=[ticket.pk])
    response = client_for(agent).post(url, escalate_data(dell), **htmx(target="ticket-body"))
    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith('<div id="ticket-body"')
    assert "Escalated to Dell" in content
    assert "SR-555" in content


@pytest.mark.parametrize(
    ("overrides", "field_error"),
    [
        ({"escalate-summary": ""}, "Fill this in."),
        ({"escalate-vendor": "999999"}, "That choice is no longer there; choose another."),
        ({"escalate-vendor": "x"}, "That choice is no longer there; choose another."),
        ({"escalate-status": "closed"}, "Choose one of the options."),
        (
            {"escalate-next_chase_at": "tomorrow"},
            "Pick a date and time, or write one such as 2026-03-02 14:30.",
        ),
        ({"escalate-summary": "x" * 2001}, "Keep it to 2000 characters or fewer"),
    ],
)
def test_bad_escalation_input_is_shown_on_its_field(ticket, agent, dell, overrides, field_error):
    url = reverse("vendors:escalate", args=[ticket.pk])
    response = client_for(agent).post(url, escalate_data(dell, **overrides))
    assert response.status_code == 400
    assert field_error in response.content.decode()
    assert not VendorEscalation.objects.exists()
    assert Ticket.objects.get(pk=ticket.pk).status == ticket.status


def test_a_past_chase_time_is_refused_by_the_service_and_nothing_is_written(ticket, agent, dell):
    past = local_input(timezone.now() - timedelta(hours=1))
    url = reverse("vendors:escalate", args=[ticket.pk])
    response = client_for(agent).post(url, escalate_data(dell, **{"escalate-next_chase_at": past}))
    assert response.status_code == 400
    assert "already passed" in response.content.decode()
    assert not VendorEscalation.objects.exists()
    assert Ticket.objects.get(pk=ticket.pk).status != Status.WAITING_ON_VENDOR


def test_an_inactive_vendor_cannot_be_chosen(ticket, agent, dell):
    Vendor.objects.filter(pk=dell.pk).update(is_active=False)
    response = client_for(agent).post(
        reverse("vendors:escalate", args=[ticket.pk]), escalate_data(dell)
    )
    assert response.status_code == 400
    assert not VendorEscalation.objects.exists()


def test_escalating_an_unknown_ticket_is_404(agent, dell):
    response = client_for(agent).post(reverse("vendors:escalate", args=[999999]), {})
    assert response.status_code == 404


# ---- the case's quick actions ------------------------------------------------------------------


def test_logging_a_pushback_note(escalation, agent):
    url = reverse("vendors:escalation-note", args=[escalation.pk])
    prefix = f"n{escalation.pk}"
    response = client_for(agent).post(
        url, {f"{prefix}-body": "They want the customer to reinstall", f"{prefix}-pushback": "on"}
    )
    assert response.status_code == 302
    note = EscalationNote.objects.get()
    assert (note.body, note.pushback, note.author) == (
        "They want the customer to reinstall",
        True,
        agent,
    )


def test_an_empty_note_is_refused_in_place(escalation, agent):
    url = reverse("vendors:escalation-note", args=[escalation.pk])
    response = client_for(agent).post(url, {f"n{escalation.pk}-body": "  "}, **htmx())
    assert response.status_code == 400
    content = response.content.decode()
    assert "Fill this in." in content
    # The failing case's actions are shown open so the error is visible.
    assert 'class="escalation-actions" open' in content
    assert not EscalationNote.objects.exists()


def test_changing_status_stamps_acknowledgement_and_resolution(escalation, agent):
    url = reverse("vendors:escalation-status", args=[escalation.pk])
    client = client_for(agent)
    assert client.post(url, {f"s{escalation.pk}-status": "acknowledged"}).status_code == 302
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.ACKNOWLEDGED
    assert escalation.acknowledged_at is not None
    assert client.post(url, {f"s{escalation.pk}-status": "closed"}).status_code == 302
    escalation.refresh_from_db()
    assert escalation.resolved_at is not None


@pytest.mark.parametrize("status", ["open", "nonsense", ""])
def test_impossible_status_changes_are_refused(escalation, agent, status):
    services.change_escalation_status(escalation, status="acknowledged", by=agent)
    url = reverse("vendors:escalation-status", args=[escalation.pk])
    response = client_for(agent).post(url, {f"s{escalation.pk}-status": status})
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.ACKNOWLEDGED


def test_setting_and_stopping_the_chase(escalation, agent):
    url = reverse("vendors:escalation-chase", args=[escalation.pk])
    client = client_for(agent)
    when = timezone.now() + timedelta(days=1)
    response = client.post(url, {f"c{escalation.pk}-next_chase_at": local_input(when)})
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert escalation.next_chase_at == when.replace(second=0, microsecond=0)
    assert client.post(url, {f"c{escalation.pk}-stop": "on"}).status_code == 302
    escalation.refresh_from_db()
    assert escalation.next_chase_at is None


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("", "Choose when to chase"),
        ("2020-01-01T09:00", "already passed"),
        ("2099-01-01T09:00", "within 366 days"),
        ("soon", "Pick a date and time, or write one such as 2026-03-02 14:30."),
    ],
)
def test_bad_chase_times_are_refused(escalation, agent, value, error):
    url = reverse("vendors:escalation-chase", args=[escalation.pk])
    response = client_for(agent).post(url, {f"c{escalation.pk}-next_chase_at": value})
    assert response.status_code == 400
    assert error in response.content.decode()
    escalation.refresh_from_db()
    assert escalation.next_chase_at is None


def test_root_cause_analysis_requested_then_received(escalation, agent):
    url = reverse("vendors:escalation-rca", args=[escalation.pk])
    client = client_for(agent)
    client.post(url, {f"r{escalation.pk}-rca_requested": "on"})
    escalation.refresh_from_db()
    assert (escalation.rca_requested, escalation.rca_received) == (True, False)
    client.post(
        url, {f"r{escalation.pk}-rca_requested": "on", f"r{escalation.pk}-rca_received": "on"}
    )
    escalation.refresh_from_db()
    assert (escalation.rca_requested, escalation.rca_received) == (True, True)


def test_actions_from_the_escalation_page_answer_there(escalation, agent):
    client = client_for(agent)
    url = reverse("vendors:escalation-note", args=[escalation.pk])
    page = reverse("vendors:escalation", args=[escalation.pk])
    data = {f"n{escalation.pk}-body": "Called them", "return_to": "escalation"}
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == page
    response = client.post(url, {**data, f"n{escalation.pk}-body": ""}, **htmx())
    assert response.status_code == 400
    assert response.content.decode().lstrip().startswith('<div id="escalation-body"')
    assert "Called them" in client.get(page).content.decode()


def test_actions_on_an_unknown_escalation_are_404(agent):
    client = client_for(agent)
    for name in ("note", "status", "chase", "rca"):
        assert client.post(reverse(f"vendors:escalation-{name}", args=[999999])).status_code == 404
    assert client.get(reverse("vendors:escalation", args=[999999])).status_code == 404


def test_actions_need_post(escalation, agent):
    response = client_for(agent).get(reverse("vendors:escalation-note", args=[escalation.pk]))
    assert response.status_code == 405


# ---- the vendor-mention guard in the staff composer --------------------------------------------


def post_update(client, ticket, **fields):
    data = {"body": "We are on it.", "promise": "default", "status": ticket.status}
    data.update(fields)
    return client.post(f"/tickets/{ticket.pk}/updates/public/", data)


def public_updates(ticket):
    return ticket.timeline.filter(kind="public_update")


def test_composer_holds_back_a_vendor_mention_with_a_suggested_rewording(escalation, agent):
    ticket = escalation.ticket
    response = post_update(client_for(agent), ticket, body="DELL EMC is replacing the disk.")
    content = response.content.decode()
    assert response.status_code == 400
    assert "Held back: it mentions <strong>DELL EMC</strong>" in content
    suggestion = content.split("data-suggestion>")[1].split("</blockquote>")[0]
    assert "We are replacing the disk." in suggestion
    assert "dell" not in suggestion.lower()
    assert 'name="confirm_vendor_mention"' in content
    assert 'value="use_suggestion"' in content
    assert not public_updates(ticket).exists()


def test_held_back_update_says_it_once_in_the_warning_not_again_on_the_field(escalation, agent):
    response = post_update(client_for(agent), escalation.ticket, body="DELL EMC is late.")
    content = response.content.decode()
    assert response.status_code == 400
    assert content.count("Held back: it mentions") == 1
    assert 'id="public-body_error"' not in content
    assert "names a supplier" not in content


@pytest.mark.parametrize("over_htmx", [True, False], ids=["htmx", "no javascript"])
def test_preview_shows_the_warning_send_would_give(escalation, agent, over_htmx):
    ticket = escalation.ticket
    data = {"body": "DELL EMC is replacing the disk.", "promise": "default", "status": "open"}
    client = client_for(agent)
    if over_htmx:
        response = client.post(f"/tickets/{ticket.pk}/updates/preview/", data, **htmx())
    else:
        response = client.post(
            f"/tickets/{ticket.pk}/updates/public/", {**data, "action": "preview"}
        )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Preview: what the customer receives" in content
    assert "Send holds this update back" in content
    warning = content.split('<div id="held-back"', 1)[1]
    assert warning.startswith(' hx-swap-oob="true">') == over_htmx
    assert "Held back: it mentions <strong>DELL EMC</strong>" in warning
    assert "We are replacing the disk." in warning.split("data-suggestion>")[1]
    assert 'name="confirm_vendor_mention"' in warning
    assert not public_updates(ticket).exists()


def test_preview_of_an_ordinary_update_clears_an_earlier_warning(escalation, agent):
    data = {"body": "The new disk arrives at 14:00.", "promise": "default", "status": "open"}
    response = client_for(agent).post(
        f"/tickets/{escalation.ticket.pk}/updates/preview/", data, **htmx()
    )
    content = response.content.decode()
    assert "Send holds" not in content
    assert '<div id="held-back" hx-swap-oob="true">' in content
    assert "Held back" not in content


def test_using_the_suggestion_fills_the_composer_and_sends_nothing(escalation, agent):
    ticket = escalation.ticket
    response = post_update(
        client_for(agent),
        ticket,
        body="It is their fault. Dell is replacing the disk.",
        action="use_suggestion",
        suggested_body="We are replacing the disk.",
    )
    content = response.content.decode()
    assert response.status_code == 200
    textarea = content.split('name="body"')[1].split("</textarea>")[0]
    assert "We are replacing the disk." in textarea
    assert not public_updates(ticket).exists()


def test_confirming_sends_the_update_as_written(escalation, agent):
    ticket = escalation.ticket
    response = post_update(
        client_for(agent), ticket, body="Dell is replacing the disk.", confirm_vendor_mention="on"
    )
    assert response.status_code == 302
    assert public_updates(ticket).get().body == "Dell is replacing the disk."


def test_an_ordinary_update_passes_the_guard(escalation, agent):
    ticket = escalation.ticket
    response = post_update(client_for(agent), ticket, body="The new disk arrives at 14:00.")
    assert response.status_code == 302
    assert public_updates(ticket).count() == 1
