"""`{% staff_nav_links "before" %}` and `{% staff_nav_links "after" %}`: the staff navigation's
links either side of the bell (templates/staff/_nav.html), on every staff page.

Written in Python with the link addresses reversed once per process (per script prefix): the
template with fifteen {% url %} tags and their current-page tests cost about two milliseconds of
every staff page. The HTML is the template's, link for link."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@dataclass(frozen=True)
class Link:
    url: str  # a URL name, or an address starting with "/"
    label: str
    current: Callable[[str, str], bool]  # (url_name, namespace) -> is this the page's section


def _name(*names: str) -> Callable[[str, str], bool]:
    return lambda url_name, namespace: url_name in names


def _namespace(name: str) -> Callable[[str, str], bool]:
    return lambda url_name, namespace: namespace == name


BEFORE_BELL = (
    Link("home", "Queue", _name("home")),
    Link("triage", "Triage", _name("triage")),
    Link("ticket-new", "New ticket", _name("ticket-new")),
    Link("incidents:list", "Incidents", _namespace("incidents")),
    Link("vendors:list", "Vendors", _namespace("vendors")),
    Link("inbound:list", "Inbound mail", _namespace("inbound")),
    Link("saved-replies", "Saved replies", _name("saved-replies", "saved-reply")),
)
MANAGERS = (
    Link(
        "manager-dashboard",
        "Dashboard",
        lambda url_name, namespace: url_name[:9] == "dashboard" or url_name == "manager-dashboard",
    ),
    Link("billing:month", "Billing", _namespace("billing")),
    Link("webhooks:list", "Webhooks", _namespace("webhooks")),
    Link("keeper-status", "Status", _name("keeper-status")),
    Link("audit:log", "Audit log", _namespace("audit")),
)
AGENTS = (Link("dashboard-mine", "My figures", _name("dashboard-mine")),)
ACCOUNT = (Link("my-sessions", "Account", _name("my-sessions", "two-factor")),)
SHORTCUTS = (
    '<button type="button" class="link shortcuts-button" data-show-shortcuts aria-haspopup="dialog"'
    ' title="Keyboard shortcuts (?)">Shortcuts</button>'
)


@cache
def _address(url: str, script_prefix: str) -> str:
    return escape(url if url.startswith("/") else reverse(url))


def _links(links: tuple[Link, ...], url_name: str, namespace: str) -> list[str]:
    prefix = get_script_prefix()
    return [
        f'<a href="{_address(link.url, prefix)}"'
        f"{' aria-current="page"' if link.current(url_name, namespace) else ''}>"
        f"{link.label}</a>"
        for link in links
    ]


@register.simple_tag(takes_context=True)
def staff_nav_links(context, part: str) -> SafeString:
    """The links before the bell, or after it (the manager's or the agent's, then the account)."""
    match = getattr(context.get("request"), "resolver_match", None)
    url_name = (match.url_name or "") if match else ""
    namespace = (match.namespace or "") if match else ""
    if part == "before":
        return mark_safe("\n".join(_links(BEFORE_BELL, url_name, namespace)))
    user = context.get("user")
    if user is not None and user.is_manager:
        links = [*_links(MANAGERS, url_name, namespace), '<a href="/admin/">Admin</a>']
    else:
        links = _links(AGENTS, url_name, namespace)
    return mark_safe("\n".join([*links, *_links(ACCOUNT, url_name, namespace), SHORTCUTS]))
