"""Each queue sort order is served by its keyset index (tickets migration 0006): the page is an
index range scan from the cursor with no sort step, so page 500 costs what page 1 costs.

The planner prefers a sequential scan on a test-sized table, so these switch that (and explicit
sorts) off and check that the index exists and matches the ORDER BY exactly. The figures on a
400,000-ticket table are in docs/queue-indexes.md.
"""

import pytest
from django.db import connection
from django.utils import timezone

from tests.tickets.helpers import owned_ticket
from tickets.queue import (
    PAGE_SIZE,
    SAVED_VIEWS,
    SORTS,
    _after,
    decode_cursor,
    encode_cursor,
    view_queryset,
)

pytestmark = pytest.mark.django_db

# (saved view, sort) -> the index that must serve it
EXPECTED = [
    ("open", "due", "ticket_queue_open_due"),
    ("breached", "due", "ticket_queue_open_due"),
    ("mine", "due", "ticket_queue_open_owner_due"),
    ("open", "priority", "ticket_queue_priority"),
    ("all", "priority", "ticket_queue_priority"),
    ("all", "newest", "ticket_queue_created"),
    ("all", "oldest", "ticket_queue_created"),
    ("all", "updated", "ticket_queue_updated"),
    ("waiting-vendor", "due", "ticket_queue_open_status_due"),
]


def _plan(queryset) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        return queryset.explain()


@pytest.mark.parametrize(("view_slug", "sort_slug", "index"), EXPECTED)
def test_each_queue_sort_walks_its_index_without_sorting(agent, view_slug, sort_slug, index):
    ticket = owned_ticket(agent)
    view, sort = SAVED_VIEWS[view_slug], SORTS[sort_slug]
    queryset = view_queryset(view, agent, now=timezone.now(), status_filtered=False)
    order = [key.order_by() for key in sort.keys]
    cursor_values = decode_cursor(sort, encode_cursor(sort, ticket))
    first_page = queryset.order_by(*order)[: PAGE_SIZE + 1]
    later_page = queryset.filter(_after(sort.keys, cursor_values)).order_by(*order)[: PAGE_SIZE + 1]
    for page_query in (first_page, later_page):
        plan = _plan(page_query)
        assert index in plan, plan
        assert "Sort" not in plan.replace("Sort Key", ""), plan
