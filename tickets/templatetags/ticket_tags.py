"""Small presentation helpers shared by staff pages."""

from datetime import datetime

from django import template
from django.utils import timezone

register = template.Library()


def _span(minutes: int) -> str:
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    return f"{hours // 24} days"


@register.filter
def countdown(due: datetime | None, now: datetime | None = None) -> str:
    """ "in 25 min" before a promise falls due, "12 min late" after; "nothing owed" without one."""
    if due is None:
        return "nothing owed"
    now = now or timezone.now()
    seconds = (due - now).total_seconds()
    if seconds >= 0:
        return f"in {_span(int(seconds // 60))}"
    return f"{_span(int(-seconds // 60))} late"


@register.filter
def is_late(due: datetime | None, now: datetime | None = None) -> bool:
    return due is not None and due < (now or timezone.now())
