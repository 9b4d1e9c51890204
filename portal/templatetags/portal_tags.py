"""How the portal says a moment: in the contact's time zone (activated per request), the way
people say it ("14:30 today", "09:15 tomorrow", "Wed 4 Mar, 16:00")."""

from datetime import datetime

from django import template
from django.utils import timezone

register = template.Library()


# English names, as strftime's %a and %b give them in the C locale Python runs in, without
# strftime's cost (a ticket page says up to a hundred moments).
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@register.filter
def when(moment: datetime | None) -> str:
    if moment is None:
        return ""
    zone = timezone.get_current_timezone()
    local = timezone.localtime(moment, zone)
    today = timezone.localtime(timezone.now(), zone).date()
    clock = f"{local.hour:02d}:{local.minute:02d}"
    days_away = (local.date() - today).days
    if days_away == 0:
        return f"{clock} today"
    if days_away == 1:
        return f"{clock} tomorrow"
    if days_away == -1:
        return f"{clock} yesterday"
    day = f"{_WEEKDAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]}"
    if local.year != today.year:
        day = f"{day} {local.year}"
    return f"{day}, {clock}"


@register.simple_tag
def your_timezone() -> str:
    return timezone.get_current_timezone_name()
