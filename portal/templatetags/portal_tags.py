"""How the portal says a moment: in the contact's time zone (activated per request), the way
people say it ("14:30 today", "09:15 tomorrow", "Wed 4 Mar, 16:00")."""

from datetime import datetime

from django import template
from django.utils import timezone

from tickets.display import day_and_month, local_time

register = template.Library()


@register.filter
def when(moment: datetime | None) -> str:
    if moment is None:
        return ""
    zone = timezone.get_current_timezone()
    local = local_time(moment, zone)
    today = timezone.localtime(timezone.now(), zone).date()
    clock = f"{local.hour:02d}:{local.minute:02d}"
    days_away = (local.date() - today).days
    if days_away == 0:
        return f"{clock} today"
    if days_away == 1:
        return f"{clock} tomorrow"
    if days_away == -1:
        return f"{clock} yesterday"
    day = day_and_month(local)
    if local.year != today.year:
        day = f"{day} {local.year}"
    return f"{day}, {clock}"


@register.simple_tag
def your_timezone() -> str:
    return timezone.get_current_timezone_name()
