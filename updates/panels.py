"""The timeline and composer panel of the staff ticket page (registered in UpdatesConfig.ready,
see tickets.panels for how panels work)."""

from typing import Any

from django.http import HttpRequest
from django.template.defaultfilters import linebreaks_filter, linebreaksbr
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString, mark_safe

from accounts.models import User
from attachments.selectors import files_by_entry
from attachments.templatetags.attachment_tags import attachment_list
from saved_replies.selectors import visible_replies
from tickets.display import DatetimeText
from tickets.models import Ticket
from tickets.rendering import fast
from updates.events import describe
from updates.forms import InternalNoteForm, PublicUpdateForm, customer_timezone
from updates.models import EntryKind, TimelineEntry
from updates.rendering import render_markdown

ENTRY_STYLE = {
    # kind: (css class, label, icon): colour, words and a symbol, so no one relies on colour alone.
    # The symbols are in DejaVu/Liberation, so they render without an emoji font.
    EntryKind.PUBLIC_UPDATE: ("entry-public", "Public update · sent to the customer", "✉"),
    EntryKind.INTERNAL_NOTE: ("entry-internal", "Internal note · staff only", "✎"),
    EntryKind.CUSTOMER_REPLY: ("entry-customer", "Customer reply", "↩"),
    EntryKind.EVENT: ("entry-event", "System event", "⚙"),
}


# The ticket page shows the newest entries; a long-running ticket's whole history (hundreds of
# entries) is one click away, so the page costs the same however old the ticket is.
TIMELINE_PAGE_SIZE = 50


# What a timeline row reads: plain values, not model instances (building 50 entries and their
# authors as models was most of the cost of the page's longest list).
TIMELINE_FIELDS = (
    "id",
    "kind",
    "is_public",
    "body",
    "event",
    "data",
    "next_update_due",
    "created_at",
    "author__name",
    "author__email",
    "merged_from",
)


def timeline(ticket: Ticket, *, limit: int | None = None) -> list[dict[str, Any]]:
    """Newest first, authors joined in the same query; at most `limit` entries when given; their
    files in one more query, however many there are.

    Each row carries its finished text (times formatted, the body rendered from markdown and
    sanitised), so the template prints a few plain values per entry instead of running a
    filter chain for each."""
    entries = (
        TimelineEntry.objects.filter(ticket=ticket)
        .order_by("-created_at", "-id")
        .values(*TIMELINE_FIELDS)
    )
    if limit is not None:
        entries = entries[:limit]
    entries = list(entries)
    files = files_by_entry((values["id"] for values in entries), public_only=False)
    times = DatetimeText()
    rows = []
    for values in entries:
        row = {**timeline_row(values, times), "files": files.get(values["id"], [])}
        row["html"] = entry_html(row)
        rows.append(row)
    return rows


def entry_html(row: dict[str, Any]) -> SafeString:
    """One timeline <li>, as the panel's template drew it value by value (each escaped as
    autoescape would; the body is already safe HTML): 50 entries of template lookups and an
    include each were most of a long ticket's template time. Files are listed by the
    attachments app's own builder."""
    e = conditional_escape
    merged = (
        f' <span class="flag">from {e(row["merged_from"])}</span>' if row["merged_from"] else ""
    )
    author = f"{e(row['author'])} · " if row["author"] else ""
    files = attachment_list(row["files"])
    promised = (
        f'<p class="muted small">Promised the next update by {e(row["promised"])}.</p>'
        if row["promised"]
        else ""
    )
    return mark_safe(
        f'<li class="entry {e(row["css"])}" data-kind="{e(row["kind"])}">\n'
        f'      <div class="entry-head"><span class="entry-icon" aria-hidden="true">{e(row["icon"])}'
        f'</span>\n        <span class="entry-label">{e(row["label"])}</span>{merged}\n'
        f'        <span class="muted">{author}<time datetime="{e(row["when_iso"])}">'
        f"{e(row['when'])}</time></span></div>\n"
        f'      <div class="entry-body">{e(row["body"])}</div>\n'
        f"      {files}\n"
        f"      {promised}\n"
        f"    </li>"
    )


def timeline_row(values: dict[str, Any], times: DatetimeText) -> dict[str, Any]:
    """One entry as the staff timeline shows it, from its TIMELINE_FIELDS."""
    kind = values["kind"]
    css, label, icon = ENTRY_STYLE.get(kind, ENTRY_STYLE[EntryKind.EVENT])
    if kind == EntryKind.EVENT:
        if values["is_public"]:
            label = "System event · customer sees it"
        event = TimelineEntry(event=values["event"], data=values["data"], body=values["body"])
        body = _linked(describe(event, for_customer=False), values["data"] or {})
        if values["event"] == "owner_changed" and values["body"]:
            # The handover note, as the colleague wrote it.
            body = format_html("{}<blockquote>{}</blockquote>", body, linebreaksbr(values["body"]))
    else:
        body = render_markdown(values["body"])
        original = (values["data"] or {}).get("original_body")
        if original and original.strip() != values["body"].strip():
            # A reply by email: the new text above, the whole email (quotes kept) for staff.
            body = format_html(
                '{}<details class="original-email"><summary>The whole email</summary>{}</details>',
                body,
                linebreaks_filter(original),
            )
    author = ""
    if values["author__email"] is not None:
        author = User.display_name_for(values["author__name"], values["author__email"])
    return {
        "kind": kind,
        "css": css,
        "label": label,
        "icon": icon,
        "author": author,
        "when": times.short(values["created_at"]),
        "when_iso": times.iso(values["created_at"]),
        "body": body,
        "promised": times.short(values["next_update_due"]),
        # Written on a ticket since merged into this one (updates.merging).
        "merged_from": f"SD-{values['merged_from']}" if values.get("merged_from") else "",
    }


def _linked(text: str, data: dict[str, Any]) -> str:
    """An event's sentence, escaped, with the ticket it names (`linked_ticket`, `reference`) as a
    link to that ticket's page."""
    reference, pk = data.get("reference"), data.get("linked_ticket")
    if not reference or not isinstance(pk, int) or reference not in text:
        return escape(text)
    before, _, after = text.partition(reference)
    return format_html(
        '{}<a href="{}">{}</a>{}', before, reverse("ticket", args=[pk]), reference, after
    )


def timeline_panel_context(
    request: HttpRequest, ticket: Ticket, bound: dict[str, Any]
) -> dict[str, Any]:
    now = timezone.now()
    # FastRenderer: the composer is drawn on every view of the page (tickets.rendering).
    public_form = fast(bound.get("public_update") or PublicUpdateForm(ticket=ticket, now=now))
    note_form = fast(bound.get("internal_note") or InternalNoteForm())
    PublicUpdateForm.share_work_types(public_form, note_form)
    show_all = request.GET.get("timeline") == "all"
    rows = timeline(ticket, limit=None if show_all else TIMELINE_PAGE_SIZE + 1)
    return {
        "timeline": rows[:TIMELINE_PAGE_SIZE] if not show_all else rows,
        "timeline_truncated": not show_all and len(rows) > TIMELINE_PAGE_SIZE,
        "public_form": public_form,
        "note_form": note_form,
        "preview": bound.get("preview"),
        "active_tab": bound.get("tab", "public"),
        "promise_options": public_form.options,
        "customer_timezone": customer_timezone(ticket).key,
        "saved_replies": list(
            visible_replies(request.user).values(
                "id", "title", "shared", "status", "next_update_minutes"
            )
        ),
    }
