"""Small presentation helpers shared by staff pages."""

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from tickets.display import DatetimeText, duration_text, elapsed_text, local_time

register = template.Library()


@register.filter
def duration(minutes: float | None) -> str:
    """A number of minutes as staff read it ("1 h 20 min"); "—" when there is none."""
    if minutes is None or minutes == "":
        return "—"
    return duration_text(float(minutes))


@register.filter
def elapsed(start: datetime | None, end: datetime | None) -> str:
    """`{{ opened_at|elapsed:acknowledged_at }}`: how long it took, as duration() writes it."""
    if start is None or end is None:
        return ""
    return elapsed_text(start, end)


@register.filter
def countdown(due: datetime | None, now: datetime | None = None) -> str:
    """ "in 25 min" before a promise falls due, "12 min late" after; "nothing owed" without one."""
    if due is None:
        return "nothing owed"
    now = now or timezone.now()
    seconds = (due - now).total_seconds()
    if seconds >= 0:
        return f"in {duration_text(int(seconds // 60))}"
    return f"{duration_text(int(-seconds // 60))} late"


@register.filter
def is_late(due: datetime | None, now: datetime | None = None) -> bool:
    return due is not None and due < (now or timezone.now())


@register.filter
def day_and_time(value: datetime | None) -> str:
    """`date:"D j M, H:i"` in the active time zone, for a stored moment the customer or an agent
    chose (needed by, ETA): it never fails, whatever year was stored."""
    return DatetimeText().short(value)


@register.simple_tag
def countdown_tag(due: datetime | None, now: datetime | None = None, announce: str = "") -> str:
    """A countdown that static/js/workspace.js keeps ticking; red and marked late once the promise
    is breached. Screen readers skip the ticking text and read the due time, which never goes
    stale; with `announce` ("The next customer update"), the script says once, politely, when
    it turns late."""
    if due is None:
        return mark_safe('<span class="countdown none">nothing owed</span>')
    late = is_late(due, now)
    due_text = date_format(local_time(due), "D j M, H:i T")
    return format_html(
        '<time class="countdown{}" datetime="{}" data-due="{}"{} title="{}" aria-hidden="true">{}'
        '</time><span class="visually-hidden">{} {}</span>',
        " late" if late else "",
        due.isoformat(),
        due.isoformat(),
        format_html(' data-announce="{}"', announce) if announce else "",
        due_text,
        countdown(due, now),
        "late, was due" if late else "due",
        due_text,
    )


@register.simple_tag(takes_context=True)
def render_panel(context, panel) -> str:
    """Render a ticket page panel (tickets.panels) with its own context on top of the page's."""
    template_obj = context.template.engine.get_template(panel.template)
    with context.push(panel=panel, **panel.context):
        return template_obj.render(context)
