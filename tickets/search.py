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
5. People search by who: the whole text as a substring of a customer (organisation) name, or
   of a requester's name or email. Those live in the small accounts tables (thousands of rows,
   not a million), so they are looked up first, each in one short query capped at
   PEOPLE_MATCH_LIMIT ids, and the ticket query gets plain `organization_id IN (...)` and
   `requester_id IN (...)` lists, which PostgreSQL ORs with the full-text index through the
   indexes that lead with those columns (a bitmap OR), instead of a subquery it could only
   run against every ticket (docs/indexes.md, "Search by customer and requester").
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet

from accounts.models import Organization, Role, User
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
# Words made of letters and digits only: safe to write into a raw tsquery as prefixes.
PLAIN_WORD = re.compile(r"[^\W_]+")
# Shorter text matches too many names as a substring to mean a customer or a person.
PEOPLE_MIN_LENGTH = 3
# A text matching more customers or requesters than this names none of them in particular.
PEOPLE_MATCH_LIMIT = 200


def staff_search_vector() -> SearchVector:
    """The indexed expression; change it only together with a migration rebuilding the index."""
    return SearchVector(*STAFF_FIELDS, config=SEARCH_CONFIG)


def _customer_search_vector() -> SearchVector:
    return SearchVector(*CUSTOMER_FIELDS, config=SEARCH_CONFIG)


def uses_fulltext() -> bool:
    return connection.vendor == "postgresql"


def _query(text: str) -> SearchQuery:
    """The words as websearch syntax ("a phrase", -word, or), and for plain words also each as
    a prefix ("print" finds "printer", as people type), OR'd into one tsquery that the GIN
    index answers either way."""
    query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
    words = PLAIN_WORD.findall(text)
    if words and " ".join(words) == text:
        prefixes = " & ".join(f"{word}:*" for word in words)
        query |= SearchQuery(prefixes, config=SEARCH_CONFIG, search_type="raw")
    return query


def _by_people(text: str) -> Q:
    """Tickets of the customers, or requested by the contacts, whose name (or email) holds
    `text`; nothing for text too short to name anyone."""
    if len(text) < PEOPLE_MIN_LENGTH:
        return Q()
    organizations = list(
        Organization.objects.filter(name__icontains=text)
        .order_by("pk")
        .values_list("pk", flat=True)[:PEOPLE_MATCH_LIMIT]
    )
    requesters = list(
        User.objects.filter(role=Role.CONTACT)
        .filter(Q(name__icontains=text) | Q(email__icontains=text))
        .order_by("pk")
        .values_list("pk", flat=True)[:PEOPLE_MATCH_LIMIT]
    )
    matches = Q()
    if organizations:
        matches |= Q(organization_id__in=organizations)
    if requesters:
        matches |= Q(requester_id__in=requesters)
    return matches


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
    by_reference |= _by_people(text)
    fields = STAFF_FIELDS if include_internal else CUSTOMER_FIELDS
    if uses_fulltext():
        vector = staff_search_vector() if include_internal else _customer_search_vector()
        query = _query(text)
        return queryset.alias(_search=vector).filter(Q(_search=query) | by_reference)
    words = Q()
    for word in text.split():
        any_field = Q()
        for field in fields:
            any_field |= Q(**{f"{field}__icontains": word})
        words &= any_field
    return queryset.filter(words | by_reference)
