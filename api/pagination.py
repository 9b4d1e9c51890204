"""Pagination: ``{"count", "next", "previous", "results"}`` everywhere.

Most lists (organisations, users, notifications, losses, vendors, ...) are short and use
PageNumberPagination (``?page=`` and ``?page_size=``, max 100).

The ticket list must stay fast at a million tickets, so it uses TicketPagination:

1. **Keyset (cursor) pages.** ``next`` and ``previous`` links carry ``?cursor=``, the sort key of
   the last (or first) row shown, and the next page starts strictly after it through the sort's
   index, so page 40,000 costs what page 1 costs. Every sort ends with ``id``, so rows with the
   same sort value are never skipped or repeated (tickets.queue's keyset rules, reused).
2. **Page numbers still work** for shallow pages (``?page=3``), up to MAX_PAGE_OFFSET rows deep;
   beyond that the answer is a 400 asking to follow the ``next`` links. OFFSET makes the database
   walk and throw away every skipped row, which is exactly what must not happen at depth.
3. **A capped count.** ``count`` is exact up to COUNT_CAP matching tickets; beyond that it is
   COUNT_CAP and the ``X-Count-Exact: false`` header says so (the body keeps the contract's four
   keys). An exact COUNT(*) of a million rows is a full index
   scan on every page view, for a number nobody reads past "more than ten thousand".
4. One query for the count and one for the page, whatever the page size or depth.
"""

import base64
import json
from collections import OrderedDict
from typing import Any

from django.db.models import F, Q, QuerySet
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from tickets import queue
from tickets.queue import SortKey, SortOrder
from tickets.queue import _after as rows_after  # the staff queue's keyset rule, shared

COUNT_CAP = 10_000
MAX_PAGE_OFFSET = 10_000
NULLABLE_SORT_FIELDS = frozenset({"next_update_due"})
COUNT_EXACT_HEADER = "X-Count-Exact"


MAX_PAGE_SIZE = 100


def page_size_from(request: Request, default: int) -> int:
    """``?page_size=``: absent is the default; anything but a whole number from 1 to
    MAX_PAGE_SIZE is a 400, as the schema says (page_parameters), never silently replaced."""
    raw = request.query_params.get("page_size")
    if raw is None:
        return default
    return _whole_number(raw, "page_size", maximum=MAX_PAGE_SIZE)


def _whole_number(raw: str, name: str, *, maximum: int | None = None) -> int:
    try:
        number = int(raw)
    except ValueError:
        number = 0
    if number < 1 or (maximum is not None and number > maximum):
        upper = f" to {maximum}" if maximum is not None else " or more"
        raise ValidationError({name: [f"Give a whole number from 1{upper}."]})
    return number


def page_parameters(*, default_size: int, page_description: str) -> list[dict[str, Any]]:
    """The ``page`` and ``page_size`` query parameters with the bounds the views enforce."""
    return [
        {
            "name": "page",
            "required": False,
            "in": "query",
            "description": page_description,
            "schema": {"type": "integer", "minimum": 1},
        },
        {
            "name": "page_size",
            "required": False,
            "in": "query",
            "description": f"Results per page (default {default_size}, max {MAX_PAGE_SIZE}).",
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
        },
    ]


class PageNumberPagination(pagination.PageNumberPagination):
    """``{"count", "next", "previous", "results"}`` with ``?page=`` and ``?page_size=`` (max 100).
    A page number or size that is not a whole number in range is a 400; a page past the end, 404."""

    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    last_page_strings = ()

    def get_page_size(self, request: Request) -> int:
        return page_size_from(request, self.page_size)

    def get_page_number(self, request: Request, paginator) -> int:
        raw = request.query_params.get(self.page_query_param)
        return 1 if raw is None else _whole_number(raw, self.page_query_param)

    def get_schema_operation_parameters(self, view) -> list[dict[str, Any]]:
        return page_parameters(default_size=self.page_size, page_description="Page number.")


def sort_order_of(queryset: QuerySet) -> SortOrder:
    """The queryset's ORDER BY as keyset sort keys, with ``id`` as the final tie-breaker."""
    terms = [str(term) for term in queryset.query.order_by] or ["-created_at", "-id"]
    keys: list[SortKey] = []
    for term in terms:
        field = term.lstrip("-")
        field = "id" if field == "pk" else field
        if any(key.field == field for key in keys):
            continue
        keys.append(SortKey(field, term.startswith("-"), field in NULLABLE_SORT_FIELDS))
    if not any(key.field == "id" for key in keys):
        keys.append(SortKey("id", keys[0].descending))
    return SortOrder("api", "API order", tuple(keys))


def _before(keys: tuple[SortKey, ...], values: list[Any]) -> Q:
    """Rows strictly before `values` in the order of `keys` (nulls last): the previous page."""
    before = Q(pk__in=[])
    equal_so_far = Q()
    for key, value in zip(keys, values, strict=True):
        if value is None:
            earlier = Q(**{f"{key.field}__isnull": False})  # every value sorts before null
            same = Q(**{f"{key.field}__isnull": True})
        else:
            earlier = Q(**{f"{key.field}__{'gt' if key.descending else 'lt'}": value})
            same = Q(**{key.field: value})
        before |= equal_so_far & earlier
        equal_so_far &= same
    return before


def _reversed(keys: tuple[SortKey, ...]) -> list:
    order = []
    for key in keys:
        if key.descending:
            order.append(F(key.field).asc(nulls_first=True) if key.nullable else F(key.field).asc())
        else:
            order.append(
                F(key.field).desc(nulls_first=True) if key.nullable else F(key.field).desc()
            )
    return order


class TicketPagination(pagination.BasePagination):
    page_size = 25
    max_page_size = MAX_PAGE_SIZE
    cursor_query_param = "cursor"
    page_query_param = "page"
    page_size_query_param = "page_size"

    def get_page_size(self, request: Request) -> int:
        return page_size_from(request, self.page_size)

    def _count(self, queryset: QuerySet) -> int:
        return queryset.order_by()[: COUNT_CAP + 1].count()

    def paginate_queryset(self, queryset: QuerySet, request: Request, view=None) -> list:
        self.request = request
        self.size = self.get_page_size(request)
        self.sort = sort_order_of(queryset)
        ordered = queryset.order_by(*(key.order_by() for key in self.sort.keys))
        self.total = self._count(queryset)
        cursor = request.query_params.get(self.cursor_query_param)
        page = request.query_params.get(self.page_query_param)
        if cursor:
            return self._cursor_page(ordered, cursor)
        if page is not None:
            return self._numbered_page(ordered, page)
        return self._first_page(ordered)

    # -- keyset ----------------------------------------------------------------------------------

    def _encode(self, direction: str, row) -> str:
        inner = queue.encode_cursor(self.sort, row)
        raw = json.dumps([direction, inner], separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def _decode(self, cursor: str) -> tuple[str, list[Any]]:
        invalid = ValidationError(
            {"cursor": ["Invalid cursor: follow the next and previous links as given."]}
        )
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            direction, inner = json.loads(raw)
        except (ValueError, TypeError):
            raise invalid from None
        if direction not in ("n", "p") or not isinstance(inner, str):
            raise invalid
        values = queue.decode_cursor(self.sort, inner)
        if values is None:
            raise invalid
        return direction, values

    def _first_page(self, ordered: QuerySet) -> list:
        rows = list(ordered[: self.size + 1])
        self.has_next, self.has_previous = len(rows) > self.size, False
        self.rows = rows[: self.size]
        self.mode = "cursor"
        return self.rows

    def _cursor_page(self, ordered: QuerySet, cursor: str) -> list:
        direction, values = self._decode(cursor)
        self.mode = "cursor"
        if direction == "n":
            rows = list(ordered.filter(rows_after(self.sort.keys, values))[: self.size + 1])
            self.has_next, self.has_previous = len(rows) > self.size, True
            self.rows = rows[: self.size]
        else:
            backwards = ordered.filter(_before(self.sort.keys, values)).order_by(
                *_reversed(self.sort.keys)
            )
            rows = list(backwards[: self.size + 1])
            self.has_previous, self.has_next = len(rows) > self.size, True
            self.rows = list(reversed(rows[: self.size]))
        return self.rows

    # -- page numbers (shallow) ------------------------------------------------------------------

    def _numbered_page(self, ordered: QuerySet, raw: str) -> list:
        number = _whole_number(raw, self.page_query_param)
        offset = (number - 1) * self.size
        if offset >= MAX_PAGE_OFFSET:
            raise ValidationError(
                {
                    "page": [
                        f"Page numbers reach {MAX_PAGE_OFFSET:,} tickets deep; follow the next "
                        "links (cursor) to go further."
                    ]
                }
            )
        rows = list(ordered[offset : offset + self.size + 1])
        if not rows and number > 1:
            raise NotFound("Invalid page.")
        self.mode, self.number = "page", number
        self.has_next, self.has_previous = len(rows) > self.size, number > 1
        self.rows = rows[: self.size]
        return self.rows

    # -- links -----------------------------------------------------------------------------------

    def _link(self, direction: str) -> str | None:
        url = self.request.build_absolute_uri()
        if self.mode == "page":
            number = self.number + (1 if direction == "n" else -1)
            if number == 1:
                return remove_query_param(url, self.page_query_param)
            return replace_query_param(url, self.page_query_param, number)
        url = remove_query_param(url, self.page_query_param)
        row = self.rows[-1] if direction == "n" else self.rows[0]
        return replace_query_param(url, self.cursor_query_param, self._encode(direction, row))

    def get_paginated_response(self, data: list) -> Response:
        return Response(
            OrderedDict(
                [
                    ("count", min(self.total, COUNT_CAP)),
                    ("next", self._link("n") if self.has_next and self.rows else None),
                    ("previous", self._link("p") if self.has_previous and self.rows else None),
                    ("results", data),
                ]
            ),
            headers={COUNT_EXACT_HEADER: "true" if self.total <= COUNT_CAP else "false"},
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["count", "next", "previous", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "description": f"Matching tickets, exact up to {COUNT_CAP:,}; beyond that "
                    f"{COUNT_CAP:,}, and the {COUNT_EXACT_HEADER} header says false.",
                    "example": 123,
                },
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view) -> list[dict[str, Any]]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque position from a next or previous link (fast at any depth).",
                "schema": {"type": "string"},
            },
            *page_parameters(
                default_size=self.page_size,
                page_description=f"Page number, for the first {MAX_PAGE_OFFSET:,} tickets.",
            ),
        ]
