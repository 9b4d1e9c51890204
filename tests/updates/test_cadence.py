"""DESIGN rule 4: first-response and next-update due times per priority, on the customer's clock."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import OrganizationFactory, TicketFactory
from tickets.models import Ticket
from updates import cadence

LONDON = ZoneInfo("Europe/London")
# (impact, urgency) giving each priority.
FOR_PRIORITY = {1: (1, 1), 2: (2, 2), 3: (3, 3), 4: (4, 4)}


def _opened(org, priority: int, at: datetime) -> Ticket:
    impact, urgency = FOR_PRIORITY[priority]
    with time_machine.travel(at, tick=False):
        return TicketFactory(organization=org, impact=impact, urgency=urgency)


@pytest.fixture
def london(db):
    return OrganizationFactory(name="London Co", timezone="Europe/London")


@pytest.mark.parametrize(
    ("priority", "opened", "first_response_due"),
    [
        # 24x7 clocks: a Saturday night is like any other time.
        (
            1,
            datetime(2026, 11, 21, 3, 0, tzinfo=LONDON),
            datetime(2026, 11, 21, 3, 15, tzinfo=LONDON),
        ),
        (
            2,
            datetime(2026, 11, 22, 23, 30, tzinfo=LONDON),
            datetime(2026, 11, 23, 0, 30, tzinfo=LONDON),
        ),
        # P3: 4 business hours. Friday 16:00 -> 2 h Friday + 2 h Monday.
        (
            3,
            datetime(2026, 11, 20, 16, 0, tzinfo=LONDON),
            datetime(2026, 11, 23, 10, 0, tzinfo=LONDON),
        ),
        # Raised in the evening: the clock starts at 08:00 next morning.
        (
            3,
            datetime(2026, 11, 18, 19, 0, tzinfo=LONDON),
            datetime(2026, 11, 19, 12, 0, tzinfo=LONDON),
        ),
        # Raised on a Sunday: Monday 08:00 + 4 h.
        (
            3,
            datetime(2026, 11, 22, 11, 0, tzinfo=LONDON),
            datetime(2026, 11, 23, 12, 0, tzinfo=LONDON),
        ),
        # P4: one business day.
        (
            4,
            datetime(2026, 11, 17, 10, 0, tzinfo=LONDON),
            datetime(2026, 11, 18, 10, 0, tzinfo=LONDON),
        ),
        (
            4,
            datetime(2026, 11, 20, 17, 0, tzinfo=LONDON),
            datetime(2026, 11, 23, 17, 0, tzinfo=LONDON),
        ),
    ],
)
def test_first_response_promise_follows_the_cadence(london, priority, opened, first_response_due):
    ticket = _opened(london, priority, opened)
    assert ticket.next_update_due == first_response_due
    assert ticket.promises.get().is_first_response


@pytest.mark.parametrize(
    ("priority", "start", "due"),
    [
        (
            1,
            datetime(2026, 11, 18, 17, 50, tzinfo=LONDON),
            datetime(2026, 11, 18, 18, 20, tzinfo=LONDON),
        ),
        (
            2,
            datetime(2026, 11, 18, 23, 0, tzinfo=LONDON),
            datetime(2026, 11, 19, 1, 0, tzinfo=LONDON),
        ),
        # P3 updates once a business day: Friday 12:00 -> Monday 12:00.
        (
            3,
            datetime(2026, 11, 20, 12, 0, tzinfo=LONDON),
            datetime(2026, 11, 23, 12, 0, tzinfo=LONDON),
        ),
        # P4 every 3 business days: Friday 12:00 -> Wednesday 12:00.
        (
            4,
            datetime(2026, 11, 20, 12, 0, tzinfo=LONDON),
            datetime(2026, 11, 25, 12, 0, tzinfo=LONDON),
        ),
    ],
)
def test_next_update_due_follows_the_cadence(london, priority, start, due):
    ticket = _opened(london, priority, start - timedelta(days=7))
    assert cadence.next_update_due(ticket, start) == due


def test_the_customers_timezone_sets_the_business_clock(db):
    raised = datetime(2026, 11, 18, 14, 0, tzinfo=UTC)  # Wednesday
    new_york = _opened(OrganizationFactory(name="NY", timezone="America/New_York"), 3, raised)
    tokyo = _opened(OrganizationFactory(name="Tokyo", timezone="Asia/Tokyo"), 3, raised)
    # New York: 09:00 local, 4 business hours -> 13:00 EST = 18:00 UTC.
    assert new_york.next_update_due == datetime(2026, 11, 18, 18, 0, tzinfo=UTC)
    # Tokyo: 23:00 local, closed -> Thursday 08:00 + 4 h = 12:00 JST = 03:00 UTC.
    assert tokyo.next_update_due == datetime(2026, 11, 19, 3, 0, tzinfo=UTC)


def test_a_business_hours_promise_across_the_spring_dst_change(london):
    # Friday 27 March 2026 16:00 GMT; clocks go forward on Sunday 29 March.
    ticket = _opened(london, 3, datetime(2026, 3, 27, 16, 0, tzinfo=UTC))
    # 2 h on Friday, 2 h on Monday: 10:00 BST is 09:00 UTC.
    assert ticket.next_update_due == datetime(2026, 3, 30, 9, 0, tzinfo=UTC)


def test_a_business_hours_promise_across_the_autumn_dst_change(db):
    org = OrganizationFactory(name="NY DST", timezone="America/New_York")
    # Friday 30 October 2026 17:00 EDT (21:00 UTC); clocks go back on Sunday 1 November.
    ticket = _opened(org, 3, datetime(2026, 10, 30, 21, 0, tzinfo=UTC))
    # 1 h Friday + 3 h Monday: 11:00 EST = 16:00 UTC.
    assert ticket.next_update_due == datetime(2026, 11, 2, 16, 0, tzinfo=UTC)


def test_public_holidays_pause_the_business_clock(db):
    org = OrganizationFactory(
        name="Holiday Co", timezone="Europe/London", holiday_country="GB", holiday_subdivision="ENG"
    )
    # Thursday 24 Dec 16:00: Christmas (Fri), weekend and the Boxing Day substitute (Mon 28) skip.
    ticket = _opened(org, 3, datetime(2026, 12, 24, 16, 0, tzinfo=LONDON))
    assert ticket.next_update_due == datetime(2026, 12, 29, 10, 0, tzinfo=LONDON)


def test_an_edited_support_plan_changes_new_promises(london):
    rule = london.support_plan.cadence_rules.get(priority=1)
    rule.first_response_minutes = 5
    rule.save()
    ticket = _opened(london, 1, datetime(2026, 11, 18, 10, 0, tzinfo=UTC))
    assert ticket.next_update_due == datetime(2026, 11, 18, 10, 5, tzinfo=UTC)


ZONES = ["Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "UTC"]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    zone=st.sampled_from(ZONES),
    priority=st.sampled_from([3, 4]),
    start=st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
    ),
)
def test_business_hours_promises_fall_inside_business_hours_and_never_before_now(
    db, zone, priority, start
):
    org = OrganizationFactory(name=f"Org {zone}", timezone=zone)
    impact, urgency = FOR_PRIORITY[priority]
    ticket = Ticket(organization=org, impact=impact, urgency=urgency, priority=priority)
    calendar = org.calendar()
    for due in (cadence.first_response_due(ticket, start), cadence.next_update_due(ticket, start)):
        assert due > start
        local = due.astimezone(ZoneInfo(zone))
        assert calendar.is_business_day(local.date())
        assert org.business_opens < local.time() <= org.business_closes
