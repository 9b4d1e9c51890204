"""Counting business time backwards from a deadline (the due-soon reminder of P3/P4 promises)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.business_hours import BusinessCalendar
from tests.accounts.test_business_hours import calendars, instants

LONDON = ZoneInfo("Europe/London")


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


@pytest.fixture
def cal() -> BusinessCalendar:
    return BusinessCalendar("Europe/London")


@pytest.fixture
def england() -> BusinessCalendar:
    return BusinessCalendar("Europe/London", holiday_country="GB", holiday_subdivision="ENG")


def test_two_business_hours_before_an_afternoon_deadline_is_the_same_day(cal):
    assert cal.subtract_business_time(london(2026, 3, 3, 13), hours(2)) == london(2026, 3, 3, 11)


def test_two_business_hours_before_an_early_deadline_reach_back_to_the_previous_evening(cal):
    assert cal.subtract_business_time(london(2026, 3, 4, 9), hours(2)) == london(2026, 3, 3, 17)


def test_monday_morning_deadline_reaches_back_over_the_weekend_to_friday(cal):
    assert cal.subtract_business_time(london(2026, 3, 9, 9), hours(4)) == london(2026, 3, 6, 15)


def test_result_exactly_at_opening_stays_on_the_same_day(cal):
    assert cal.subtract_business_time(london(2026, 3, 3, 18), hours(10)) == london(2026, 3, 3, 8)


def test_deadline_outside_hours_counts_back_from_the_previous_closing(cal):
    assert cal.subtract_business_time(london(2026, 3, 7, 12), hours(1)) == london(2026, 3, 6, 17)
    assert cal.subtract_business_time(london(2026, 3, 3, 7), hours(1)) == london(2026, 3, 2, 17)


def test_zero_duration_returns_the_deadline_itself(cal):
    assert cal.subtract_business_time(london(2026, 3, 7, 12), timedelta(0)) == london(
        2026, 3, 7, 12
    )


def test_bank_holidays_are_skipped_backwards(england):
    # Tue 29 Dec 2026 09:00: 25 Dec (Fri) and 28 Dec (Boxing Day substitute) are holidays.
    result = england.subtract_business_time(london(2026, 12, 29, 9), hours(2))
    assert result == london(2026, 12, 24, 17)


def test_negative_or_naive_input_is_rejected(cal):
    with pytest.raises(ValueError, match="negative"):
        cal.subtract_business_time(london(2026, 3, 3, 12), hours(-1))
    with pytest.raises(ValueError, match="timezone-aware"):
        cal.subtract_business_time(datetime(2026, 3, 3, 12), hours(1))


def test_calendar_that_never_opens_raises_instead_of_looping_forever(cal, monkeypatch):
    monkeypatch.setattr(BusinessCalendar, "is_business_day", lambda self, d: False)
    with pytest.raises(ValueError, match="no business hours"):
        cal.subtract_business_time(london(2026, 3, 3, 10), hours(1))


@settings(max_examples=200, deadline=None)
@given(calendar=calendars(), end=instants, data=st.data())
def test_property_result_is_before_end_inside_hours_and_inverts_exactly(calendar, end, data):
    max_minutes = 5 * int(calendar.day_length.total_seconds() // 60)
    duration = timedelta(minutes=data.draw(st.integers(1, max_minutes), label="minutes"))

    result = calendar.subtract_business_time(end, duration)

    assert result.astimezone(UTC) <= end.astimezone(UTC)
    assert result.tzinfo == calendar.tzinfo
    local = result.astimezone(calendar.tzinfo)
    assert calendar.is_business_day(local.date())
    assert calendar.opens <= local.time() < calendar.closes
    assert calendar.business_time_between(result, end) == duration
