"""How the promise keeper says times and lateness: in the reader's own time zone, in plain words."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse

from accounts.models import User
from tickets.display import duration_text
from tickets.models import Ticket


def reader_zone(user: User) -> ZoneInfo:
    return ZoneInfo(user.effective_timezone)


def local_time(moment: datetime, *, zone: ZoneInfo, now: datetime) -> str:
    """'14:30' today, '14:30 tomorrow', else 'Tue 3 Mar, 14:30' (the reader's wall clock)."""
    local = moment.astimezone(zone)
    today = now.astimezone(zone).date()
    clock = local.strftime("%H:%M")
    if local.date() == today:
        return clock
    if local.date() == today + timedelta(days=1):
        return f"{clock} tomorrow"
    return f"{local.strftime('%a')} {local.day} {local.strftime('%b')}, {clock}"


def staff_time(moment: datetime, *, user: User, now: datetime) -> str:
    zone = reader_zone(user)
    return f"{local_time(moment, zone=zone, now=now)} {moment.astimezone(zone).strftime('%Z')}"


def duration(delta: timedelta) -> str:
    """'25 min', '2 h 5 min': the staff pages' way (tickets.display.duration_text), so an alert
    says what the queue's countdown says."""
    return duration_text(delta // timedelta(minutes=1))


def staff_ticket_url(ticket: Ticket) -> str:
    return settings.SITE_URL + reverse("ticket", args=[ticket.pk])


# The customer's links are reversed by URL name (no import of the portal app, which sits above
# this one), so they follow the portal's routes; SITE_URL, never a request's Host header.
def portal_ticket_url(ticket: Ticket) -> str:
    return settings.SITE_URL + reverse("portal:ticket", args=[ticket.pk])


def feedback_url(ticket: Ticket) -> str:
    """The feedback confirmation page: following the link records nothing (mail scanners)."""
    return settings.SITE_URL + reverse("portal:feedback", args=[ticket.pk])
