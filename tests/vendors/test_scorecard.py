"""Scorecard figures against a hand-computed fixture.

Vendor "Acme Storage" promises to acknowledge within 60 minutes. Its escalations (minutes after
opening; org = the ticket's customer):

  case  opened            org  acknowledged  resolved  notes                 rca
  E0    01 Jan 09:00      B    +20           +60       -                     -      (before the period)
  E1    05 Jan 09:00      A    +30           +240      2 pushbacks, 1 plain  requested, received
  E2    08 Jan 09:00      A    +90 (late)    +600      -                     requested   repeat of E1
  E3    11 Jan 09:00      B    +10           +120      1 pushback            -           repeat of E0
  E4    20 Feb 09:00      A    +45           -         -                     -           (43 days after E2)
  E5    01 Mar 09:00      C    -             -         -                     -           breached (3 h now)
  E6    01 Mar 11:50      C    -             -         -                     -           repeat of E5, not yet due

"Now" is 01 Mar 12:00. Period since 02 Jan:
  escalations 6; acknowledge minutes [10, 30, 45, 90]: median 37.5, p90 (nearest rank 4 of 4) 90;
  resolve minutes [120, 240, 600]: median 240, p90 (rank 3 of 3) 600; breached 2 (E2, E5) of 6
  = 0.333; pushbacks 3; RCA requested 2, received 1; repeats 3 (E2, E3, E6); overdue now 1 (E5).
Period 02 Jan - 01 Feb: E1-E3: 3 cases; acknowledge [10, 30, 90] median 30, p90 90; resolve median
  240; breached 1; pushbacks 3; repeats 2.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.factories import AgentFactory, OrganizationFactory, TicketFactory
from tests.vendors.factories import VendorFactory
from vendors import selectors, services
from vendors.models import EscalationStatus

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SINCE = datetime(2026, 1, 2, tzinfo=UTC)


def moment(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def acme(db):
    agent = AgentFactory()
    orgs = {key: OrganizationFactory(name=f"Org {key}") for key in "ABC"}
    vendor = VendorFactory(name="Acme Storage", expected_response_minutes=60)
    other_vendor = VendorFactory(name="Other Telecom", expected_response_minutes=60)

    def case(opened, org, *, ack=None, resolved=None, notes=(), rca=(), vendor=vendor):
        with time_machine.travel(opened - timedelta(minutes=1), tick=False):
            ticket = TicketFactory(organization=orgs[org], owner=agent)
        with time_machine.travel(opened, tick=False):
            escalation = services.open_escalation(
                ticket=ticket, vendor=vendor, by=agent, summary="Storage array fault"
            )
            for body, pushback in notes:
                services.log_escalation_note(escalation, author=agent, body=body, pushback=pushback)
            if rca:
                services.set_root_cause_analysis(
                    escalation, by=agent, requested="requested" in rca, received="received" in rca
                )
        if ack is not None:
            with time_machine.travel(opened + timedelta(minutes=ack), tick=False):
                services.change_escalation_status(
                    escalation, status=EscalationStatus.ACKNOWLEDGED, by=agent
                )
        if resolved is not None:
            with time_machine.travel(opened + timedelta(minutes=resolved), tick=False):
                services.change_escalation_status(
                    escalation, status=EscalationStatus.RESOLVED, by=agent
                )
        return escalation

    case(moment(1, 1, 9), "B", ack=20, resolved=60)
    case(
        moment(1, 5, 9),
        "A",
        ack=30,
        resolved=240,
        notes=[("Asked us to reboot it", True), ("Asked customer for photos", True), ("ok", False)],
        rca=("requested", "received"),
    )
    case(moment(1, 8, 9), "A", ack=90, resolved=600, rca=("requested",))
    case(moment(1, 11, 9), "B", ack=10, resolved=120, notes=[("Wants logs from us", True)])
    case(moment(2, 20, 9), "A", ack=45)
    case(moment(3, 1, 9), "C")
    case(moment(3, 1, 11, 50), "C")
    # Another vendor's cases never count for Acme.
    case(moment(1, 6, 9), "A", ack=500, notes=[("pushback", True)], vendor=other_vendor)
    return vendor


def card_for(vendor, **period):
    with time_machine.travel(NOW, tick=False):
        (card,) = selectors.vendor_scorecards(vendors=[vendor], **period)
    return card


def test_figures_since_the_start_of_the_period(acme):
    card = card_for(acme, since=SINCE)
    assert card.figures() == {
        "escalations": 6,
        "median_minutes_to_acknowledge": 37.5,
        "p90_minutes_to_acknowledge": 90.0,
        "median_minutes_to_resolve": 240.0,
        "p90_minutes_to_resolve": 600.0,
        "breached_expected_response": 2,
        "breached_expected_response_share": 0.333,
        "pushbacks": 3,
        "rca_requested": 2,
        "rca_received": 1,
        "repeat_incidents": 3,
        "acknowledgement_overdue": 1,
    }


def test_figures_for_a_closed_period(acme):
    card = card_for(acme, since=SINCE, until=datetime(2026, 2, 1, tzinfo=UTC))
    assert card.escalations == 3
    assert card.median_minutes_to_acknowledge == 30.0
    assert card.p90_minutes_to_acknowledge == 90.0
    assert card.median_minutes_to_resolve == 240.0
    assert card.breached_expected_response == 1
    assert card.pushbacks == 3
    assert card.repeat_incidents == 2


def test_all_time_includes_the_case_before_the_period(acme):
    card = card_for(acme)
    assert card.escalations == 7
    # E0 has no earlier case; E3 is still a repeat of it.
    assert card.repeat_incidents == 3
    assert card.median_minutes_to_acknowledge == 30.0  # [10, 20, 30, 45, 90]


def test_api_scorecard_has_exactly_the_contract_keys(acme):
    with time_machine.travel(NOW, tick=False):
        data = selectors.vendor_scorecard(acme, since=SINCE)
    assert data == {
        "escalations": 6,
        "median_minutes_to_acknowledge": 37.5,
        "median_minutes_to_resolve": 240.0,
        "breached_expected_response": 2,
        "pushbacks": 3,
    }


def test_vendor_without_escalations_has_empty_figures(db):
    vendor = VendorFactory(name="Quiet Ltd")
    data = selectors.vendor_scorecard(vendor)
    assert data == {
        "escalations": 0,
        "median_minutes_to_acknowledge": None,
        "median_minutes_to_resolve": None,
        "breached_expected_response": 0,
        "pushbacks": 0,
    }


def test_scorecards_for_all_vendors_run_two_queries(acme, django_assert_num_queries):
    with time_machine.travel(NOW, tick=False), django_assert_num_queries(2):
        cards = selectors.vendor_scorecards(since=SINCE)
    by_name = {card.vendor.name: card for card in cards}
    assert by_name["Other Telecom"].escalations == 1
    assert by_name["Other Telecom"].pushbacks == 1
    assert by_name["Acme Storage"].escalations == 6


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], None),
        ([5], 5),
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 9),
        ([1] * 9 + [100], 1),
        (range(1, 12), 10),
    ],
)
def test_nearest_rank_percentile(values, expected):
    assert selectors.percentile(values, 0.9) == expected


def test_sorting_puts_vendors_without_data_last(acme):
    with time_machine.travel(NOW, tick=False):
        cards = selectors.vendor_scorecards(since=SINCE)
    quiet = VendorFactory(name="Quiet Ltd")
    cards.append(selectors.Scorecard(vendor=quiet))
    worst_first = selectors.sort_scorecards(cards, "median_minutes_to_acknowledge", descending=True)
    assert [card.vendor.name for card in worst_first] == [
        "Other Telecom",
        "Acme Storage",
        "Quiet Ltd",
    ]
    best_first = selectors.sort_scorecards(cards, "median_minutes_to_acknowledge", descending=False)
    assert [card.vendor.name for card in best_first] == [
        "Acme Storage",
        "Other Telecom",
        "Quiet Ltd",
    ]
