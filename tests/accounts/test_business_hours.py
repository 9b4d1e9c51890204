"""Behaviour of the business-hours calendar used for SLA clocks (pure, no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.business_hours import BusinessCalendar

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


@pytest.fixture
def cal() -> BusinessCalendar:
    """Mon-Fri 08:00-18:00 London, no holidays."""
    return BusinessCalendar("Europe/London")


# --- construction ---------------------------------------------------------------------


def test_defaults_are_weekdays_eight_to_six_without_holidays(cal):
    assert cal.opens == time(8, 0)
    assert cal.closes == time(18, 0)
    assert cal.weekdays == frozenset({0, 1, 2, 3, 4})
    assert cal.holiday_country == ""
    assert cal.tzinfo == LONDON
    assert cal.day_length == hours(10)


def test_calendar_is_hashable_and_weekdays_given_as_a_list_are_stored_as_frozenset():
    calendar = BusinessCalendar("UTC", weekdays=[0, 2, 4])
    assert calendar.weekdays == frozenset({0, 2, 4})
    assert hash(calendar) == hash(BusinessCalendar("UTC", weekdays=frozenset({0, 2, 4})))


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "", "../etc/passwd", "Europe/London "])
def test_unknown_timezone_is_rejected(name):
    with pytest.raises(ValueError, match="timezone"):
        BusinessCalendar(name)


@pytest.mark.parametrize(("opens", "closes"), [(time(18), time(8)), (time(9), time(9))])
def test_opening_not_before_closing_is_rejected(opens, closes):
    with pytest.raises(ValueError, match="must be before closes"):
        BusinessCalendar("UTC", opens=opens, closes=closes)


def test_empty_weekdays_are_rejected():
    with pytest.raises(ValueError, match="weekdays must not be empty"):
        BusinessCalendar("UTC", weekdays=frozenset())


@pytest.mark.parametrize("weekdays", [{7}, {-1, 0}, {True}])
def test_weekdays_outside_monday_to_sunday_are_rejected(weekdays):
    with pytest.raises(ValueError, match=r"0\.\.6"):
        BusinessCalendar("UTC", weekdays=frozenset(weekdays))


def test_timezone_aware_opening_time_is_rejected():
    with pytest.raises(ValueError, match="naive wall-clock"):
        BusinessCalendar("UTC", opens=time(8, tzinfo=UTC))


@pytest.mark.parametrize(("country", "subdivision"), [("XX", ""), ("gb", ""), ("GB", "NOPE")])
def test_unknown_holiday_country_or_subdivision_is_rejected_at_construction(country, subdivision):
    with pytest.raises(ValueError, match="Unknown holiday country"):
        BusinessCalendar("UTC", holiday_country=country, holiday_subdivision=subdivision)


def test_holiday_subdivision_without_country_is_rejected():
    with pytest.raises(ValueError, match="requires holiday_country"):
        BusinessCalendar("UTC", holiday_subdivision="ENG")


# --- naive datetimes ------------------------------------------------------------------


def test_naive_datetimes_are_rejected_everywhere(cal):
    naive = datetime(2026, 3, 3, 10, 0)
    with pytest.raises(ValueError, match="timezone-aware"):
        cal.is_open(naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        cal.next_opening(naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        cal.add_business_time(naive, hours(1))
    with pytest.raises(ValueError, match="timezone-aware"):
        cal.business_time_between(naive, london(2026, 3, 4, 10))


def test_negative_duration_is_rejected(cal):
    with pytest.raises(ValueError, match="negative"):
        cal.add_business_time(london(2026, 3, 3, 10), -hours(1))


def test_is_business_day_refuses_a_datetime_because_its_local_date_is_ambiguous(cal):
    with pytest.raises(TypeError, match="takes a date"):
        cal.is_business_day(london(2026, 3, 3, 10))


# --- add_business_time: ordinary weeks (2026-03-02 is a Monday, London on GMT) ---------


def test_four_business_hours_within_the_same_day(cal):
    assert cal.add_business_time(london(2026, 3, 3, 9), hours(4)) == london(2026, 3, 3, 13)


def test_four_business_hours_from_late_afternoon_carry_over_to_next_morning(cal):
    assert cal.add_business_time(london(2026, 3, 3, 17), hours(4)) == london(2026, 3, 4, 11)


def test_four_business_hours_from_friday_afternoon_lands_on_monday_morning(cal):
    assert cal.add_business_time(london(2026, 3, 6, 16), hours(4)) == london(2026, 3, 9, 10)


def test_start_on_saturday_counts_from_monday_opening(cal):
    assert cal.add_business_time(london(2026, 3, 7, 11, 30), hours(2)) == london(2026, 3, 9, 10)


def test_start_before_opening_counts_from_opening(cal):
    assert cal.add_business_time(london(2026, 3, 3, 6, 15), hours(1)) == london(2026, 3, 3, 9)


def test_start_after_closing_counts_from_next_opening(cal):
    assert cal.add_business_time(london(2026, 3, 3, 21), hours(1)) == london(2026, 3, 4, 9)


def test_deadline_exactly_at_closing_time_stays_on_the_same_day(cal):
    assert cal.add_business_time(london(2026, 3, 2, 8), hours(10)) == london(2026, 3, 2, 18)
    assert cal.add_business_time(london(2026, 3, 2, 14), hours(4)) == london(2026, 3, 2, 18)


def test_six_hundred_minutes_is_one_full_business_day(cal):
    result = cal.add_business_time(london(2026, 3, 3, 10), timedelta(minutes=600))
    assert result == london(2026, 3, 4, 10)


def test_multi_day_duration_spanning_a_weekend(cal):
    # Thu 10:00 + 25h: 8h Thu, 10h Fri, 7h Mon -> Mon 15:00.
    assert cal.add_business_time(london(2026, 3, 5, 10), hours(25)) == london(2026, 3, 9, 15)


def test_zero_duration_returns_start_even_outside_business_hours(cal):
    saturday = london(2026, 3, 7, 11, 30)
    assert cal.add_business_time(saturday, timedelta(0)) == saturday
    tuesday = london(2026, 3, 3, 10)
    assert cal.add_business_time(tuesday, timedelta(0)) == tuesday


def test_sub_second_durations_are_kept_exactly(cal):
    result = cal.add_business_time(london(2026, 3, 3, 17, 59), timedelta(minutes=1, seconds=1.5))
    assert result == london(2026, 3, 4, 8, 0, 1, 500000)


def test_result_is_in_the_calendar_timezone_whatever_the_input_zone(cal):
    start = datetime(2026, 3, 3, 4, 0, tzinfo=NEW_YORK)  # 09:00 in London
    result = cal.add_business_time(start, hours(1))
    assert result == london(2026, 3, 3, 10)
    assert result.tzinfo == LONDON
    assert result.utcoffset() == timedelta(0)


def test_custom_weekdays_and_hours():
    # A Sunday-to-Thursday desk open 09:30-17:00.
    calendar = BusinessCalendar(
        "Asia/Dubai", opens=time(9, 30), closes=time(17), weekdays=frozenset({6, 0, 1, 2, 3})
    )
    dubai = ZoneInfo("Asia/Dubai")
    thursday_afternoon = datetime(2026, 3, 5, 16, tzinfo=dubai)
    assert calendar.add_business_time(thursday_afternoon, hours(2)) == datetime(
        2026, 3, 8, 10, 30, tzinfo=dubai
    )


# --- timezones ------------------------------------------------------------------------


def test_same_instant_gives_different_deadlines_in_new_york_and_tokyo():
    start = utc(2026, 3, 3, 23, 0)  # Tue 18:00 in New York (just closed), Wed 08:00 in Tokyo
    new_york = BusinessCalendar("America/New_York")
    tokyo = BusinessCalendar("Asia/Tokyo")

    ny_deadline = new_york.add_business_time(start, hours(4))
    tokyo_deadline = tokyo.add_business_time(start, hours(4))

    assert ny_deadline == utc(2026, 3, 4, 17, 0)  # Wed 12:00 EST
    assert ny_deadline.tzinfo == NEW_YORK
    assert tokyo_deadline == utc(2026, 3, 4, 3, 0)  # Wed 12:00 JST
    assert tokyo_deadline.tzinfo == TOKYO


# --- DST changes over the weekend ------------------------------------------------------


def test_p3_deadline_over_london_spring_forward_weekend_lands_at_right_utc_instant(cal):
    # Clocks go forward on Sun 2026-03-29: Friday is GMT, Monday is BST.
    start = london(2026, 3, 27, 16)
    assert start == utc(2026, 3, 27, 16)
    deadline = cal.add_business_time(start, hours(4))
    assert deadline == london(2026, 3, 30, 10)
    assert deadline == utc(2026, 3, 30, 9)
    assert deadline.utcoffset() == hours(1)
    assert cal.business_time_between(start, deadline) == hours(4)


def test_p3_deadline_over_london_fall_back_weekend_lands_at_right_utc_instant(cal):
    # Clocks go back on Sun 2026-10-25: Friday is BST, Monday is GMT.
    start = london(2026, 10, 23, 16)
    assert start == utc(2026, 10, 23, 15)
    deadline = cal.add_business_time(start, hours(4))
    assert deadline == london(2026, 10, 26, 10)
    assert deadline == utc(2026, 10, 26, 10)
    assert cal.business_time_between(start, deadline) == hours(4)


def test_p3_deadline_over_new_york_spring_forward_weekend_lands_at_right_utc_instant():
    # US clocks go forward on Sun 2026-03-08: Friday is EST (-5), Monday is EDT (-4).
    calendar = BusinessCalendar("America/New_York")
    start = datetime(2026, 3, 6, 16, tzinfo=NEW_YORK)
    assert start == utc(2026, 3, 6, 21)
    deadline = calendar.add_business_time(start, hours(4))
    assert deadline == datetime(2026, 3, 9, 10, tzinfo=NEW_YORK)
    assert deadline == utc(2026, 3, 9, 14)


# --- DST change inside business hours (real elapsed time is counted) --------------------


@pytest.fixture
def night_shift() -> BusinessCalendar:
    """Open 00:00-06:00 London every day, so the 01:00 DST changes fall inside hours."""
    return BusinessCalendar(
        "Europe/London", opens=time(0), closes=time(6), weekdays=frozenset(range(7))
    )


def test_spring_forward_inside_business_hours_makes_the_day_an_hour_shorter(night_shift):
    # 00:00 GMT to 06:00 BST on 2026-03-29 is only 5 real hours.
    assert night_shift.day_length == hours(6)
    day_start = london(2026, 3, 29, 0)
    day_end = london(2026, 3, 29, 6)
    assert night_shift.business_time_between(day_start, day_end) == hours(5)
    assert night_shift.add_business_time(day_start, hours(5)) == day_end
    assert night_shift.add_business_time(day_start, hours(5)) == utc(2026, 3, 29, 5)
    # The sixth hour spills into the next day.
    assert night_shift.add_business_time(day_start, hours(6)) == london(2026, 3, 30, 1)


def test_fall_back_inside_business_hours_makes_the_day_an_hour_longer(night_shift):
    # 00:00 BST to 06:00 GMT on 2026-10-25 is 7 real hours (01:00-02:00 happens twice).
    day_start = london(2026, 10, 25, 0)
    assert day_start == utc(2026, 10, 24, 23)
    day_end = london(2026, 10, 25, 6)
    assert night_shift.business_time_between(day_start, day_end) == hours(7)
    assert night_shift.add_business_time(day_start, hours(7)) == utc(2026, 10, 25, 6)
    # Both occurrences of 01:30 are business time.
    first = london(2026, 10, 25, 1, 30)
    second = first.replace(fold=1)
    assert second.astimezone(UTC) - first.astimezone(UTC) == hours(1)
    assert night_shift.is_open(first)
    assert night_shift.is_open(second)


def test_dst_change_only_alters_real_day_length_when_it_falls_inside_business_hours():
    every_day = BusinessCalendar("Europe/London", weekdays=frozenset(range(7)))
    spring = every_day.business_time_between(london(2026, 3, 29, 0), london(2026, 3, 30, 0))
    autumn = every_day.business_time_between(london(2026, 10, 25, 0), london(2026, 10, 26, 0))
    # The London changes happen at 01:00/02:00, outside 08:00-18:00, so nothing changes...
    assert spring == autumn == hours(10)
    # ...whereas a desk open over the change gains/loses the hour.
    early = BusinessCalendar("Europe/London", opens=time(0, 30), weekdays=frozenset(range(7)))
    assert early.business_time_between(
        london(2026, 3, 29, 0), london(2026, 3, 30, 0)
    ) == early.day_length - hours(1)
    assert early.business_time_between(
        london(2026, 10, 25, 0), london(2026, 10, 26, 0)
    ) == early.day_length + hours(1)


# --- public holidays -------------------------------------------------------------------


@pytest.fixture
def england() -> BusinessCalendar:
    return BusinessCalendar("Europe/London", holiday_country="GB", holiday_subdivision="ENG")


def test_christmas_and_boxing_day_substitute_are_not_business_days(england):
    assert not england.is_business_day(date(2026, 12, 25))  # Christmas, Friday
    assert not england.is_business_day(date(2026, 12, 26))  # Boxing Day, Saturday
    assert not england.is_business_day(date(2026, 12, 28))  # Boxing Day substitute, Monday
    assert england.is_business_day(date(2026, 12, 24))
    assert england.is_business_day(date(2026, 12, 29))


def test_deadline_over_christmas_skips_the_bank_holidays(england):
    # Thu 24 Dec 16:00 + 4h: 2h Thu, skip Fri 25, weekend, Mon 28 -> Tue 29 10:00.
    assert england.add_business_time(london(2026, 12, 24, 16), hours(4)) == london(2026, 12, 29, 10)


def test_deadline_across_new_year_uses_next_years_holidays(england):
    # Thu 31 Dec 17:00 + 2h: 1h Thu, skip Fri 1 Jan 2027, weekend -> Mon 4 Jan 09:00.
    assert england.add_business_time(london(2026, 12, 31, 17), hours(2)) == london(2027, 1, 4, 9)


def test_calendar_without_holidays_works_on_christmas(cal):
    assert cal.is_business_day(date(2026, 12, 25))


def test_weekend_days_are_not_business_days(cal):
    assert cal.is_business_day(date(2026, 3, 6))
    assert not cal.is_business_day(date(2026, 3, 7))
    assert not cal.is_business_day(date(2026, 3, 8))


def test_calendar_that_never_opens_raises_instead_of_looping_forever(cal, monkeypatch):
    monkeypatch.setattr(BusinessCalendar, "is_business_day", lambda self, d: False)
    with pytest.raises(ValueError, match="no business hours"):
        cal.add_business_time(london(2026, 3, 3, 10), hours(1))


# --- business_time_between -------------------------------------------------------------


def test_business_time_between_friday_evening_and_monday_morning_skips_the_weekend(cal):
    assert cal.business_time_between(london(2026, 3, 13, 17), london(2026, 3, 16, 9)) == hours(2)


def test_business_time_between_within_one_day(cal):
    assert cal.business_time_between(
        london(2026, 3, 3, 9, 15), london(2026, 3, 3, 9, 47)
    ) == timedelta(minutes=32)


def test_business_time_between_is_zero_when_end_not_after_start(cal):
    assert cal.business_time_between(london(2026, 3, 3, 12), london(2026, 3, 3, 12)) == timedelta(0)
    assert cal.business_time_between(london(2026, 3, 3, 12), london(2026, 3, 3, 11)) == timedelta(0)


def test_business_time_between_entirely_outside_hours_is_zero(cal):
    assert cal.business_time_between(london(2026, 3, 7, 9), london(2026, 3, 8, 17)) == timedelta(0)


def test_business_time_between_accepts_mixed_timezones(cal):
    start = datetime(2026, 3, 3, 4, tzinfo=NEW_YORK)  # 09:00 London
    end = datetime(2026, 3, 3, 20, tzinfo=TOKYO)  # 11:00 London
    assert cal.business_time_between(start, end) == hours(2)


# --- is_open / next_opening ------------------------------------------------------------


def test_is_open_includes_opening_and_excludes_closing(cal):
    assert not cal.is_open(london(2026, 3, 3, 7, 59, 59))
    assert cal.is_open(london(2026, 3, 3, 8))
    assert cal.is_open(london(2026, 3, 3, 17, 59, 59))
    assert not cal.is_open(london(2026, 3, 3, 18))
    assert not cal.is_open(london(2026, 3, 7, 12))  # Saturday


def test_is_open_judges_the_calendars_local_time_not_the_inputs(cal):
    # 23:30 in New York on Monday is 04:30 Tuesday in London: closed.
    assert not cal.is_open(datetime(2026, 3, 2, 23, 30, tzinfo=NEW_YORK))
    # 05:00 in New York is 10:00 in London: open.
    assert cal.is_open(datetime(2026, 3, 3, 5, tzinfo=NEW_YORK))


def test_is_open_on_a_holiday_is_false(england):
    assert not england.is_open(london(2026, 12, 25, 12))


def test_next_opening_is_the_moment_itself_when_open(cal):
    moment = london(2026, 3, 3, 12, 34)
    assert cal.next_opening(moment) == moment
    assert cal.next_opening(moment).tzinfo == LONDON


def test_next_opening_from_friday_evening_is_monday_morning(cal):
    assert cal.next_opening(london(2026, 3, 6, 18)) == london(2026, 3, 9, 8)


def test_next_opening_before_opening_is_same_day(cal):
    assert cal.next_opening(london(2026, 3, 3, 2)) == london(2026, 3, 3, 8)


def test_next_opening_after_spring_forward_is_in_summer_time(cal):
    opening = cal.next_opening(utc(2026, 3, 28, 12))
    assert opening == utc(2026, 3, 30, 7)
    assert opening == london(2026, 3, 30, 8)


def test_next_opening_skips_holidays(england):
    assert england.next_opening(london(2026, 12, 24, 18)) == london(2026, 12, 29, 8)


# --- properties -------------------------------------------------------------------------

PROPERTY_ZONES = ["Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "UTC"]


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    # Opening at 06:00 or later keeps every DST change in these zones (all at or before
    # 03:00 local) outside business hours, so local wall-clock checks are meaningful.
    opens = time(draw(st.integers(6, 10)), draw(st.sampled_from([0, 15, 30])))
    closes = time(draw(st.integers(15, 20)), draw(st.sampled_from([0, 30, 45])))
    weekdays = draw(st.frozensets(st.integers(0, 6), min_size=1))
    country = draw(st.sampled_from(["", "", "GB", "US", "AU"]))
    return BusinessCalendar(
        draw(st.sampled_from(PROPERTY_ZONES)),
        opens=opens,
        closes=closes,
        weekdays=weekdays,
        holiday_country=country,
    )


instants = st.datetimes(
    min_value=datetime(2025, 1, 1),
    max_value=datetime(2028, 12, 31, 23, 59, 59),
    timezones=st.sampled_from([ZoneInfo(name) for name in PROPERTY_ZONES]),
)


@settings(max_examples=200, deadline=None)
@given(calendar=calendars(), start=instants, data=st.data())
def test_property_deadline_is_after_start_inside_hours_and_inverts_exactly(calendar, start, data):
    max_minutes = 5 * int(calendar.day_length.total_seconds() // 60)
    duration = timedelta(minutes=data.draw(st.integers(1, max_minutes), label="minutes"))

    result = calendar.add_business_time(start, duration)

    # Compare in UTC: same-zone comparisons ignore fold and would misjudge DST folds.
    assert result.astimezone(UTC) >= start.astimezone(UTC)
    assert result.tzinfo == calendar.tzinfo
    local = result.astimezone(calendar.tzinfo)
    assert calendar.is_business_day(local.date())
    assert calendar.opens < local.time() <= calendar.closes
    assert calendar.business_time_between(start, result) == duration


@settings(max_examples=200, deadline=None)
@given(calendar=calendars(), moment=instants)
def test_property_next_opening_is_open_and_no_business_time_is_skipped(calendar, moment):
    opening = calendar.next_opening(moment)

    assert opening.astimezone(UTC) >= moment.astimezone(UTC)
    assert calendar.is_open(opening)
    assert calendar.business_time_between(moment, opening) == timedelta(0)
    assert (opening.astimezone(UTC) == moment.astimezone(UTC)) == calendar.is_open(moment)
    local = opening.astimezone(calendar.tzinfo)
    assert calendar.opens <= local.time() < calendar.closes


@settings(max_examples=200, deadline=None)
@given(calendar=calendars(), start=instants, data=st.data())
def test_property_business_time_between_is_additive(calendar, start, data):
    # Arithmetic in UTC so the offsets are real elapsed time, not wall-clock time.
    start = start.astimezone(UTC)
    middle = start + timedelta(minutes=data.draw(st.integers(0, 10 * 24 * 60), label="a"))
    end = middle + timedelta(minutes=data.draw(st.integers(0, 10 * 24 * 60), label="b"))

    whole = calendar.business_time_between(start, end)

    assert whole == calendar.business_time_between(start, middle) + calendar.business_time_between(
        middle, end
    )
    assert timedelta(0) <= whole <= end - start


@given(
    zone=st.sampled_from(["Europe/London", "America/New_York", "Australia/Lord_Howe", "UTC"]),
    hours=st.sampled_from([(time(8), time(18)), (time(1), time(3)), (time(0), time(1, 30))]),
    offset=st.integers(0, 40 * 24 * 60),
)
def test_an_instant_is_open_exactly_when_one_of_the_listed_windows_holds_it(zone, hours, offset):
    """windows_between lists what is_open tests (billing tests entries against it in SQL)."""
    calendar = BusinessCalendar(
        timezone=zone, opens=hours[0], closes=hours[1], holiday_country="GB"
    )
    start = datetime(2026, 3, 1, tzinfo=UTC)
    end = start + timedelta(days=40)
    windows = calendar.windows_between(start, end)
    moment = start + timedelta(minutes=offset)
    assert calendar.is_open(moment) == any(opens <= moment < closes for opens, closes in windows)
