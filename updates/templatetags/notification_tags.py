"""`{% notification_bell %}`: the bell with the unread count, for any staff page's header."""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from updates.inbox import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def notification_bell(context, oob: bool = False) -> SafeString | str:
    """The bell and its (empty) dropdown; `oob=True` renders the bell alone for an htmx
    out-of-band swap (after marking something read)."""
    request = context["request"]
    user = request.user
    if not user.is_authenticated or not user.is_helpdesk_staff:
        return ""
    values = {"show": True, "unread": unread_count(user), "oob": oob}
    name = "updates/bell.html" if oob else "updates/bell_menu.html"
    return render_to_string(name, values, request=request)
