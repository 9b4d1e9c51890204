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
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import User
from tickets.models import OPEN_STATUSES, Status, Ticket

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
    # Open tickets only, unless the user filters by status themselves.
    open_only: bool = True
    default_sort: str = "due"


def _mine(qs, user, now):
    return qs.filter(owner=user)


def _unowned(qs, user, now):
    return qs.filter(Q(status=Status.NEW) | Q(owner__isnull=True))


def _due_soon(qs, user, now):
    return qs.filter(next_update_due__gte=now, next_update_due__lt=now + timedelta(hours=1))


def _breached(qs, user, now):
    return qs.filter(next_update_due__lt=now)


def _waiting_on(status: str):
    return lambda qs, user, now: qs.filter(status=status)


def _everything(qs, user, now):
    return qs


SAVED_VIEWS: dict[str, SavedView] = {
    view.slug: view
    for view in (
        SavedView("mine", "Mine", "You own no open tickets.", _mine),
        SavedView("unowned", "New & unowned", "Every ticket has an owner.", _unowned),
        SavedView("due-soon", "Due within 1 h", "Nothing falls due in the next hour.", _due_soon),
        SavedView("breached", "Breached", "No customer is waiting past a promise.", _breached),
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


def view_queryset(
    view: SavedView, user: User, *, now: datetime, status_filtered: bool
) -> QuerySet[Ticket]:
    queryset = Ticket.objects.select_related("organization", "owner", "requester")
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
        moment = parse_datetime(value) if isinstance(value, str) else None
        if moment is None or timezone.is_naive(moment):
            raise ValueError("bad cursor moment")
        return moment
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


def paginate(
    queryset: QuerySet[Ticket], sort: SortOrder, cursor: str = "", size: int = PAGE_SIZE
) -> Page:
    """One page of `queryset` in `sort` order after `cursor`: one query, no COUNT."""
    size = max(1, min(size, MAX_PAGE_SIZE))
    values = decode_cursor(sort, cursor) if cursor else None
    if values is not None:
        queryset = queryset.filter(_after(sort.keys, values))
    rows = list(queryset.order_by(*(key.order_by() for key in sort.keys))[: size + 1])
    has_next = len(rows) > size
    rows = rows[:size]
    return Page(
        tickets=rows,
        next_cursor=encode_cursor(sort, rows[-1]) if has_next else None,
        is_first=values is None,
    )
