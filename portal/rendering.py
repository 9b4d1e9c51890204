"""The repeated parts of the portal's pages as HTML built in Python: a list's cards and a
ticket's timeline entries.

Through the template engine each card or entry cost about twenty nodes and an include, most
of the pages' CPU time (docs/benchmarks.md); built here with f-strings, every value escaped
as the template did (`conditional_escape`: text escaped, markdown's sanitised HTML kept), they
cost a fraction of it. The markup is the one the templates drew, byte for byte
(tests/portal/test_rendering.py); the templates keep everything around them.
"""

from collections.abc import Iterable

from django.template.defaultfilters import truncatechars
from django.utils.html import conditional_escape as escape
from django.utils.safestring import SafeString, mark_safe

from attachments.templatetags.attachment_tags import attachment_list
from portal.templatetags.portal_tags import when
from portal.visibility import LAST_UPDATE_SHOWN, CustomerEntry, CustomerTicket
from tickets.web import pk_url
from updates.rendering import render_markdown


def timeline_entries(timeline: Iterable[CustomerEntry]) -> SafeString:
    """The <li>s of a ticket page's conversation, as templates/portal/ticket.html drew them."""
    parts = []
    for entry in timeline:
        at = escape(when(entry.at))
        if entry.is_event:
            body = (
                f'\n        <p><span class="muted">{at}</span> · {escape(entry.text)}</p>\n      '
            )
        else:
            promise = ""
            if entry.is_update and entry.next_update_due:
                promise = (
                    f'<p class="entry-promise">Next update by '
                    f"{escape(when(entry.next_update_due))}</p>"
                )
            body = (
                f'\n        <p class="entry-meta"><strong>{escape(entry.author_name)}</strong> '
                f'<span class="muted">· {at}</span></p>\n'
                f'        <div class="entry-body">{render_markdown(entry.text or "")}</div>\n'
                f"        {promise}\n      "
            )
        parts.append(
            f'\n    <li class="entry {escape(entry.style)}">\n      {body}\n      '
            f"{attachment_list(entry.files)}\n    </li>\n    "
        )
    return mark_safe("".join(parts))


def ticket_cards(tickets: Iterable[CustomerTicket], *, scope: str) -> SafeString:
    """The <li>s of the request list, as templates/portal/ticket_list.html drew them."""
    url = pk_url("portal:ticket")
    parts = []
    for ticket in tickets:
        if ticket.is_open:
            if ticket.next_update_due:
                late = ""
                if ticket.update_overdue:
                    late = ' <span class="late">(late, sorry; it\'s being chased)</span>'
                next_update = f"by {escape(when(ticket.next_update_due))}{late}"
            elif ticket.waiting_on_customer:
                next_update = "<strong>we're waiting for your reply</strong>"
            else:
                next_update = "—"
            fix = escape(when(ticket.eta)) if ticket.eta else "not known yet"
            state = (
                f"\n        <div><dt>Next update</dt><dd>{next_update}</dd></div>\n"
                f"        <div><dt>Expected fix</dt><dd>{fix}</dd></div>\n        "
            )
        else:
            resolved = escape(when(ticket.resolved_at) or "—")
            state = f"\n        <div><dt>Resolved</dt><dd>{resolved}</dd></div>\n        "
        raised_by = ""
        if scope == "organization":
            raised_by = (
                f"<div><dt>Raised by</dt><dd>{escape(ticket.requester_name or '—')}</dd></div>"
            )
        latest = ""
        if ticket.last_update_text:
            text = truncatechars(ticket.last_update_text, LAST_UPDATE_SHOWN)
            latest = (
                f'\n      <p class="last-update"><span class="muted">Latest update, '
                f"{escape(when(ticket.last_update_at))}:</span> {escape(text)}</p>\n      "
            )
        parts.append(
            '\n    <li class="ticket-card">\n      <div class="ticket-card-top">\n'
            f'        <span class="ref">{escape(ticket.reference)}</span>\n'
            f'        <span class="pill status-{escape(ticket.status)}">'
            f"{escape(ticket.status_label)}</span>\n      </div>\n"
            f'      <h2><a href="{url(ticket.pk)}">{escape(ticket.subject)}</a></h2>\n'
            '      <dl class="facts">\n'
            f"        <div><dt>Owner</dt><dd>{escape(ticket.owner_name or 'Being assigned now')}"
            f"</dd></div>\n        {state}\n        {raised_by}\n      </dl>\n      {latest}\n"
            "    </li>\n    "
        )
    return mark_safe("".join(parts))
