"""What a customer contact may see. Every portal read goes through this module, nowhere else.

The rules (DESIGN "Quality bars", rules 7 and 9):

1. Tickets: a contact sees the tickets they requested; an organisation admin contact
   (`User.sees_organization_tickets`) sees every ticket of their own organisation. Nothing else
   exists for them: a ticket outside that set answers 404, never 403, so ids and references
   cannot be probed.
2. Fields: templates never receive a Ticket or TimelineEntry. They get a `CustomerTicket` /
   `CustomerEntry` projection holding only customer-safe values, so a staff-only field
   (priority override reason, handover notes, event data, internal notes, vendor anything) cannot
   reach a page even by a template typo.
3. Status: vendor waits read "in progress" (tickets.models.customer_status).
4. Timeline: public entries only (`TimelineEntry.is_public`); events are worded for the customer
   by updates.events.describe(for_customer=True) in the contact's time zone.
5. Names (the documented policy): staff appear by their display name (the customer should know
   who owns their problem); the viewer is "You"; another contact of the same organisation is
   named only to an organisation admin (who sees everyone's tickets anyway) and is "A colleague"
   to anyone else; nobody outside the viewer's organisation is ever named.

The portal never imports the vendors app (DESIGN: the customer side cannot reach vendor data
even by mistake).
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Left
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from attachments.selectors import FileLink, files_by_entry
from billing import selectors as billing_selectors
from billing.models import month_of
from incidents import selectors as incident_selectors
from tickets.models import (
    DONE_STATUSES,
    ContactMethod,
    Status,
    Ticket,
    customer_status,
    customer_status_label,
)
from tickets.selectors import customer_visible_tickets
from updates.events import describe
from updates.models import EntryKind, TimelineEntry
from updates.rendering import markdown_as_text

SCOPE_MINE = "mine"
SCOPE_ORGANIZATION = "organization"
STATE_OPEN = "open"
STATE_CLOSED = "closed"
STATE_ALL = "all"
SEARCH_MAX_LENGTH = 100
# Characters of the latest update a list card shows (truncatechars:180 in ticket_list.html).
LAST_UPDATE_SHOWN = 180


def is_portal_user(viewer: User) -> bool:
    return bool(
        viewer.is_authenticated
        and viewer.is_active
        and viewer.is_contact
        and viewer.organization_id is not None
    )


def visible_tickets(viewer: User) -> QuerySet[Ticket]:
    """Every ticket this viewer may see (rule 1); none for anyone who is not a customer contact."""
    if not is_portal_user(viewer):
        return Ticket.objects.none()
    return customer_visible_tickets(viewer)


def get_ticket(viewer: User, pk: int) -> Ticket:
    """The ticket, for a write the viewer is about to make through a service; 404 if not visible."""
    ticket = (
        visible_tickets(viewer)
        .select_related("organization", "owner", "requester")
        .filter(pk=pk)
        .first()
    )
    if ticket is None:
        raise Http404("No such request.")
    return ticket


def name_for(person: User | None, viewer: User) -> str:
    """How a person is named to this viewer (rule 5)."""
    if person is None:
        return "Service desk"
    if person.pk == viewer.pk:
        return "You"
    if person.is_helpdesk_staff:
        return person.display_name
    if person.organization_id == viewer.organization_id:
        return person.display_name if viewer.sees_organization_tickets else "A colleague"
    return "Someone outside your organisation"


@dataclass(frozen=True)
class CustomerTicket:
    """A ticket as its customer may see it (rule 2)."""

    pk: int
    reference: str
    subject: str
    description: str
    status: str
    status_label: str
    is_open: bool
    is_closed: bool
    is_resolved: bool
    owner_name: str
    requester_name: str
    requested_by_viewer: bool
    next_update_due: datetime | None
    update_overdue: bool
    eta: datetime | None
    needed_by: datetime | None
    created_at: datetime
    resolved_at: datetime | None
    problem_statement: str
    understanding_confirmed_at: datetime | None
    people_affected: int | None
    preferred_contact: str
    contact_details: str
    best_times: str
    # The last public update: on list cards (`project_page`) only; a ticket page has the timeline.
    last_update_text: str
    last_update_at: datetime | None
    feedback_given: bool
    # The request this one was merged into (its requester sees that one too), if it was.
    merged_into_id: int | None = None

    @property
    def awaiting_confirmation(self) -> bool:
        return bool(self.problem_statement) and self.understanding_confirmed_at is None

    @property
    def can_confirm(self) -> bool:
        return self.awaiting_confirmation and not self.is_closed

    @property
    def can_reply(self) -> bool:
        return not self.is_closed

    @property
    def can_give_feedback(self) -> bool:
        return (self.is_resolved or self.is_closed) and not self.feedback_given

    @property
    def waiting_on_customer(self) -> bool:
        return self.status == Status.WAITING_ON_CUSTOMER


def _latest_public_update() -> QuerySet[TimelineEntry]:
    return TimelineEntry.objects.filter(
        ticket=OuterRef("pk"), kind=EntryKind.PUBLIC_UPDATE, is_public=True
    ).order_by("-created_at", "-id")


# The columns `project` reads, and nothing else: a long ticket's search columns alone are tens of
# kilobytes (31 KB on the benchmark's longest portal ticket), and staff-only columns have no
# business being fetched for a customer page. `project` reads only these, so no deferred column
# is ever loaded row by row.
_PERSON_COLUMNS = ("name", "email", "role", "is_superuser", "organization_id")
# The ticket's own columns that a projection copies or reads as they are.
_PROJECTED = (
    "subject",
    "description",
    "status",
    "next_update_due",
    "eta",
    "needed_by",
    "created_at",
    "resolved_at",
    "problem_statement",
    "understanding_confirmed_at",
    "people_affected",
    "preferred_contact",
    "contact_details",
    "best_times",
)
_CUSTOMER_COLUMNS = (
    "organization_id",
    *_PROJECTED,
    "merged_into",
    "owner",
    "requester",
    *(f"owner__{column}" for column in _PERSON_COLUMNS),
    *(f"requester__{column}" for column in _PERSON_COLUMNS),
)


def _with_customer_columns(
    tickets: QuerySet[Ticket], *, latest_update: bool = False
) -> QuerySet[Ticket]:
    """One query: the customer-safe columns, owner and requester joined, and whether feedback
    was given; with `latest_update` (the list's cards), the last public update too."""
    tickets = (
        tickets.select_related("owner", "requester")
        .only(*_CUSTOMER_COLUMNS)
        .annotate(
            # A LEFT JOIN on the one-to-one feedback rather than EXISTS: for EXISTS the planner
            # hashed the whole feedback table (225,000 rows at 1M tickets) for a page of 20
            # (docs/benchmarks.md); the join probes the unique index once per row shown.
            has_feedback=ExpressionWrapper(Q(feedback__isnull=False), output_field=BooleanField()),
        )
    )
    if latest_update:
        tickets = tickets.annotate(
            # A card shows 180 characters of it: one more tells the template to add "…".
            last_update_body=Subquery(
                _latest_public_update().values(start=Left("body", LAST_UPDATE_SHOWN + 1))[:1]
            ),
            last_update_at=Subquery(_latest_public_update().values("created_at")[:1]),
        )
    return tickets


def project(ticket: Ticket, viewer: User) -> CustomerTicket:
    """The customer-safe projection of a ticket loaded through this module."""
    return _projection(
        {column: getattr(ticket, column) for column in _PROJECTED},
        pk=ticket.pk,
        owner_name=ticket.owner.display_name if ticket.owner_id else "",
        requester_name=name_for(ticket.requester, viewer) if ticket.requester_id else "",
        requested_by_viewer=ticket.requester_id == viewer.pk,
        last_update_body=getattr(ticket, "last_update_body", None),
        last_update_at=getattr(ticket, "last_update_at", None),
        has_feedback=getattr(ticket, "has_feedback", False),
        now=timezone.now(),
        merged_into_id=ticket.merged_into_id,
    )


def _projection(
    row: dict,
    *,
    pk: int,
    owner_name: str,
    requester_name: str,
    requested_by_viewer: bool,
    last_update_body: str | None,
    last_update_at: datetime | None,
    has_feedback: bool,
    now: datetime,
    merged_into_id: int | None = None,
) -> CustomerTicket:
    status = row["status"]
    due = row["next_update_due"]
    preferred = row["preferred_contact"]
    return CustomerTicket(
        pk=pk,
        reference=f"SD-{pk}",
        subject=row["subject"],
        description=row["description"],
        status=customer_status(status),
        status_label=customer_status_label(status),
        is_open=status not in DONE_STATUSES,
        is_closed=status == Status.CLOSED,
        is_resolved=status == Status.RESOLVED,
        owner_name=owner_name,
        requester_name=requester_name,
        requested_by_viewer=requested_by_viewer,
        next_update_due=due,
        update_overdue=due is not None and due < now,  # Ticket.update_overdue_at
        eta=row["eta"],
        needed_by=row["needed_by"],
        created_at=row["created_at"],
        resolved_at=row["resolved_at"],
        problem_statement=row["problem_statement"],
        understanding_confirmed_at=row["understanding_confirmed_at"],
        people_affected=row["people_affected"],
        preferred_contact=ContactMethod(preferred).label if preferred else "",
        contact_details=row["contact_details"],
        best_times=row["best_times"],
        last_update_text=markdown_as_text(last_update_body or ""),
        last_update_at=last_update_at,
        feedback_given=bool(has_feedback),
        merged_into_id=merged_into_id,
    )


def _search(tickets: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    text = text.strip()[:SEARCH_MAX_LENGTH]
    if not text:
        return tickets
    matches = Q(subject__icontains=text) | Q(description__icontains=text)
    number = Ticket.number_from_reference(text)
    if number is not None:
        matches |= Q(pk=number)
    return tickets.filter(matches)


def ticket_list(
    viewer: User, *, scope: str = SCOPE_MINE, state: str = STATE_OPEN, search: str = ""
) -> QuerySet[Ticket]:
    """The portal's list: the viewer's visible tickets, optionally only their own requests, open
    or closed, matching a search; newest first. A plain query, cheap to count and to slice: hand
    a page of it to `project_page` for what the cards show."""
    tickets = visible_tickets(viewer)
    if scope != SCOPE_ORGANIZATION or not viewer.sees_organization_tickets:
        tickets = tickets.filter(requester_id=viewer.pk)
    if state == STATE_OPEN:
        tickets = tickets.exclude(status__in=DONE_STATUSES)
    elif state == STATE_CLOSED:
        tickets = tickets.filter(status__in=DONE_STATUSES)
    tickets = _search(tickets, search)
    return tickets.order_by("-created_at", "-pk")


def project_page(page: QuerySet[Ticket], viewer: User) -> list[CustomerTicket]:
    """The cards of one page of `ticket_list` (a sliced query), in its order, in one query.

    The page's ids are picked by the plain query (LIMIT/OFFSET on the index) and only those rows
    get the last-update subqueries: with the subqueries in the paged query itself, PostgreSQL
    ran them for every row skipped by the OFFSET too (page 150 of a large customer's open
    tickets took 550 ms). The outer query applies the visibility rule again, so the page's ids
    can only ever name the viewer's own tickets.
    """
    shown = _with_customer_columns(
        visible_tickets(viewer).filter(pk__in=page.values("pk")), latest_update=True
    ).order_by("-created_at", "-pk")
    # Plain rows, not models: twenty tickets with their owners and requesters built as model
    # instances cost more than the query. The people columns come with the row, as in `project`.
    people = [f"{role}__{column}" for role in ("owner", "requester") for column in _PERSON_COLUMNS]
    rows = shown.values(
        "pk",
        *_PROJECTED,
        "owner_id",
        "requester_id",
        *people,
        "last_update_body",
        "last_update_at",
        "has_feedback",
    )
    now = timezone.now()
    names: dict[int, str] = {}  # a page names a handful of requesters
    cards = []
    for row in rows:
        requester_id = row["requester_id"]
        if requester_id is not None and requester_id not in names:
            person = User(pk=requester_id, **{c: row[f"requester__{c}"] for c in _PERSON_COLUMNS})
            names[requester_id] = name_for(person, viewer)
        owner_name = ""
        if row["owner_id"] is not None:
            owner_name = User.display_name_for(row["owner__name"], row["owner__email"])
        cards.append(
            _projection(
                row,
                pk=row["pk"],
                owner_name=owner_name,
                requester_name=names.get(requester_id, ""),
                requested_by_viewer=requester_id == viewer.pk,
                last_update_body=row["last_update_body"],
                last_update_at=row["last_update_at"],
                has_feedback=row["has_feedback"],
                now=now,
            )
        )
    return cards


def customer_ticket(viewer: User, pk: int) -> CustomerTicket:
    """One ticket for its page; 404 when the viewer may not see it."""
    ticket = _with_customer_columns(visible_tickets(viewer)).filter(pk=pk).first()
    if ticket is None:
        raise Http404("No such request.")
    return project(ticket, viewer)


@dataclass(frozen=True)
class CustomerEntry:
    """One public timeline entry as the customer sees it (rule 4)."""

    pk: int
    kind: str
    at: datetime
    author_name: str
    by_viewer: bool
    text: str
    next_update_due: datetime | None
    files: tuple[FileLink, ...] = ()

    @property
    def is_update(self) -> bool:
        return self.kind == EntryKind.PUBLIC_UPDATE

    @property
    def is_reply(self) -> bool:
        return self.kind == EntryKind.CUSTOMER_REPLY

    @property
    def is_event(self) -> bool:
        return self.kind == EntryKind.EVENT

    @property
    def style(self) -> str:
        """The entry's look on the page: an event, the viewer's own words, a reply, an update."""
        if self.kind == EntryKind.EVENT:
            return "event"
        if self.by_viewer:
            return "mine"
        return "reply" if self.kind == EntryKind.CUSTOMER_REPLY else "update"


def public_timeline(viewer: User, pk: int, *, newest: int | None = None) -> list[CustomerEntry]:
    """The public timeline of a visible ticket, oldest first; 404 when the ticket is not visible.
    With `newest`, only that many of the latest entries (a years-long ticket stays one fast page).

    1. Only public updates, customer replies and public events are read: internal notes are never
       public (a database constraint), and the query asks for `is_public` as well as the kinds.
    2. The visibility rule is part of the entries' query (their ticket must be among the
       viewer's), so a page that has just loaded the ticket pays no second check; only an empty
       answer asks whether the ticket is visible at all, to tell 404 from a ticket with no
       public history yet.
    """
    entries = TimelineEntry.objects.filter(
        ticket_id=pk,
        ticket__in=visible_tickets(viewer).filter(pk=pk),
        is_public=True,
        kind__in=[EntryKind.PUBLIC_UPDATE, EntryKind.CUSTOMER_REPLY, EntryKind.EVENT],
    )
    if newest is not None:
        # The newest entries' ids first, then only those rows joined to their authors: joined
        # before the LIMIT, every entry of a long ticket was joined and then sorted away.
        newest_ids = entries.order_by("-created_at", "-id").values("pk")[:newest]
        entries = TimelineEntry.objects.filter(ticket_id=pk, pk__in=newest_ids)
    # Plain rows, not model instances: a page of fifty entries and their authors built as
    # models cost more than the query itself.
    rows = list(
        entries.order_by("created_at", "id").values_list(
            "pk",
            "kind",
            "body",
            "event",
            "data",
            "next_update_due",
            "created_at",
            "author_id",
            *(f"author__{column}" for column in _PERSON_COLUMNS),
        )
    )
    if not rows and not visible_tickets(viewer).filter(pk=pk).exists():
        raise Http404("No such request.")
    tz = timezone.get_current_timezone()
    # The entries' files in one query; public_only again, in case a non-public id slipped in.
    files = files_by_entry((row[0] for row in rows), public_only=True)
    names: dict[int | None, str] = {}  # a long ticket has a handful of authors
    timeline = []
    for entry_pk, kind, body, event, data, due, at, author_id, *author in rows:
        if kind == EntryKind.EVENT:
            entry = TimelineEntry(kind=kind, body=body, event=event, data=data)
            text = describe(entry, for_customer=True, tz=tz)
            author_name = "Service desk"
        else:
            text = body
            if author_id not in names:
                person = User(pk=author_id, **dict(zip(_PERSON_COLUMNS, author, strict=True)))
                names[author_id] = name_for(person if author_id else None, viewer)
            author_name = names[author_id]
        timeline.append(
            CustomerEntry(
                pk=entry_pk,
                kind=kind,
                at=at,
                author_name=author_name,
                by_viewer=author_id == viewer.pk and kind != EntryKind.EVENT,
                text=text,
                next_update_due=due,
                files=tuple(files.get(entry_pk, ())),
            )
        )
    return timeline


def wider_problem_summaries(viewer: User, pk: int | None = None) -> list[str]:
    """The customer-facing summaries of open major incidents that touch the viewer's own open
    tickets (or the one ticket `pk`): the summary text alone, never an incident's title, its
    other tickets, other customers or any count."""
    tickets = visible_tickets(viewer)
    if pk is not None:
        tickets = tickets.filter(pk=pk)
    return incident_selectors.banner_summaries(tickets)


@dataclass(frozen=True)
class CustomerUsage:
    """This month's hours against the contract, for an organisation admin: hours, and the
    organisation's own amount only when PORTAL_SHOWS_AMOUNTS is on; never rates or the entries'
    notes."""

    month: date
    hours_used: str
    hours_included: str
    over: bool
    amount: str = ""
    currency: str = ""


def contract_usage(viewer: User) -> CustomerUsage | None:
    """None for anyone but an organisation admin contact (sees_organization_tickets)."""
    if not (viewer.is_contact and viewer.sees_organization_tickets and viewer.organization_id):
        return None
    organization = viewer.organization
    month = month_of(timezone.now(), organization.timezone)
    usage = billing_selectors.organization_usage(organization, month)
    return CustomerUsage(
        month=month,
        hours_used=f"{usage.billable_minutes / 60:.1f}",
        hours_included=f"{usage.included_minutes / 60:.1f}" if usage.included_minutes else "",
        over=bool(usage.included_minutes) and usage.over_minutes > 0,
        amount=f"{usage.amount:.2f}" if settings.PORTAL_SHOWS_AMOUNTS else "",
        currency=settings.BILLING_CURRENCY if settings.PORTAL_SHOWS_AMOUNTS else "",
    )
