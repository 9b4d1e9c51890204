"""How the promise keeper says times and lateness: in the reader's own time zone, in plain words."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse

from accounts.models import User
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
    """'1 minute', '25 minutes', '2 hours 5 minutes', '3 days 4 hours'."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes and not days:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts) or "less than a minute"


def staff_ticket_url(ticket: Ticket) -> str:
    return settings.SITE_URL + reverse("ticket", args=[ticket.pk])


# The customer's links are reversed by URL name (no import of the portal app, which sits above
# this one), so they follow the portal's routes; SITE_URL, never a request's Host header.
def portal_ticket_url(ticket: Ticket) -> str:
    return settings.SITE_URL + reverse("portal:ticket", args=[ticket.pk])


def feedback_url(ticket: Ticket) -> str:
    """The feedback confirmation page: following the link records nothing (mail scanners)."""
    return settings.SITE_URL + reverse("portal:feedback", args=[ticket.pk])
