"""Full-text search over tickets: reference, subject, description, problem statement and timeline.

1. A reference ("SD-1042", "1042") matches that ticket directly through the primary key.
2. On PostgreSQL, words are matched with `websearch_to_tsquery` against one `to_tsvector`
   expression over the ticket's text columns. A GIN index on exactly that expression
   (`ticket_fulltext`, made by migration tickets/0001_squashed_0010 on PostgreSQL only) keeps this
   fast at a million tickets; the expression is built by `staff_search_vector()` both for the index and for
   the query, so the planner always recognises it.
3. The timeline lives in the updates app, which tickets must not import. Instead of a join, updates
   keeps two denormalised columns on Ticket (`public_search_text`, `internal_search_text`) that it
   appends every timeline body to (updates.search). Staff search both; a customer-facing search
   passes `include_internal=False` and never matches internal notes.
4. On SQLite (the embedded first run) there is no full-text engine: every word must appear
   somewhere (case-insensitive `icontains`), which is slow on big tables but correct.
"""

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet

from tickets.models import Ticket

SEARCH_CONFIG = "english"
STAFF_FIELDS = (
    "subject",
    "description",
    "problem_statement",
    "public_search_text",
    "internal_search_text",
)
CUSTOMER_FIELDS = ("subject", "description", "problem_statement", "public_search_text")
FULLTEXT_INDEX_NAME = "ticket_fulltext"
# Each of the denormalised columns keeps at most this many characters (the most recent), well
# under PostgreSQL's 1 MB tsvector limit.
SEARCH_TEXT_MAX_LENGTH = 200_000


def staff_search_vector() -> SearchVector:
    """The indexed expression; change it only together with a migration rebuilding the index."""
    return SearchVector(*STAFF_FIELDS, config=SEARCH_CONFIG)


def _customer_search_vector() -> SearchVector:
    return SearchVector(*CUSTOMER_FIELDS, config=SEARCH_CONFIG)


def uses_fulltext() -> bool:
    return connection.vendor == "postgresql"


def search_tickets(
    queryset: QuerySet[Ticket], text: str, *, include_internal: bool = True
) -> QuerySet[Ticket]:
    """Tickets of `queryset` matching `text` (see the module docstring); blank text filters nothing."""
    text = " ".join(text.split())
    if not text:
        return queryset
    by_reference = Q()
    number = Ticket.number_from_reference(text)
    if number is not None:
        by_reference = Q(pk=number)
    fields = STAFF_FIELDS if include_internal else CUSTOMER_FIELDS
    if uses_fulltext():
        vector = staff_search_vector() if include_internal else _customer_search_vector()
        query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
        return queryset.alias(_search=vector).filter(Q(_search=query) | by_reference)
    words = Q()
    for word in text.split():
        any_field = Q()
        for field in fields:
            any_field |= Q(**{f"{field}__icontains": word})
        words &= any_field
    return queryset.filter(words | by_reference)
