"""The fast path (the month's entries folded into groups in SQL, billing.month_groups, priced by
Contract.price_groups) gives exactly the figures of pricing every entry one by one
(Contract.price): property tests over random calendars (time zones with DST changes, odd
opening hours, weekdays, public holidays), contracts and entries around the month's edges."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.business_hours import BusinessCalendar
from accounts.models import Organization
from billing import selectors
from billing.models import Contract, EntryFacts, EntryGroup, TimeEntry, month_bounds
from billing.month_groups import billable_entries, month_groups
from tests.factories import AgentFactory, OrganizationFactory, TicketFactory

pytestmark = pytest.mark.django_db

ZONES = ["Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "UTC"]
HOURS = [(time(8), time(18)), (time(0), time(1, 30)), (time(1), time(3)), (time(2, 15), time(23))]
MONTHS = [date(2026, 3, 1), date(2026, 10, 1), date(2026, 11, 1)]


class Rollback(Exception):
    pass


CALENDARS = st.fixed_dictionaries(
    {
        "timezone": st.sampled_from(ZONES),
        "hours": st.sampled_from(HOURS),
        "weekdays": st.sets(st.integers(0, 6), min_size=1),
        "holiday_country": st.sampled_from(["", "GB"]),
    }
)
TERMS = st.none() | st.fixed_dictionaries(
    {
        "included_minutes": st.integers(0, 3000),
        "rounding_minutes": st.sampled_from([0, 1, 7, 15, 60]),
        "out_of_hours_multiplier": st.decimals("0", "3", places=3),
        "rates": st.sampled_from(
            [{}, {"0": "95.00", "1": "0.35"}, {"0": "120.10", "1": "33.33", "2": "0.01"}]
        ),
    }
)
ENTRIES = st.lists(
    st.tuples(
        st.integers(0, 1),  # organisation
        st.integers(-3 * 1440, 34 * 1440),  # minutes after the month's first day, UTC
        st.integers(1, 1440),
        st.booleans(),
        st.integers(0, 2),  # work type
    ),
    max_size=40,
)


def make_organization(name: str, spec: dict, terms: dict | None, kinds: list) -> Organization:
    organization = OrganizationFactory(
        name=name,
        timezone=spec["timezone"],
        business_opens=spec["hours"][0],
        business_closes=spec["hours"][1],
        business_weekdays=",".join(str(d) for d in sorted(spec["weekdays"])),
        holiday_country=spec["holiday_country"],
    )
    if terms is not None:
        rates = {str(kinds[int(k)].pk): v for k, v in terms["rates"].items()}
        Contract.objects.create(organization=organization, **{**terms, "rates": rates})
    return organization


def per_entry(organization: Organization, month: date):
    """The reference: every entry of the organisation's month priced one by one."""
    start, end = month_bounds(month, organization.timezone)
    entries = [
        EntryFacts(e.pk, e.started_at, e.minutes, e.billable, e.work_type_id)
        for e in TimeEntry.objects.filter(
            ticket__organization=organization, started_at__gte=start, started_at__lt=end
        )
    ]
    return selectors.contract_for(organization).price(entries, organization.calendar())


def figures(usage) -> tuple:
    return (usage.minutes_logged, usage.billable_minutes, usage.amount, usage.over_minutes)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    month=st.sampled_from(MONTHS),
    calendars=st.tuples(CALENDARS, CALENDARS),
    terms=st.tuples(TERMS, TERMS),
    entries=ENTRIES,
)
def test_the_grouped_month_prices_exactly_as_entry_by_entry(
    month, calendars, terms, entries, work_types
):
    kinds = list(selectors.work_types())[:3]
    try:
        with transaction.atomic():
            agent = AgentFactory()
            organizations = [
                make_organization(f"Org {n}", calendars[n], terms[n], kinds) for n in (0, 1)
            ]
            tickets = [TicketFactory(organization=org) for org in organizations]
            first = datetime(month.year, month.month, 1, tzinfo=UTC)
            TimeEntry.objects.bulk_create(
                TimeEntry(
                    ticket=tickets[org],
                    agent=agent,
                    started_at=first + timedelta(minutes=offset),
                    minutes=minutes,
                    billable=billable,
                    work_type=kinds[kind],
                )
                for org, offset, minutes, billable, kind in entries
            )
            overview = {row.organization.pk: row.usage for row in selectors.billing_overview(month)}
            exported = list(billable_entries(month, organizations))
            # The path for databases without arrays and ranges (the SQLite demo) agrees.
            with mock.patch("billing.month_groups._uses_arrays", return_value=False):
                portable = selectors.billing_overview(month)
                assert {row.organization.pk: figures(row.usage) for row in portable} == {
                    pk: figures(usage) for pk, usage in overview.items()
                }
                assert list(billable_entries(month, organizations)) == exported
            for organization in organizations:
                expected = figures(per_entry(organization, month))
                assert figures(overview[organization.pk]) == expected
                assert figures(selectors.organization_usage(organization, month)) == expected
                assert isinstance(overview[organization.pk].amount, Decimal)
            raise Rollback
    except Rollback:
        pass


def test_an_organisation_without_entries_has_no_groups_and_a_zero_usage(organization):
    assert month_groups(date(2026, 11, 1), [organization]) == {}
    usage = selectors.organization_usage(organization, date(2026, 11, 1))
    assert figures(usage) == (0, 0, 0, 0)


def test_the_entry_across_the_last_included_minute_is_charged_for_the_rest_of_it(
    organization, remote
):
    """60 included minutes, three 45-minute entries in business hours at 60.00 an hour: the
    second is charged 30 minutes, the third in full."""
    Contract.objects.create(
        organization=organization, included_minutes=60, rates={str(remote.pk): "60.00"}
    )
    ticket = TicketFactory(organization=organization)
    agent = AgentFactory()
    monday = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    for hour in range(3):
        TimeEntry.objects.create(
            ticket=ticket,
            agent=agent,
            started_at=monday + timedelta(hours=hour),
            minutes=45,
            work_type=remote,
        )
    groups = month_groups(date(2026, 11, 1), [organization])[organization.pk]
    assert [(g.count, g.minutes) for g in groups] == [(1, 45), (1, 45), (1, 45)]
    usage = selectors.organization_usage(organization, date(2026, 11, 1))
    assert usage.amount == Decimal("75.00")
    assert usage.over_minutes == 75


def test_groups_of_alike_entries_price_as_their_entries_would():
    calendar = BusinessCalendar(timezone="UTC")
    terms = Contract(
        included_minutes=100,
        rounding_minutes=15,
        out_of_hours_multiplier=Decimal("1.5"),
        rates={"1": "95.37"},
    )
    night = datetime(2026, 11, 2, 20, 0, tzinfo=UTC)
    entries = [EntryFacts(n, night + timedelta(minutes=n), 10, True, 1) for n in range(1, 8)]
    # Seven 10-minute night entries count 15 x 1.5 = 22.5 each: four covered, one across.
    grouped = terms.price_groups(
        [
            EntryGroup(15, True, 1, True, count=4, minutes_logged=40),
            EntryGroup(15, True, 1, True, count=1, minutes_logged=10),
            EntryGroup(15, True, 1, True, count=2, minutes_logged=20),
        ]
    )
    assert figures(grouped) == figures(terms.price(entries, calendar))
    assert grouped.amount == Decimal("91.39")


@pytest.mark.parametrize(
    ("included", "over"),
    [(600, False), (248, False), (100, True), (0, False)],
    ids=["well-within", "just-within", "across", "pay-as-you-go"],
)
def test_only_an_organisation_past_its_included_minutes_has_its_groups_split(
    organization, remote, included, over
):
    """The running total runs only where the month goes past the included minutes; within
    them (or with none included) the groups come unsplit and still price as entry by entry."""
    Contract.objects.create(
        organization=organization,
        included_minutes=included,
        rounding_minutes=15,
        out_of_hours_multiplier=Decimal("1.5"),
        rates={str(remote.pk): "95.37"},
    )
    ticket = TicketFactory(organization=organization)
    agent = AgentFactory()
    monday = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    # Four 40-minute entries in business hours (45 each after rounding, 180 in all) and one at
    # night (45 x 1.5 = 67.5): 247.5 billable minutes. Unsplit, that is two groups (day and
    # night); across 100 included minutes, four (2 covered, 1 across, then day and night).
    for started in [monday + timedelta(hours=h) for h in range(4)] + [monday.replace(hour=22)]:
        TimeEntry.objects.create(
            ticket=ticket, agent=agent, started_at=started, minutes=40, work_type=remote
        )
    groups = month_groups(date(2026, 11, 1), [organization])[organization.pk]
    assert len(groups) == (4 if over else 2)
    expected = figures(per_entry(organization, date(2026, 11, 1)))
    assert figures(selectors.organization_usage(organization, date(2026, 11, 1))) == expected
