"""The money rules as pure code (billing.models): rounding up per entry, the out-of-hours
multiplier on the organisation's business calendar, included minutes used up in order, lines
rounded half up to the cent. Property tests hold them for any entries."""

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from accounts.business_hours import BusinessCalendar
from billing.models import Contract, EntryFacts, money, round_up

LONDON = BusinessCalendar(timezone="Europe/London", opens=time(8), closes=time(18))
# Monday 2 November 2026, 10:00 in London (GMT): inside business hours.
MONDAY_MORNING = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
MONDAY_NIGHT = datetime(2026, 11, 2, 19, 0, tzinfo=UTC)
SATURDAY = datetime(2026, 11, 7, 10, 0, tzinfo=UTC)


def entry(pk, started_at, minutes, *, billable=True, work_type_id=1) -> EntryFacts:
    return EntryFacts(pk, started_at, minutes, billable, work_type_id)


def contract(**fields) -> Contract:
    fields.setdefault("rates", {"1": "90.00"})
    return Contract(**fields)


@given(st.integers(1, 1440), st.integers(0, 240))
def test_rounding_goes_up_to_the_next_whole_step_and_never_down(minutes, step):
    rounded = round_up(minutes, step)
    assert rounded >= minutes
    if step:
        assert rounded % step == 0
        assert rounded - minutes < step
    else:
        assert rounded == minutes


def test_rounding_examples_from_the_contract():
    assert round_up(1, 15) == 15
    assert round_up(15, 15) == 15
    assert round_up(16, 15) == 30
    assert round_up(7, 0) == 7


def test_an_out_of_hours_entry_counts_its_rounded_minutes_times_the_multiplier_unrounded():
    terms = contract(rounding_minutes=15, out_of_hours_multiplier=Decimal("1.5"))
    usage = terms.price([entry(1, MONDAY_NIGHT, 10)], LONDON)
    assert usage.billable_minutes == Decimal("22.5")
    assert usage.lines[0].amount == Decimal("33.75")


def test_weekends_and_public_holidays_are_out_of_hours_but_business_hours_are_not():
    holidays = BusinessCalendar(timezone="Europe/London", holiday_country="GB")
    christmas = datetime(2026, 12, 25, 10, 0, tzinfo=UTC)
    terms = contract(out_of_hours_multiplier=Decimal("2"))
    assert terms.price([entry(1, SATURDAY, 30)], LONDON).billable_minutes == 60
    assert terms.price([entry(1, christmas, 30)], holidays).billable_minutes == 60
    assert terms.price([entry(1, MONDAY_MORNING, 30)], LONDON).billable_minutes == 30


def test_the_closing_minute_is_out_of_hours_and_the_opening_one_is_in():
    terms = contract(out_of_hours_multiplier=Decimal("2"))
    opening = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    closing = datetime(2026, 11, 2, 18, 0, tzinfo=UTC)
    assert terms.price([entry(1, opening, 10)], LONDON).billable_minutes == 10
    assert terms.price([entry(1, closing, 10)], LONDON).billable_minutes == 20


def test_included_minutes_are_used_up_in_order_of_start_then_id():
    terms = contract(included_minutes=60, rates={"1": "60.00", "2": "120.00"})
    later = entry(1, MONDAY_MORNING + timedelta(hours=1), 60, work_type_id=2)
    earlier = entry(2, MONDAY_MORNING, 60, work_type_id=1)
    usage = terms.price([later, earlier], LONDON)
    # The earlier (cheaper) entry used the included hour; the later one is charged in full.
    assert [line.entry.id for line in usage.lines] == [2, 1]
    assert [line.amount for line in usage.lines] == [Decimal("0.00"), Decimal("120.00")]
    assert usage.over_minutes == 60
    tie = terms.price([entry(9, MONDAY_MORNING, 60, work_type_id=2), earlier], LONDON)
    assert [line.entry.id for line in tie.lines] == [2, 9]


def test_lines_round_half_up_to_the_cent():
    assert money(Decimal("0.005")) == Decimal("0.01")
    assert money(Decimal("0.004999")) == Decimal("0.00")
    # 1 minute at 0.30 an hour is half a cent: rounded up.
    usage = contract(rates={"1": "0.30"}).price([entry(1, MONDAY_MORNING, 1)], LONDON)
    assert usage.amount == Decimal("0.01")


def test_non_billable_entries_count_as_logged_but_cost_nothing_and_use_no_included_minutes():
    terms = contract(included_minutes=30)
    usage = terms.price(
        [entry(1, MONDAY_MORNING, 45, billable=False), entry(2, MONDAY_NIGHT, 30)], LONDON
    )
    assert usage.minutes_logged == 75
    assert usage.billable_minutes == 30
    assert usage.amount == 0
    assert len(usage.lines) == 1


def test_a_work_type_without_a_rate_is_charged_nothing():
    usage = contract(rates={}).price([entry(1, MONDAY_MORNING, 90)], LONDON)
    assert usage.amount == Decimal("0.00")
    assert usage.over_minutes == 90


ENTRIES = st.lists(
    st.builds(
        entry,
        st.integers(1, 10_000),
        st.datetimes(
            min_value=datetime(2026, 11, 1),
            max_value=datetime(2026, 11, 30),
            timezones=st.just(UTC),
        ),
        st.integers(1, 1440),
        billable=st.booleans(),
        work_type_id=st.sampled_from([1, 2, 3]),
    ),
    max_size=30,
    unique_by=lambda e: e.id,
)
TERMS = st.builds(
    contract,
    included_minutes=st.integers(0, 5000),
    rounding_minutes=st.sampled_from([0, 1, 5, 6, 15, 30, 60]),
    out_of_hours_multiplier=st.decimals("0", "3", places=3),
    rates=st.fixed_dictionaries(
        {"1": st.just("95.00"), "2": st.just("0.35"), "3": st.just("120.10")}
    ),
)


@given(TERMS, ENTRIES)
def test_every_total_is_reproducible_from_its_lines(terms, entries):
    usage = terms.price(entries, LONDON)
    billable = [e for e in entries if e.billable]
    assert usage.minutes_logged == sum(e.minutes for e in entries)
    assert usage.billable_minutes == sum(line.billable_minutes for line in usage.lines)
    assert usage.amount == sum((line.amount for line in usage.lines), Decimal("0"))
    assert len(usage.lines) == len(billable)
    # The charged minutes are exactly the billable ones beyond the included ones.
    charged = sum((line.charged_minutes for line in usage.lines), Decimal("0"))
    assert charged == usage.over_minutes
    assert usage.over_minutes == max(0, usage.billable_minutes - terms.included_minutes)
    for line in usage.lines:
        assert line.amount == line.amount.quantize(Decimal("0.01"))
        assert isinstance(line.amount, Decimal)


@given(TERMS, ENTRIES)
def test_the_order_entries_arrive_in_never_changes_the_amount(terms, entries):
    assert terms.price(entries, LONDON).amount == terms.price(entries[::-1], LONDON).amount


@given(ENTRIES, st.decimals("1", "3", places=2))
def test_a_higher_multiplier_never_lowers_the_bill(entries, multiplier):
    flat = contract(out_of_hours_multiplier=Decimal("1")).price(entries, LONDON)
    raised = contract(out_of_hours_multiplier=multiplier).price(entries, LONDON)
    assert raised.billable_minutes >= flat.billable_minutes
    assert raised.amount >= flat.amount
