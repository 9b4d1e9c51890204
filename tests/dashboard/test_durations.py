"""Durations are written one way on every staff page ("3 h 11 min"), by one function:
tickets.display.duration_text. Before, the Now panels said "3 hours, 11 minutes" next to
"1 h 11 min late", and the vendor pages wrote Django's timeuntil."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.factories import TicketFactory
from tests.tickets.helpers import client_for
from tests.vendors.factories import EscalationFactory, VendorFactory
from tickets.display import duration_text, elapsed_text
from updates import services as update_services
from updates.keeper import wording
from vendors import services

NOW = datetime(2026, 11, 18, 14, 0, tzinfo=UTC)  # a Wednesday afternoon
DJANGO_WORDS = re.compile(r"\d+\xa0?(hours?|minutes?|days?),")  # timesince/timeuntil's style


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (0, "0 min"),
        (45, "45 min"),
        (59.6, "1 h"),
        (60, "1 h"),
        (80, "1 h 20 min"),
        (191, "3 h 11 min"),
        (47 * 60 + 59, "47 h 59 min"),
        (48 * 60, "2 days"),
        (100 * 60, "4 days"),
        (-5, "0 min"),
    ],
)
def test_one_way_to_write_a_duration(minutes, text):
    assert duration_text(minutes) == text


def test_elapsed_time_counts_whole_minutes_down():
    start = NOW - timedelta(hours=3, minutes=11, seconds=59)
    assert elapsed_text(start, NOW) == "3 h 11 min"


def test_the_now_panels_write_waits_like_the_countdowns(manager, organization):
    with time_machine.travel(NOW - timedelta(hours=3, minutes=11), tick=False):
        TicketFactory(organization=organization, subject="Scanner offline")
    with time_machine.travel(NOW, tick=False):
        page = client_for(manager).get("/dashboard/").content.decode()
    unowned = page[page.index('id="panel-unowned"') : page.index('id="panel-unconfirmed"')]
    assert "<td>3 h 11 min</td>" in unowned
    assert not DJANGO_WORDS.search(page)


def test_first_response_figures_are_durations_not_bare_minutes(manager, agent, organization):
    with time_machine.travel(NOW - timedelta(hours=2), tick=False):
        ticket = TicketFactory(organization=organization, impact=2, urgency=2)
    with time_machine.travel(NOW - timedelta(minutes=40), tick=False):
        update_services.post_public_update(ticket, author=agent, body="On it.")
    with time_machine.travel(NOW, tick=False):
        page = client_for(manager).get("/dashboard/?days=7").content.decode()
    figure = re.search(r'aria-labelledby="f-first">.*?<p class="figure">(.*?)</p>', page, re.S)
    assert figure.group(1) == "1 h 20 min"


def test_the_vendor_page_writes_how_long_acknowledgement_took(agent, organization):
    vendor = VendorFactory(name="Slowco", expected_response_minutes=60)
    with time_machine.travel(NOW - timedelta(hours=3), tick=False):
        case = EscalationFactory(
            vendor=vendor, by=agent, ticket=TicketFactory(organization=organization)
        )
    with time_machine.travel(NOW - timedelta(hours=1, minutes=40), tick=False):
        services.change_escalation_status(case, status="acknowledged", by=agent)
    with time_machine.travel(NOW, tick=False):
        page = client_for(agent).get(f"/vendors/{vendor.pk}/").content.decode()
    assert "1 h 20 min</td>" in page
    assert not DJANGO_WORDS.search(page)


def test_staff_alerts_say_lateness_the_way_the_queue_does():
    assert wording.duration(timedelta(hours=1, minutes=11, seconds=30)) == "1 h 11 min"
    assert wording.duration(timedelta(minutes=30)) == "30 min"
