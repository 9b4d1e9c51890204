"""A month's time entries of many organisations folded, in one query, into the few groups
``Contract.price_groups`` prices: per organisation, entries alike in billable flag, work type,
out-of-hours flag and rounded minutes, in the order the included minutes are used up.

The database does only set work: placing each entry in its organisation's month, testing it
against the business windows ``BusinessCalendar.windows_between`` lists (the calendar stays the
one home of business hours), and a running total in order of ``started_at`` then id that says
which entries come wholly before the last included minute, which one crosses it and which come
after. The money (rates, multiplier, rounding to the cent) is applied by ``Contract`` in Python.
``tests/billing/test_month_groups.py`` proves the groups price to exactly the per-entry figures.

The queries use PostgreSQL's arrays and ranges. Elsewhere (the embedded SQLite demo) the same
rows come from reading the month's entries one by one and asking the calendar in Python: slower,
the same figures (the tests run both paths against each other).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F

from accounts.business_hours import BusinessCalendar
from accounts.models import Organization
from billing.models import EntryFacts, EntryGroup, TimeEntry, month_bounds

MONTH_SQL = """
WITH orgs AS (
    SELECT * FROM unnest(%(org_ids)s::int[], %(cals)s::int[], %(starts)s::timestamptz[],
                         %(ends)s::timestamptz[]) WITH ORDINALITY
        AS o(org_id, cal, month_start, month_end, position)
), hours AS (
    SELECT cal, range_agg(tstzrange(opens, closes, '[)')) AS open
    FROM unnest(%(win_cals)s::int[], %(win_opens)s::timestamptz[], %(win_closes)s::timestamptz[])
        AS w(cal, opens, closes)
    GROUP BY cal
)"""

# The running total mirrors Contract.billable_minutes (round_up, then the multiplier out of
# hours) only to order the groups; Contract prices them, and the tests hold the two together.
# Only an organisation whose month goes past its included minutes has an entry across the last
# one: the others (pay as you go, or within their hours) skip the running total and its sort,
# as the order of their entries changes nothing (all charged in full, or all covered).
GROUPS_SQL = (
    MONTH_SQL
    + """, entries AS (
    SELECT o.org_id, e.id, e.started_at, e.minutes, e.billable, e.work_type_id,
           e.billable AND NOT coalesce(e.started_at <@ h.open, false) AS out_of_hours,
           CASE WHEN coalesce(c.rounding_minutes, 0) > 0
                THEN (e.minutes + c.rounding_minutes - 1) / c.rounding_minutes * c.rounding_minutes
                ELSE e.minutes END AS rounded,
           coalesce(c.out_of_hours_multiplier, 1) AS multiplier,
           coalesce(c.included_minutes, 0) AS included
    FROM billing_timeentry e
    JOIN tickets_ticket t ON t.id = e.ticket_id
    JOIN orgs o ON o.org_id = t.organization_id
    LEFT JOIN hours h ON h.cal = o.cal
    LEFT JOIN billing_contract c ON c.organization_id = o.org_id
    WHERE e.started_at >= %(since)s AND e.started_at < %(until)s
      AND e.started_at >= o.month_start AND e.started_at < o.month_end
), weighed AS (
    SELECT *, CASE WHEN NOT billable THEN 0
                   WHEN out_of_hours THEN rounded * multiplier
                   ELSE rounded END AS own
    FROM entries
), crossing AS (
    SELECT org_id FROM weighed GROUP BY org_id, included HAVING sum(own) > included
), running AS (
    SELECT *, sum(own) OVER (PARTITION BY org_id ORDER BY started_at, id) AS used
    FROM weighed WHERE included > 0 AND org_id IN (SELECT org_id FROM crossing)
    UNION ALL
    SELECT *, NULL FROM weighed
    WHERE included = 0 OR org_id NOT IN (SELECT org_id FROM crossing)
)
SELECT org_id,
       CASE WHEN NOT billable OR used IS NULL OR used <= included THEN 0
            WHEN used - own < included THEN 1
            ELSE 2 END AS part,
       billable,
       CASE WHEN billable THEN work_type_id ELSE 0 END,
       out_of_hours,
       CASE WHEN billable THEN rounded ELSE 0 END,
       count(*),
       sum(minutes)
FROM running
GROUP BY 1, 2, 3, 4, 5, 6
ORDER BY 1, 2
"""
)


# The month's billable entries one by one, organisation by organisation in the order given.
ENTRIES_SQL = (
    MONTH_SQL
    + """
SELECT o.org_id, e.id, e.started_at, e.minutes, e.billable, e.work_type_id,
       NOT coalesce(e.started_at <@ h.open, false) AS out_of_hours,
       e.ticket_id, u.name, u.email
FROM billing_timeentry e
JOIN tickets_ticket t ON t.id = e.ticket_id
JOIN orgs o ON o.org_id = t.organization_id
JOIN accounts_user u ON u.id = e.agent_id
LEFT JOIN hours h ON h.cal = o.cal
WHERE e.billable AND e.started_at >= %(since)s AND e.started_at < %(until)s
  AND e.started_at >= o.month_start AND e.started_at < o.month_end
ORDER BY o.position, e.started_at, e.id
"""
)
CHUNK = 2000


def month_groups(month: date, organizations: list[Organization]) -> dict[int, list[EntryGroup]]:
    """Each organisation's entry groups of ``month`` (in its own time zone), in pricing order;
    organisations without entries are left out. One query whatever the number."""
    if not organizations:
        return {}
    groups: dict[int, list[EntryGroup]] = defaultdict(list)
    if not _uses_arrays(_database()):
        for org_id, entry, out_of_hours, _ticket, _agent in _entries_one_by_one(
            month, organizations, billable_only=False
        ):
            billable = entry.billable
            groups[org_id].append(
                EntryGroup(
                    entry.minutes,
                    billable,
                    entry.work_type_id if billable else 0,
                    billable and out_of_hours,
                    1,
                    entry.minutes,
                )
            )
        return groups
    with _database().cursor() as cursor:
        cursor.execute(GROUPS_SQL, _parameters(month, organizations))
        for org_id, _part, billable, work_type_id, ooh, rounded, count, logged in cursor:
            # Positional: tens of thousands of groups a month (EntryGroup's field order).
            groups[org_id].append(EntryGroup(rounded, billable, work_type_id, ooh, count, logged))
    return groups


def billable_entries(month: date, organizations: list[Organization]) -> Iterator[tuple]:
    """The month's billable entries (each in its organisation's month) as rows of
    (organisation id, EntryFacts, out of hours, ticket id, agent name, agent email), organisation
    by organisation in the order given, then by started_at and id; read through a server-side
    cursor a chunk at a time, so a whole month is never in memory."""
    if not organizations:
        return
    if not _uses_arrays(_database()):
        for org_id, entry, out_of_hours, ticket_id, agent in _entries_one_by_one(
            month, organizations, billable_only=True
        ):
            yield org_id, entry, out_of_hours, ticket_id, agent.name, agent.email
        return
    with _database().chunked_cursor() as cursor:
        cursor.execute(ENTRIES_SQL, _parameters(month, organizations))
        while rows := cursor.fetchmany(CHUNK):
            for org_id, pk, started_at, minutes, billable, kind, ooh, ticket, name, email in rows:
                entry = EntryFacts(pk, started_at, minutes, billable, kind)
                yield org_id, entry, ooh, ticket, name, email


def _uses_arrays(database: BaseDatabaseWrapper) -> bool:
    return database.vendor == "postgresql"


def _entries_one_by_one(
    month: date, organizations: list[Organization], *, billable_only: bool
) -> Iterator[tuple[int, EntryFacts, bool, int, Any]]:
    """The rows the queries give, for a database without PostgreSQL's arrays and ranges:
    (organisation id, EntryFacts, out of hours, ticket id, agent), organisation by organisation
    in the order given, then by started_at and id."""
    bounds = {org.pk: month_bounds(month, org.timezone) for org in organizations}
    calendars = {org.pk: org.calendar() for org in organizations}
    entries = TimeEntry.objects.filter(
        ticket__organization_id__in=bounds,
        started_at__gte=min(start for start, _ in bounds.values()),
        started_at__lt=max(end for _, end in bounds.values()),
    ).select_related("agent")
    if billable_only:
        entries = entries.filter(billable=True)
    by_org: dict[int, list] = defaultdict(list)
    for entry in entries.annotate(org_id=F("ticket__organization_id")).order_by("started_at", "id"):
        start, end = bounds[entry.org_id]
        if start <= entry.started_at < end:
            by_org[entry.org_id].append(entry)
    for organization in organizations:
        for e in by_org[organization.pk]:
            facts = EntryFacts(e.pk, e.started_at, e.minutes, e.billable, e.work_type_id)
            out_of_hours = not calendars[organization.pk].is_open(e.started_at)
            yield organization.pk, facts, out_of_hours, e.ticket_id, e.agent


def _database() -> BaseDatabaseWrapper:
    """Where the ORM reads time entries from: the replica under its read paths (the billing
    page) while it is healthy, else the primary (servicedesk.replica)."""
    return connections[router.db_for_read(TimeEntry)]


def _parameters(month: date, organizations: list[Organization]) -> dict[str, Any]:
    """The organisations (with their months' bounds and calendars) and the business windows of
    each distinct calendar, as arrays for the queries."""
    calendars: dict[BusinessCalendar, int] = {}
    org_ids, cals, starts, ends = [], [], [], []
    for organization in organizations:
        calendar = organization.calendar()
        start, end = month_bounds(month, organization.timezone)
        org_ids.append(organization.pk)
        cals.append(calendars.setdefault(calendar, len(calendars)))
        starts.append(start)
        ends.append(end)
    win_cals: list[int] = []
    win_opens: list[datetime] = []
    win_closes: list[datetime] = []
    since, until = min(starts), max(ends)
    for calendar, index in calendars.items():
        for opens, closes in calendar.windows_between(since, until):
            win_cals.append(index)
            win_opens.append(opens)
            win_closes.append(closes)
    params: dict[str, Any] = {
        "org_ids": org_ids,
        "cals": cals,
        "starts": starts,
        "ends": ends,
        "win_cals": win_cals,
        "win_opens": win_opens,
        "win_closes": win_closes,
        "since": since,
        "until": until,
    }
    return params
