"""How the portal says a moment: in the contact's time zone (activated per request), the way
people say it ("14:30 today", "09:15 tomorrow", "Wed 4 Mar, 16:00")."""

from datetime import datetime, timedelta

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def when(moment: datetime | None) -> str:
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    today = timezone.localdate()
    clock = local.strftime("%H:%M")
    if local.date() == today:
        return f"{clock} today"
    if local.date() == today + timedelta(days=1):
        return f"{clock} tomorrow"
    if local.date() == today - timedelta(days=1):
        return f"{clock} yesterday"
    day = f"{local:%a} {local.day} {local:%b}"
    if local.year != today.year:
        day = f"{day} {local.year}"
    return f"{day}, {clock}"


@register.simple_tag
def your_timezone() -> str:
    return timezone.get_current_timezone_name()
