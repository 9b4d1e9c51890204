"""One ticket and its whole history, generated together so that everything the app's constraints
and derived columns require holds by construction (see demo.scale)."""

import random
from datetime import datetime, timedelta
from typing import NamedTuple

from demo.scale import feedback, promises, vendors
from demo.scale.load import Load
from demo.scale.plan import TicketFacts, TicketPlan
from demo.scale.timelines import MOMENT, Entry, Story, search_text
from demo.scale.words import DETAILS, PLACES, PROBLEMS
from tickets.models import DONE_STATUSES, OWING_STATUSES, Status
from tickets.search import SEARCH_TEXT_MAX_LENGTH

OVERRIDE_REASON = "Customer's board meeting depends on it."


class Triage(NamedTuple):
    problem_statement: str
    confirmed: datetime | None
    eta: datetime | None
    override: int | None
    override_reason: str
    priority: int  # in force: the override, else the matrix


class TicketWriter:
    """Writes each planned ticket's rows into the load's COPY buffers. The order of the steps is
    the order of the random draws: reordering them changes the data set."""

    def __init__(self, load: Load):
        self.load = load
        self.story = Story(load)

    def write(self, plan: TicketPlan) -> None:
        load, rng = self.load, self.load.rng
        ticket = self._facts(plan)
        entries = self.story.timeline(ticket, plan.n_entries)
        entry_ids = [next(load.ids.entry) for _ in entries]
        ledger = promises.ledger(load, ticket, entries, entry_ids)
        priority = self._add_ticket_row(ticket, entries, ledger.pending_due)
        self.story.add_rows(ticket, entries, entry_ids, ledger.due_by_entry)
        promises.add_rows(load, ticket, ledger.rows, priority)
        self._add_collaborators(ticket)
        if ticket.done:
            feedback.add_rows(load, ticket)
        if ticket.status == Status.WAITING_ON_VENDOR or (ticket.done and rng.random() < 0.02):
            vendors.add_escalation(load, ticket, active=not ticket.done)

    def _facts(self, plan: TicketPlan) -> TicketFacts:
        """Who raised it and who owns it, what it is about, and when it ended."""
        rng, people = self.load.rng, self.load.people
        org = people.organization(rng)
        requester = people.requester(rng, org)
        owner = people.agent(rng) if plan.status != Status.NEW else None
        by_portal = rng.random() < 0.6
        problem, area = rng.choice(PROBLEMS)
        place = rng.choice(PLACES)
        subject = f"{problem} at {place}" if rng.random() < 0.5 else problem
        description = " ".join(rng.sample(DETAILS, 2)) + f" Affects {place}."
        done = plan.status in DONE_STATUSES
        end, resolved_at, closed_at = _lifespan(rng, self.load.now, plan, done)
        return TicketFacts(
            number=plan.number,
            organization=org.pk,
            requester=requester,
            owner=owner,
            created_by=requester if by_portal or owner is None else owner,
            status=plan.status,
            impact=plan.impact,
            urgency=plan.urgency,
            priority=plan.priority,
            problem=problem,
            subject=subject,
            description=description,
            area=area,
            place=place,
            created=plan.created,
            end=end,
            resolved_at=resolved_at,
            closed_at=closed_at,
            done=done,
            owes=plan.status in OWING_STATUSES,
        )

    def _add_ticket_row(
        self, ticket: TicketFacts, entries: list[Entry], next_update_due: datetime | None
    ) -> int:
        """The ticket row, with its triage; returns the priority in force (an override, rarely)."""
        rng = self.load.rng
        triage = self._triage(ticket)
        public_text, internal_text = search_text(entries)
        self.load.tables["tickets"].add(
            ticket.number,
            ticket.organization,
            ticket.requester,
            ticket.created_by,
            ticket.subject,
            ticket.description,
            ticket.status,
            ticket.impact,
            ticket.urgency,
            triage.priority,
            triage.override,
            triage.override_reason,
            ticket.owner,
            next_update_due,
            triage.eta,
            triage.problem_statement,
            triage.confirmed,
            ticket.resolved_at,
            ticket.closed_at,
            ticket.created,
            ticket.closed_at or entries[-1][MOMENT],
            public_text[-SEARCH_TEXT_MAX_LENGTH:],
            internal_text[-SEARCH_TEXT_MAX_LENGTH:],
            rng.randint(1, 40) if rng.random() < 0.3 else None,
            "email" if rng.random() < 0.2 else "",
        )
        return triage.priority

    def _triage(self, ticket: TicketFacts) -> Triage:
        """Most owned tickets have the problem restated (half of those confirmed); a few open ones
        an ETA; one in a hundred a priority override."""
        rng = self.load.rng
        problem_statement, confirmed = "", None
        if ticket.owner is not None and rng.random() < 0.6:
            problem_statement = (
                f"{ticket.problem} affecting {ticket.place}; needs fixing without data loss."
            )
            if rng.random() < 0.5:
                confirmed = ticket.created + (ticket.end - ticket.created) / 3
        eta = None
        if ticket.owes and rng.random() < 0.2:
            eta = self.load.now + timedelta(days=rng.randint(1, 10))
        override, override_reason, priority = None, "", ticket.priority
        if ticket.owner is not None and rng.random() < 0.01:
            override = priority = max(1, ticket.priority - 1)
            override_reason = OVERRIDE_REASON
        return Triage(problem_statement, confirmed, eta, override, override_reason, priority)

    def _add_collaborators(self, ticket: TicketFacts) -> None:
        """A few tickets have a colleague or two helping the owner."""
        rng, agents = self.load.rng, self.load.people.agents
        if ticket.owner is not None and rng.random() < 0.03:
            for user in {agents[rng.randrange(len(agents))].pk for _ in range(2)}:
                if user != ticket.owner:
                    self.load.tables["collaborators"].add(ticket.number, user)


def _lifespan(
    rng: random.Random, now: datetime, plan: TicketPlan, done: bool
) -> tuple[datetime, datetime | None, datetime | None]:
    """(end, resolved_at, closed_at): a resolved ticket lived hours to days and was closed three
    days later; an open one last changed within the last two hours."""
    created = plan.created
    if done:
        lifetime = timedelta(hours=rng.expovariate(1 / 40) + 0.2)
        end = min(created + lifetime, now - timedelta(minutes=5))
        end = max(end, created + timedelta(minutes=2))
    else:
        end = now - timedelta(minutes=rng.randint(1, 120))
        end = max(end, created + timedelta(minutes=1))
    resolved_at = end if done else None
    closed_at = end + timedelta(days=3) if plan.status == Status.CLOSED else None
    if closed_at is not None and closed_at > now:
        closed_at = max(now - timedelta(minutes=1), end)
    return end, resolved_at, closed_at
