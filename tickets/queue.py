"""The staff queue: saved views, sort orders and keyset pagination that stays fast at a million
tickets.

Pagination never counts the table. Each page fetches one row more than it shows to know whether a
next page exists, and the next page starts *after* the last row's sort key (a cursor), so page 500
costs what page 1 costs: the database walks an index from the cursor instead of skipping rows.
"""

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, ExpressionWrapper, F, Q, QuerySet
from django.utils.safestring import SafeString, mark_safe

from accounts.models import User
from tickets.display import day_and_month, local_time
from tickets.models import OPEN_STATUSES, Status, Ticket
from tickets.search import search_tickets
from tickets.templatetags.ticket_tags import countdown
from tickets.validators import parse_moment
from tickets.web import pk_url

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class SortKey:
    field: str
    descending: bool = False
    nullable: bool = False  # nulls always sort last

    def order_by(self):
        expression = F(self.field)
        if self.descending:
            return expression.desc(nulls_last=True) if self.nullable else expression.desc()
        return expression.asc(nulls_last=True) if self.nullable else expression.asc()


@dataclass(frozen=True)
class SortOrder:
    slug: str
    label: str
    keys: tuple[SortKey, ...]


_ID = SortKey("id")
_DUE = SortKey("next_update_due", nullable=True)
SORTS: dict[str, SortOrder] = {
    sort.slug: sort
    for sort in (
        SortOrder("due", "Next update due", (_DUE, _ID)),
        SortOrder("priority", "Priority", (SortKey("priority"), _DUE, _ID)),
        SortOrder("newest", "Newest first", (SortKey("created_at", True), SortKey("id", True))),
        SortOrder("oldest", "Oldest first", (SortKey("created_at"), _ID)),
        SortOrder(
            "updated", "Recently changed", (SortKey("updated_at", True), SortKey("id", True))
        ),
    )
}


@dataclass(frozen=True)
class SavedView:
    slug: str
    label: str
    empty: str
    restrict: Callable[[QuerySet[Ticket], User, datetime], QuerySet[Ticket]]
    # The queue adds "open tickets only", unless the user filters by status themselves. Not for
    # "Everything", nor for the promise views: their filter keeps to open tickets itself, and the
    # same condition twice would make PostgreSQL count it twice and leave ticket_queue_open_due.
    open_only: bool = True
    default_sort: str = "due"


def _mine(qs, user, now):
    return qs.filter(owner=user)


def _unowned(qs, user, now):
    return qs.filter(Q(status=Status.NEW) | Q(owner__isnull=True))


def _due_soon(qs, user, now):
    return qs.due_within(timedelta(hours=1), now)


def _breached(qs, user, now):
    return qs.update_overdue(now)


def _waiting_on(status: str):
    return lambda qs, user, now: qs.filter(status=status)


def _everything(qs, user, now):
    return qs


SAVED_VIEWS: dict[str, SavedView] = {
    view.slug: view
    for view in (
        SavedView("mine", "Mine", "You own no open tickets.", _mine),
        SavedView("unowned", "New & unowned", "Every ticket has an owner.", _unowned),
        SavedView(
            "due-soon",
            "Due within 1 h",
            "Nothing falls due in the next hour.",
            _due_soon,
            open_only=False,
        ),
        SavedView(
            "breached",
            "Breached",
            "No customer is waiting past a promise.",
            _breached,
            open_only=False,
        ),
        SavedView(
            "waiting-customer",
            "Waiting on customer",
            "No ticket waits on a customer.",
            _waiting_on(Status.WAITING_ON_CUSTOMER),
        ),
        SavedView(
            "waiting-vendor",
            "Waiting on vendor",
            "No ticket waits on a vendor.",
            _waiting_on(Status.WAITING_ON_VENDOR),
        ),
        SavedView("open", "All open", "No open tickets. Enjoy the quiet.", _everything),
        SavedView(
            "all",
            "Everything",
            "No tickets match.",
            _everything,
            open_only=False,
            default_sort="newest",
        ),
    )
}
DEFAULT_VIEW = "mine"


# What a queue row shows, and the sort keys its cursor needs: nothing else is read. The long text
# columns (description, the problem statement, the denormalised search text of the whole
# timeline) stay in the database; only whether the problem statement awaits confirmation is.
ROW_FIELDS = (
    "id",
    "subject",
    "status",
    "impact",
    "urgency",
    "priority",
    "next_update_due",
    "created_at",
    "updated_at",
    "organization__name",
    "owner__name",
    "owner__email",
    "requester__name",
    "requester__email",
)


def view_queryset(
    view: SavedView, user: User, *, now: datetime, status_filtered: bool
) -> QuerySet[Ticket]:
    queryset = (
        Ticket.objects.select_related("organization", "owner", "requester")
        .only(*ROW_FIELDS)
        .annotate(
            awaits_confirmation=ExpressionWrapper(
                Q(understanding_confirmed_at__isnull=True) & ~Q(problem_statement=""),
                output_field=BooleanField(),
            )
        )
    )
    if view.open_only and not status_filtered:
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    return view.restrict(queryset, user, now)


# ---- cursors -------------------------------------------------------------------------------


def _encode_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _decode_value(key: SortKey, value: Any) -> Any:
    if value is None:
        if not key.nullable:
            raise ValueError("null cursor value")
        return None
    if key.field.endswith(("_at", "_due")):
        try:
            return parse_moment(value, key.field)
        except ValidationError:
            raise ValueError("bad cursor moment") from None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("bad cursor number")
    return value


def encode_cursor(sort: SortOrder, ticket: Ticket) -> str:
    values = [_encode_value(getattr(ticket, key.field)) for key in sort.keys]
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(sort: SortOrder, cursor: str) -> list[Any] | None:
    """The sort-key values in `cursor`, or None when it is garbage (the first page is shown)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(sort.keys):
            return None
        return [_decode_value(key, value) for key, value in zip(sort.keys, values, strict=True)]
    except (ValueError, TypeError):
        return None


def _after(keys: tuple[SortKey, ...], values: list[Any]) -> Q:
    """Rows strictly after `values` in the order of `keys` (nulls last), as a lexicographic OR,
    with the leading key's bound repeated as a plain conjunct so the database can start an index
    range scan at the cursor instead of filtering from the top."""
    after = Q(pk__in=[])
    equal_so_far = Q()
    for key, value in zip(keys, values, strict=True):
        if value is None:
            beyond = Q(pk__in=[])  # nothing sorts after null (nulls last)
            same = Q(**{f"{key.field}__isnull": True})
        else:
            beyond = Q(**{f"{key.field}__{'lt' if key.descending else 'gt'}": value})
            if key.nullable:
                beyond |= Q(**{f"{key.field}__isnull": True})
            same = Q(**{key.field: value})
        after |= equal_so_far & beyond
        equal_so_far &= same
    lead, lead_value = keys[0], values[0]
    if lead_value is None:
        return after & Q(**{f"{lead.field}__isnull": True})
    if not lead.nullable:
        return after & Q(**{f"{lead.field}__{'lte' if lead.descending else 'gte'}": lead_value})
    return after


@dataclass
class Page:
    tickets: list[Ticket]
    next_cursor: str | None
    is_first: bool


# How many rows of the page's order a search looks at first (see _search_rows).
SEARCH_WINDOW = 1000
# Sort keys a full-text index also holds (btree_gin): next_update_due in the open tickets'
# ticket_search_open_due, created_at in every ticket's ticket_fulltext ("Everything", newest or
# oldest first, where a queue search looks unless narrowed). A search ordered by one of these
# can be bounded inside that index.
SEARCH_BOUNDED_FIELDS = frozenset({"next_update_due", "created_at"})


def _search_rows(
    queryset: QuerySet[Ticket], sort: SortOrder, text: str, limit: int
) -> list[Ticket]:
    """The first `limit` tickets of `queryset` (in `sort` order) that match `text`, without
    reading every match: a common word matches thousands of open tickets, and fetching all of
    them to sort and show 25 was most of a search's time at a million tickets
    (docs/queue-indexes.md).

    1. The window: the leading sort key of the first SEARCH_WINDOW rows in the page's order,
       read from the sort's keyset index (the walk an unfiltered page makes, only longer).
    2. The matches whose leading key is at most the window's last value, in order. The
       full-text index of open tickets also holds `next_update_due`, so PostgreSQL finds the
       rows that match the words *and* fall due by then inside the index and reads only those.
       Those rows cover the window and are a prefix of the order, so if they hold `limit`
       matches these are exactly the first `limit` of the whole view.
    3. Otherwise (a rare word, matches only further down, a view shorter than the window, or
       a sort the index cannot bound) the whole view is searched: few rows match then, so
       reading them all is cheap.
    """
    order = [key.order_by() for key in sort.keys]
    matches = search_tickets(queryset, text, include_internal=True)
    lead = sort.keys[0]
    if lead.field in SEARCH_BOUNDED_FIELDS:
        window = list(queryset.order_by(*order).values_list(lead.field, flat=True)[:SEARCH_WINDOW])
        # A shorter window is the whole view: few rows, so searching it all is cheap already.
        if len(window) == SEARCH_WINDOW and window[-1] is not None:
            # Only the far end: a GIN range condition reads every index entry in its range, so
            # "after the window's first value" would read nearly the whole index; rows before
            # a cursor are already filtered out by the queryset.
            lookup = "gte" if lead.descending else "lte"
            bounded = matches.filter(**{f"{lead.field}__{lookup}": window[-1]})
            rows = list(bounded.order_by(*order)[:limit])
            if len(rows) == limit:
                return rows
    return list(matches.order_by(*order)[:limit])


def paginate(
    queryset: QuerySet[Ticket],
    sort: SortOrder,
    cursor: str = "",
    size: int = PAGE_SIZE,
    *,
    search: str = "",
) -> Page:
    """One page of `queryset` in `sort` order after `cursor`, narrowed to the tickets matching
    `search` (staff search, internal notes included): one query (two or three when searching,
    see _search_rows), no COUNT."""
    size = max(1, min(size, MAX_PAGE_SIZE))
    values = decode_cursor(sort, cursor) if cursor else None
    if values is not None:
        queryset = queryset.filter(_after(sort.keys, values))
    search = " ".join(search.split())
    if search:
        rows = _search_rows(queryset, sort, search, size + 1)
    else:
        rows = list(queryset.order_by(*(key.order_by() for key in sort.keys))[: size + 1])
    has_next = len(rows) > size
    rows = rows[:size]
    return Page(
        tickets=rows,
        next_cursor=encode_cursor(sort, rows[-1]) if has_next else None,
        is_first=values is None,
    )


# ---- rows ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    """One queue line, worked out in Python once so the template only prints it."""

    # Numbers as text: the template would localise each int (number_format) on every row.
    pk: str
    url: str
    reference: str
    subject: str
    priority: str
    impact: str
    urgency: str
    awaits_confirmation: bool
    customer: str
    requester: str
    owner: str
    status: str
    status_label: str
    due_iso: str
    due_title: str
    countdown: str
    late: bool

    def html(self) -> SafeString:
        """The row's <tr>, as the queue template drew it field by field (every value escaped as
        autoescape would): about 20 lookups a row was a third of the page's template time."""
        e = escape
        url, pk, late = e(self.url), e(self.pk), self.late
        unconfirmed = (
            '<span class="flag" title="The customer has not confirmed our understanding yet">'
            "unconfirmed</span>"
            if self.awaits_confirmation
            else ""
        )
        requester = f'<br><span class="muted">{e(self.requester)}</span>' if self.requester else ""
        if self.due_iso:
            due_iso, title = e(self.due_iso), e(self.due_title)
            due = (
                f'<time class="countdown{" late" if late else ""}" datetime="{due_iso}" '
                f'data-due="{due_iso}" title="{title}" aria-hidden="true">{e(self.countdown)}'
                f'</time><span class="visually-hidden">{"late, was due" if late else "due"} '
                f"{title}</span>"
            )
        else:
            due = '<span class="countdown none">nothing owed</span>'
        return mark_safe(
            f'      <tr data-href="{url}"{' class="row-late"' if late else ""}>\n'
            f'        <td class="select"><input type="checkbox" name="tickets" value="{pk}" '
            f'id="select-{pk}" aria-label="Select {e(self.reference)}"></td>\n'
            f'        <td><span class="prio p{e(self.priority)}" title="Impact {e(self.impact)} '
            f'\N{MULTIPLICATION SIGN} urgency {e(self.urgency)}">P{e(self.priority)}</span></td>\n'
            f'        <td class="subject"><a href="{url}"><span class="ref">{e(self.reference)}'
            f"</span> {e(self.subject)}</a>\n          {unconfirmed}</td>\n"
            f"        <td>{e(self.customer)}{requester}</td>\n"
            f"        <td>{e(self.owner) or '—'}</td>\n"
            f'        <td><span class="status s-{e(self.status)}">{e(self.status_label)}</span></td>\n'
            f"        <td>{due}</td>\n"
            f"      </tr>\n"
        )


def due_title(due: datetime) -> str:
    """ "Tue 1 Dec, 14:30 GMT" in the agent's time zone: the ticket_tags countdown's title
    (`date_format(..., "D j M, H:i T")`), built without Django's date formatting, which costs
    five times as much, 25 times per page."""
    local = local_time(due)
    return f"{day_and_month(local)}, {local:%H:%M %Z}"


def queue_rows(tickets: list[Ticket], now: datetime) -> list[QueueRow]:
    """The page's rows: one URL reversal for the page and no per-row template filters."""
    ticket_url = pk_url("ticket")
    status_labels = dict(Status.choices)
    rows = []
    for ticket in tickets:
        due = ticket.next_update_due
        owner, requester = ticket.owner, ticket.requester
        rows.append(
            QueueRow(
                pk=str(ticket.pk),
                url=ticket_url(ticket.pk),
                reference=ticket.reference,
                subject=ticket.subject,
                priority=str(ticket.priority),
                impact=str(ticket.impact),
                urgency=str(ticket.urgency),
                awaits_confirmation=bool(getattr(ticket, "awaits_confirmation", False)),
                customer=ticket.organization.name,
                requester=User.display_name_for(requester.name, requester.email)
                if requester
                else "",
                owner=User.display_name_for(owner.name, owner.email) if owner else "",
                status=ticket.status,
                status_label=status_labels.get(ticket.status, ticket.status),
                due_iso=due.isoformat() if due else "",
                due_title=due_title(due) if due else "",
                countdown=countdown(due, now),
                late=ticket.update_overdue_at(now),
            )
        )
    return rows
