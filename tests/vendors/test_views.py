"""The staff vendor pages and the ticket page's escalation panel: every page and action, with
permissions (customers get 404), bad input (field errors in place, 400, nothing written), htmx
answers and query counts."""

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import ManagerFactory, TicketFactory
from tests.tickets.helpers import client_for, htmx, owned_ticket
from tests.vendors.factories import EscalationFactory, EscalationNoteFactory, VendorFactory
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
        ({"escalate-summary": ""}, "This field is required."),
        ({"escalate-vendor": "999999"}, "Select a valid choice."),
        ({"escalate-vendor": "x"}, "Select a valid choice."),
        ({"escalate-status": "closed"}, "Select a valid choice."),
        ({"escalate-next_chase_at": "tomorrow"}, "Enter a valid date/time."),
        ({"escalate-summary": "x" * 2001}, "at most 2000 characters"),
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
    assert "This field is required." in content
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
        ("soon", "Enter a valid date/time."),
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


# ---- the vendor list, the vendor page and CSV --------------------------------------------------


@pytest.fixture
def two_vendors(agent, organization):
    """Slow has 2 cases acknowledged after 120 and 240 minutes; Quick 1 after 10 minutes."""
    slow = VendorFactory(name="Slowco", expected_response_minutes=60)
    quick = VendorFactory(name="Quickco", expected_response_minutes=60)
    start = timezone.now() - timedelta(days=10)
    for vendor, minutes in ((slow, 120), (slow, 240), (quick, 10)):
        with time_machine.travel(start, tick=False):
            case = EscalationFactory(
                vendor=vendor, by=agent, ticket=TicketFactory(organization=organization)
            )
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            services.change_escalation_status(case, status="acknowledged", by=agent)
    # An old case outside the 90-day default period.
    with time_machine.travel(timezone.now() - timedelta(days=200), tick=False):
        EscalationFactory(vendor=quick, by=agent, ticket=TicketFactory(organization=organization))
    return slow, quick


def names_in_order(content: str, names: list[str]) -> list[str]:
    return sorted(names, key=content.index)


def test_vendor_list_sorts_by_a_figure_in_either_direction(two_vendors, agent):
    client = client_for(agent)
    url = reverse("vendors:list")
    content = client.get(url, {"sort": "median_minutes_to_acknowledge", "dir": "desc"}).content
    assert names_in_order(content.decode(), ["Quickco", "Slowco"]) == ["Slowco", "Quickco"]
    content = client.get(url, {"sort": "median_minutes_to_acknowledge", "dir": "asc"}).content
    assert names_in_order(content.decode(), ["Quickco", "Slowco"]) == ["Quickco", "Slowco"]
    content = client.get(url, {"sort": "name"}).content.decode()
    assert names_in_order(content, ["Quickco", "Slowco"]) == ["Quickco", "Slowco"]
    assert 'aria-sort="ascending"' in content


def test_vendor_list_period_is_in_the_url(two_vendors, agent):
    client = client_for(agent)
    url = reverse("vendors:list")
    recent = client.get(url, {"period": "90d", "sort": "escalations", "dir": "desc"})
    assert "3 h" in recent.content.decode()  # Slowco's median: 180 minutes
    # Quickco: one case in the last 90 days, two in all time.
    rows = {
        "90d": client.get(url, {"period": "90d", "sort": "name"}).content.decode(),
        "all": client.get(url, {"period": "all", "sort": "name"}).content.decode(),
    }
    quick_90 = rows["90d"][rows["90d"].index("Quickco") :].split("</tr>")[0]
    quick_all = rows["all"][rows["all"].index("Quickco") :].split("</tr>")[0]
    assert "<td>1</td>" in quick_90
    assert "<td>2</td>" in quick_all
    # Sort links keep the period.
    assert "period=all" in rows["all"]


def test_vendor_list_htmx_swaps_only_the_results(two_vendors, agent):
    response = client_for(agent).get(
        reverse("vendors:list"), {"sort": "pushbacks"}, **htmx(target="vendor-results")
    )
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="vendor-results"')
    assert "<html" not in content


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"period": "forever"}, "Select a valid choice."),
        ({"period": "custom"}, "Give the first day of the period."),
        (
            {"period": "custom", "since": "2026-02-10", "until": "2026-02-01"},
            "must end on or after",
        ),
        ({"period": "custom", "since": "yesterday"}, "Enter a valid date."),
        ({"sort": "drop table"}, "Select a valid choice."),
    ],
)
def test_bad_period_or_sort_is_a_field_error_not_a_500(two_vendors, agent, params, error):
    client = client_for(agent)
    response = client.get(reverse("vendors:list"), params)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert "Slowco" in response.content.decode()  # still a useful page, on the default period
    assert client.get(reverse("vendors:scorecards-csv"), params).status_code == 400


def test_custom_dates_choose_the_period(two_vendors, agent):
    client = client_for(agent)
    old = (timezone.now() - timedelta(days=201)).date().isoformat()
    until = (timezone.now() - timedelta(days=150)).date().isoformat()
    response = client.get(
        reverse("vendors:scorecards-csv"), {"period": "custom", "since": old, "until": until}
    )
    rows = {row["vendor"]: row for row in csv.DictReader(io.StringIO(response.content.decode()))}
    assert rows["Quickco"]["escalations"] == "1"
    assert rows["Slowco"]["escalations"] == "0"


def test_scorecards_csv_has_every_figure(two_vendors, agent):
    response = client_for(agent).get(reverse("vendors:scorecards-csv"), {"period": "90d"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = {row["vendor"]: row for row in csv.DictReader(io.StringIO(response.content.decode()))}
    assert rows["Slowco"]["escalations"] == "2"
    assert rows["Slowco"]["median_minutes_to_acknowledge"] == "180.0"
    assert rows["Slowco"]["p90_minutes_to_acknowledge"] == "240.0"
    assert rows["Slowco"]["breached_expected_response"] == "2"
    assert rows["Slowco"]["breached_expected_response_share"] == "1.0"
    assert rows["Quickco"]["median_minutes_to_resolve"] == ""
    assert rows["Slowco"]["since"]


def test_single_vendor_csv_and_formula_cells_are_defused(agent):
    vendor = VendorFactory(name="=HYPERLINK(1)")
    response = client_for(agent).get(reverse("vendors:scorecard-csv", args=[vendor.pk]))
    (row,) = csv.DictReader(io.StringIO(response.content.decode()))
    assert row["vendor"] == "'=HYPERLINK(1)"


def test_vendor_page_shows_contacts_scorecard_and_escalations(two_vendors, agent):
    slow, _ = two_vendors
    Vendor.objects.filter(pk=slow.pk).update(
        support_phone="+44 20 7946 0000", account_number="ACC-1", support_hours="24x7"
    )
    response = client_for(agent).get(reverse("vendors:detail", args=[slow.pk]), {"period": "30d"})
    content = response.content.decode()
    for text in ("+44 20 7946 0000", "ACC-1", "24x7", "Escalations in the period (2)", "100%"):
        assert text in content
    assert 'data-figure="p90_minutes_to_resolve"' in content
    assert "scorecard.csv?period=30d" in content


def test_vendor_page_of_an_unknown_vendor_is_404(agent):
    assert client_for(agent).get(reverse("vendors:detail", args=[999999])).status_code == 404


# ---- vendor forms ------------------------------------------------------------------------------


def vendor_data(**overrides) -> dict[str, str]:
    data = {
        "name": "Fortinet",
        "aliases": "FortiGate, Forti",
        "support_email": "support@fortinet.test",
        "support_phone": "+1 408 235 7700",
        "portal_url": "https://support.fortinet.test/",
        "account_number": "FN-42",
        "contract_reference": "FortiCare 24x7",
        "support_hours": "24x7",
        "expected_response_minutes": "60",
        "notes": "Call for P1s.",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_creating_a_vendor(agent):
    response = client_for(agent).post(reverse("vendors:new"), vendor_data())
    vendor = Vendor.objects.get(name="Fortinet")
    assert response.status_code == 302
    assert response["Location"] == reverse("vendors:detail", args=[vendor.pk])
    assert vendor.alias_list == ["FortiGate", "Forti"]
    assert vendor.expected_response_minutes == 60
    assert vendor.portal_url == "https://support.fortinet.test/"


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"name": ""}, "This field is required."),
        ({"name": "Dell"}, "already exists"),
        ({"support_email": "not an email"}, "Enter a valid email address."),
        ({"portal_url": "javascript:alert(1)"}, "Enter a valid URL."),
        ({"expected_response_minutes": "0"}, "greater than or equal to 1"),
        ({"expected_response_minutes": "soon"}, "Enter a whole number."),
        ({"name": "x" * 201}, "at most 200 characters"),
    ],
)
def test_bad_vendor_input_is_shown_on_its_field(agent, dell, overrides, error):
    response = client_for(agent).post(reverse("vendors:new"), vendor_data(**overrides))
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Vendor.objects.exclude(pk=dell.pk).exists()


def test_editing_a_vendor_and_bad_edits_change_nothing(agent, dell):
    client = client_for(agent)
    url = reverse("vendors:edit", args=[dell.pk])
    assert 'value="Dell"' in client.get(url).content.decode()
    response = client.post(url, vendor_data(name="Dell", expected_response_minutes="-5"))
    assert response.status_code == 400
    dell.refresh_from_db()
    assert dell.expected_response_minutes == 30
    response = client.post(url, vendor_data(name="Dell Technologies"))
    assert response.status_code == 302
    dell.refresh_from_db()
    assert (dell.name, dell.support_hours) == ("Dell Technologies", "24x7")


def test_the_workspace_links_to_the_vendor_list(agent):
    content = client_for(agent).get("/").content.decode()
    assert f'href="{reverse("vendors:list")}"' in content


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


def test_vendor_list_and_page_run_a_constant_number_of_queries(agent, organization):
    client = client_for(agent)
    vendor = VendorFactory(name="Acme")
    EscalationFactory(vendor=vendor, by=agent, ticket=TicketFactory(organization=organization))
    pages = [reverse("vendors:list"), reverse("vendors:detail", args=[vendor.pk])]
    counts = []
    for _ in range(2):
        row = []
        for url in pages:
            client.get(url)
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            row.append(len(queries))
        counts.append(row)
        for number in range(5):
            other = VendorFactory(name=f"Other {number}")
            for target in (vendor, other):
                case = EscalationFactory(
                    vendor=target, by=agent, ticket=TicketFactory(organization=organization)
                )
                EscalationNoteFactory(escalation=case, author=agent, pushback=True)
    assert counts[0] == counts[1]
