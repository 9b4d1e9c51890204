"""A ticket's timeline: opened, the owner taking it, updates, notes, replies and status changes at
sorted times, ending with the change into its current status."""

from datetime import datetime

from demo.scale.load import Load, weighted
from demo.scale.plan import TicketFacts
from demo.scale.words import CUSTOMER_REPLIES, INTERNAL_NOTES, PUBLIC_UPDATES
from tickets.models import Status
from updates.models import EntryKind

ENTRY_KIND_WEIGHTS = (
    (EntryKind.PUBLIC_UPDATE, 55),
    (EntryKind.INTERNAL_NOTE, 20),
    (EntryKind.CUSTOMER_REPLY, 12),
    (EntryKind.EVENT, 13),
)


# An entry as loaded: (kind, public, author id, body, event, data, moment). Plain tuples, read by
# these positions: millions are made, and a NamedTuple costs several times as much to build.
Entry = tuple[str, bool, int | None, str, str, dict, datetime]
KIND, PUBLIC, AUTHOR, BODY, EVENT, DATA, MOMENT = range(7)


class Story:
    """Writes timelines for one load; `entry_kind` draws the kind of each ordinary entry."""

    def __init__(self, load: Load):
        self.load = load
        self.entry_kind = weighted(load.rng, ENTRY_KIND_WEIGHTS)

    def timeline(self, ticket: TicketFacts, n_entries: int) -> list[Entry]:
        rng = self.load.rng
        created, end = ticket.created, ticket.end
        moments = sorted(created + (end - created) * rng.random() for _ in range(n_entries - 1))
        entries: list[Entry] = [("event", True, ticket.created_by, "", "opened", {}, created)]
        last_status = Status.NEW.value
        for index, moment in enumerate(moments):
            if index == len(moments) - 1 and last_status != ticket.status:
                entries.append(_status_change(ticket.owner, last_status, ticket.status, moment))
            elif index == 0 and ticket.owner is not None:
                entries.append(self._taken(ticket.owner, moment))
            else:
                entry = self._ordinary(ticket, moment, last_status)
                if entry[EVENT] == "status_changed":
                    last_status = entry[DATA]["new"]
                entries.append(entry)
        return entries

    def _taken(self, owner: int, moment: datetime) -> Entry:
        data = {
            "old": None,
            "old_name": "",
            "new": owner,
            "new_name": self.load.people.staff_names[owner],
        }
        return ("event", False, owner, "", "owner_changed", data, moment)

    def _ordinary(self, ticket: TicketFacts, moment: datetime, last_status: str) -> Entry:
        """An update, a note or a status change by the owner, else a reply from the customer."""
        rng, owner = self.load.rng, ticket.owner
        kind = self.entry_kind()
        words = {"area": ticket.area, "place": ticket.place}
        if kind == EntryKind.PUBLIC_UPDATE and owner is not None:
            body = rng.choice(PUBLIC_UPDATES).format(**words)
            return ("public_update", True, owner, body, "", {}, moment)
        if kind == EntryKind.INTERNAL_NOTE and owner is not None:
            body = rng.choice(INTERNAL_NOTES).format(**words)
            return ("internal_note", False, owner, body, "", {}, moment)
        if kind == EntryKind.EVENT and owner is not None:
            new = Status.IN_PROGRESS.value if last_status != "in_progress" else "open"
            if ticket.status == Status.NEW:
                new = last_status
            return _status_change(owner, last_status, new, moment)
        body = rng.choice(CUSTOMER_REPLIES).format(**words)
        return ("customer_reply", True, ticket.requester, body, "", {}, moment)

    def add_rows(
        self,
        ticket: TicketFacts,
        entries: list[Entry],
        entry_ids: list[int],
        due_by_entry: dict[int, datetime],
    ) -> None:
        """Each public update carries the deadline of the promise it made."""
        add = self.load.tables["timeline entries"].add
        for entry_id, entry in zip(entry_ids, entries, strict=True):
            kind, public, author, body, event, data, moment = entry
            due = due_by_entry.get(entry_id) if kind == "public_update" else None
            add(entry_id, ticket.number, kind, public, author, body, event, data, due, moment)


def _status_change(by: int | None, old: str, new: str, moment: datetime) -> Entry:
    return ("event", True, by, "", "status_changed", {"old": old, "new": new}, moment)


def search_text(entries: list[Entry]) -> tuple[str, str]:
    """The bodies of the public and the internal entries, one per line, as
    updates.search.rebuild_search_text writes them (before trimming)."""
    public = [e[BODY].strip() for e in entries if e[BODY] and e[PUBLIC]]
    internal = [e[BODY].strip() for e in entries if e[BODY] and not e[PUBLIC]]
    return "\n".join(public), "\n".join(internal)
