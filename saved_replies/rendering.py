"""The sandbox a saved reply's text is filled in: a tiny parser, not a template engine.

The body may name exactly the variables of API.md (`{{ customer.first_name }}`, ...); anything
else that looks like template syntax (another variable, an attribute, a filter, a tag `{% %}`,
a comment `{# #}`, a lone `{{`) is refused when the reply is saved. Rendering only replaces
those names by plain text; nothing in the body is ever evaluated, so no attribute of any object
can be reached.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from accounts.models import User
from tickets.models import Ticket

VARIABLES = (
    "customer.first_name",
    "customer.name",
    "organization.name",
    "ticket.reference",
    "ticket.subject",
    "owner.name",
    "agent.name",
    "next_update_due",
    "eta",
)
PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
# What remains of template syntax once the placeholders are taken out.
SYNTAX = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")


class RenderError(ValueError):
    pass


def check(body: str) -> None:
    """Refuse any template syntax but the allowed variables (RenderError says what)."""
    unknown = sorted({name for name in PLACEHOLDER.findall(body) if name not in VARIABLES})
    if unknown:
        allowed = ", ".join("{{ " + name + " }}" for name in VARIABLES)
        raise RenderError(
            f"Unknown variable {', '.join('{{ ' + n + ' }}' for n in unknown)}. "
            f"A saved reply may use only {allowed}."
        )
    rest = PLACEHOLDER.sub("", body)
    if SYNTAX.search(rest):
        raise RenderError(
            "Template tags, comments and unclosed braces are not allowed: only the variables, "
            "each written as {{ name }}."
        )


def local_time(moment: datetime | None, zone: ZoneInfo) -> str:
    """'Mon 2 Mar 2026, 14:30 GMT' on the organisation's wall clock; empty when unset."""
    if moment is None:
        return ""
    local = moment.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M} {local.tzname()}"


@dataclass(frozen=True)
class Values:
    ticket: Ticket
    agent: User
    next_update_due: datetime | None

    def as_dict(self) -> dict[str, str]:
        ticket = self.ticket
        zone = ZoneInfo(ticket.organization.timezone)
        requester = ticket.requester
        name = requester.display_name if requester is not None else ""
        # Posting to an unowned ticket makes the author its owner (rule 2).
        owner = ticket.owner if ticket.owner_id else self.agent
        return {
            "customer.first_name": name.split()[0] if name.split() else "",
            "customer.name": name,
            "organization.name": ticket.organization.name,
            "ticket.reference": ticket.reference,
            "ticket.subject": ticket.subject,
            "owner.name": owner.display_name,
            "agent.name": self.agent.display_name,
            "next_update_due": local_time(self.next_update_due, zone),
            "eta": local_time(ticket.eta, zone),
        }


def render(body: str, values: Values) -> str:
    check(body)
    filled = values.as_dict()
    return PLACEHOLDER.sub(lambda match: filled[match.group(1)], body)
