"""What customers said about resolved tickets, and the losses recorded from it or by managers."""

from datetime import datetime, timedelta

from demo.scale.load import Load
from demo.scale.plan import TicketFacts
from demo.scale.words import LOSS_LESSONS
from updates.feedback import loss_category_for
from updates.models import LossCategory

FEEDBACK_SHARE = 0.25
MANAGER_LOSS_SHARE = 0.003
SCORES = (1, 2, 3, 4, 5)
SCORE_WEIGHTS = (3, 4, 10, 30, 53)


def add_rows(load: Load, ticket: TicketFacts) -> None:
    """A quarter of resolved tickets get feedback (a 1 or 2 records its loss, as
    updates.feedback decides); a few others a loss a manager recorded after an account review."""
    rng = load.rng
    if rng.random() < FEEDBACK_SHARE:
        kept = rng.choices(SCORES, SCORE_WEIGHTS)[0]
        solved = rng.choices(SCORES, SCORE_WEIGHTS)[0]
        at = min(ticket.resolved_at + timedelta(hours=rng.uniform(1, 48)), load.now)
        _add_feedback(load, ticket, kept, solved, at)
    elif rng.random() < MANAGER_LOSS_SHARE:
        category = rng.choice(LossCategory.values)
        load.tables["losses"].add(
            ticket.number,
            ticket.organization,
            category,
            "Recorded after the account review.",
            rng.choice(LOSS_LESSONS),
            None,
            rng.choice(load.people.managers).pk,
            min(ticket.resolved_at + timedelta(days=2), load.now),
        )


def _add_feedback(load: Load, ticket: TicketFacts, kept: int, solved: int, at: datetime) -> None:
    feedback_id = next(load.ids.feedback)
    load.tables["feedback"].add(feedback_id, ticket.number, ticket.requester, kept, solved, "", at)
    category = loss_category_for(kept, solved)
    if category:
        load.tables["losses"].add(
            ticket.number,
            ticket.organization,
            category,
            "From the customer's feedback.",
            "",
            feedback_id,
            None,
            at,
        )
