"""The cadence policy (DESIGN rule 4): when the first response and each next update are due.

Pure computations over an organisation's support plan and business calendar; no writes.
"""

from datetime import datetime

from tickets.models import Ticket


def first_response_due(ticket: Ticket, start: datetime) -> datetime:
    rule = ticket.organization.cadence_for(ticket.priority)
    return ticket.organization.add_clock_time(
        start, rule.first_response_minutes, business_hours_only=rule.business_hours_only
    )


def next_update_due(ticket: Ticket, start: datetime) -> datetime:
    rule = ticket.organization.cadence_for(ticket.priority)
    return ticket.organization.add_clock_time(
        start, rule.update_interval_minutes, business_hours_only=rule.business_hours_only
    )
