"""Promise sources: promises the keeper watches that are not a ticket's (a major incident's own
next update time), registered by the apps above updates from their AppConfig.ready().

updates never imports those apps. A source tells the sweep two things:

- `pending`: a queryset of its rows still to remind, and `due_field`, the column holding the
  moment each is next due. The sweep's one-statement idle check reads the earliest of them (the
  first entry of a partial index the source keeps on that column), so an idle sweep stays two
  statements whatever is registered.
- `fire(now, limit)`: claim up to `limit` due rows (updates.keeper.claims.claim: SKIP LOCKED, or
  compare-and-set), advance each to its next stage in the same statement, and return how many
  it claimed and the unsaved outbox messages they owe (updates.keeper.outbox.build_messages,
  with `ticket=None` and what the wording needs in `data`). The sweep calls it inside a
  transaction and writes the messages in that same transaction: a row is advanced if and only
  if its messages exist (never lost, never doubled; the message keys are unique as well).

The wording of the source's message kinds is registered like any other
(updates.keeper.messages.register_wording), including their `still_true` check just before
delivery.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from updates.models import OutboxMessage


@dataclass(frozen=True)
class PromiseSource:
    name: str
    pending: Callable[[], QuerySet]
    due_field: str
    fire: Callable[[datetime, int], tuple[int, list[OutboxMessage]]]


SOURCES: dict[str, PromiseSource] = {}


def register_source(source: PromiseSource) -> None:
    """Add (or replace: ready() may run twice in tests) a promise source."""
    SOURCES[source.name] = source


def registered_sources() -> list[PromiseSource]:
    return [SOURCES[name] for name in sorted(SOURCES)]


# Alerts of ticket promises an app above updates says someone else answers for: each hook takes
# the batch of alerts the sweep is about to fire and returns, for those it covers, a Cover. A
# covered alert whose cover is due by its promise's deadline is skipped (the cover's own
# reminders speak for it); one that is not due by then is sent, naming the cover.
@dataclass(frozen=True)
class Cover:
    label: str  # "major incident INC-7"
    due_at: datetime | None  # when the cover's own next update is due, if set
    link: str  # a staff path


PromiseCover = Callable[[list], dict[int, Cover]]
COVERS: list[PromiseCover] = []


def register_cover(hook: PromiseCover) -> None:
    if hook not in COVERS:
        COVERS.append(hook)


def covers_for(alerts: list) -> dict[int, Cover]:
    """{alert id: its cover} over every registered hook (the first cover found wins)."""
    found: dict[int, Cover] = {}
    for hook in COVERS:
        for alert_id, cover in hook(alerts).items():
            found.setdefault(alert_id, cover)
    return found
