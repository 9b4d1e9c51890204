"""The staff vendor list, the vendor page, their CSV exports and the vendor forms: sorting, periods,
htmx answers, field errors in place, formula-safe CSV and query counts."""

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import TicketFactory
from tests.tickets.helpers import client_for, htmx
from tests.vendors.factories import EscalationFactory, EscalationNoteFactory, VendorFactory
from vendors import services
from vendors.models import Vendor

pytestmark = pytest.mark.django_db


@pytest.fixture
def dell(db):
    return VendorFactory(name="Dell", aliases="Dell EMC", expected_response_minutes=30)


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
    assert '<td class="num">1</td>' in quick_90
    assert '<td class="num">2</td>' in quick_all
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
        ({"period": "forever"}, "Choose one of the options."),
        ({"period": "custom"}, "Give the first day of the period."),
        (
            {"period": "custom", "since": "2026-02-10", "until": "2026-02-01"},
            "must end on or after",
        ),
        (
            {"period": "custom", "since": "yesterday"},
            "Pick a day, or write one such as 2026-03-02.",
        ),
        ({"sort": "drop table"}, "Choose one of the options."),
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
        ({"name": ""}, "Fill this in."),
        ({"name": "Dell"}, "already exists"),
        ({"support_email": "not an email"}, "Write an email address, such as name@example.com."),
        (
            {"portal_url": "javascript:alert(1)"},
            "Write a web address, such as https://example.com.",
        ),
        ({"expected_response_minutes": "0"}, "Use a number of at least 1."),
        ({"expected_response_minutes": "soon"}, "Write a whole number, such as 3."),
        ({"name": "x" * 201}, "Keep it to 200 characters or fewer"),
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
