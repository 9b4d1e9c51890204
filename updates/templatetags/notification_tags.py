"""`{% notification_bell %}`: the bell with the unread count, for any staff page's header."""

from django import template

from updates.inbox import unread_count

register = template.Library()


@register.inclusion_tag("updates/bell.html", takes_context=True)
def notification_bell(context, oob: bool = False) -> dict:
    """`oob=True` marks it for an htmx out-of-band swap (after marking something read)."""
    user = context["request"].user
    if not user.is_authenticated or not user.is_helpdesk_staff:
        return {"show": False}
    return {"show": True, "unread": unread_count(user), "oob": oob}
