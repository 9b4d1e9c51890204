"""The dashboard's tables as CSV (`?export=<table>` on its pages, with the same period and
filters): the same selectors as the page, every row rather than the ones shown."""

import csv

from django.http import HttpResponse
from django.utils import timezone

from dashboard import selectors
from tickets.models import Ticket
from updates.models import Loss

NOW_PANELS = ("breached", "due_soon", "unowned", "unconfirmed", "vendor_waits")
# The promise-kept tables: the Promise lookup each is grouped by (None: the week of the deadline).
GROUPS = {
    "by_week": None,
    "by_owner": "owner__name",
    "by_organization": "organization__name",
    "by_priority": "priority",
}


def _csv(name: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


def _when(moment) -> str:
    return timezone.localtime(moment).replace(microsecond=0).isoformat() if moment else ""


def _ticket_row(ticket: Ticket) -> list:
    return [
        ticket.reference,
        ticket.organization.name,
        ticket.subject,
        ticket.owner.display_name if ticket.owner else "",
        f"P{ticket.priority}",
        ticket.get_status_display(),
    ]


TICKET_HEADER = ["ticket", "customer", "subject", "owner", "priority", "status"]
RATE_HEADER = ["group", "kept", "due", "kept_percent"]


def _rate_rows(rows: list[dict], label=lambda value: value) -> list:
    return [
        (label(row["label"]), row["kept"], row["total"], "" if row["rate"] is None else row["rate"])
        for row in rows
    ]


def _minutes_between(earlier, later) -> int:
    return int((later - earlier).total_seconds() // 60)


def export_table(name: str, period: selectors.Period, now) -> HttpResponse | None:
    """The CSV of one dashboard table, or None for an unknown name."""
    if name in NOW_PANELS:
        return _export_now_panel(name, now)
    if name in GROUPS:
        rows = selectors.kept_rate_by(period, now, GROUPS[name])
        label = {
            "by_week": lambda week: week.date().isoformat(),
            "by_priority": lambda priority: f"P{priority}",
            "by_owner": lambda owner: owner or "",
        }.get(name, lambda value: value)
        return _csv(f"promises_{name}", RATE_HEADER, _rate_rows(rows, label))
    if name == "breaches_by_hour":
        counts = selectors.breaches_by_hour(period, now, timezone.get_current_timezone())
        return _csv(name, ["hour", "breaches"], [(f"{h:02d}:00", n) for h, n in enumerate(counts)])
    if name == "first_response":
        summary = selectors.first_response_figures(period)
        return _csv(name, ["response_time", "tickets"], summary["buckets"])
    if name == "ages":
        return _csv(
            "open_tickets_by_age", ["age", "tickets"], selectors.open_tickets_by_age(now, period)
        )
    if name == "losses":
        return _csv("losses_by_cause", ["cause", "losses"], selectors.losses_by_category(period))
    if name == "loss_log":
        return _csv(
            "loss_log",
            ["recorded", "customer", "ticket", "cause", "source", "what_happened", "lessons"],
            [_loss_row(loss) for loss in selectors.loss_log(period)],
        )
    return None


def _loss_row(loss: Loss) -> list:
    return [
        _when(loss.created_at),
        loss.organization.name,
        loss.ticket.reference if loss.ticket else "",
        loss.get_category_display(),
        "feedback" if loss.feedback_id else "manager",
        loss.description,
        loss.lessons,
    ]


def _export_now_panel(name: str, now) -> HttpResponse:
    if name == "breached":
        rows = [
            [*_ticket_row(t), _when(t.next_update_due), _minutes_between(t.next_update_due, now)]
            for t in selectors.breached_now(now)
        ]
        return _csv(name, [*TICKET_HEADER, "promised", "minutes_late"], rows)
    if name == "due_soon":
        rows = [
            [*_ticket_row(t), _when(t.next_update_due), _minutes_between(now, t.next_update_due)]
            for t in selectors.due_within_the_hour(now)
        ]
        return _csv(name, [*TICKET_HEADER, "promised", "minutes_left"], rows)
    if name == "unowned":
        rows = [
            [*_ticket_row(t), _when(t.created_at), _minutes_between(t.created_at, now)]
            for t in selectors.unowned(now)
        ]
        return _csv(name, [*TICKET_HEADER, "opened", "minutes_waiting"], rows)
    if name == "unconfirmed":
        rows = [
            [*_ticket_row(t), _when(t.created_at)] for t in selectors.understanding_unconfirmed()
        ]
        return _csv(name, [*TICKET_HEADER, "opened"], rows)
    rows = [
        [
            *_ticket_row(t),
            _when(t.waiting_since),
            _minutes_between(t.waiting_since, now) if t.waiting_since else "",
        ]
        for t in selectors.waiting_on_vendor_longest()
    ]
    return _csv(name, [*TICKET_HEADER, "waiting_since", "minutes_waiting"], rows)
