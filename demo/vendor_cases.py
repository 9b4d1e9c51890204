"""Playing the demo's vendor cases: each is opened and moved through the real services at past
moments relative to when its ticket was opened (every service takes `now`).

Idempotent: vendors are matched by name, and a demo ticket is escalated to a vendor only once.
Tickets the demo did not create (or has not created yet) are left alone.
"""

from datetime import datetime, timedelta

from accounts.models import User
from demo.vendor_data import CASES, VENDORS, Case
from tickets.models import Ticket
from vendors import services
from vendors.models import Vendor, VendorEscalation

READY = "Demo vendors ready ({vendors} vendors, {opened} new escalations)."


def vendors() -> dict[str, Vendor]:
    found = {}
    for key, fields in VENDORS.items():
        vendor = Vendor.objects.filter(name=fields["name"]).first()
        found[key] = vendor or services.create_vendor(**fields)
    return found


def play_all(by_key: dict[str, Vendor], *, now: datetime) -> int:
    """How many cases this run opened."""
    return sum(play(case, by_key[case.vendor], now=now) for case in CASES)


def play(case: Case, vendor: Vendor, *, now: datetime) -> int:
    ticket = (
        Ticket.objects.filter(subject=case.subject).select_related("owner").order_by("pk").first()
    )
    if ticket is None or VendorEscalation.objects.filter(ticket=ticket, vendor=vendor).exists():
        return 0
    agent = ticket.owner or User.objects.filter(email=f"{case.agent}@demo.test").first()
    opened = ticket.created_at + timedelta(minutes=case.opened_after)
    if agent is None or opened > now:
        return 0
    escalation = _open(case, ticket, vendor, agent, opened)
    last_change = opened
    for minutes, action, arguments in case.steps:
        moment = ticket.created_at + timedelta(minutes=minutes)
        if moment > now:
            break
        _step(escalation, action, arguments, agent, moment)
        if action != "note":  # a note leaves the escalation row as it is
            last_change = moment
    # `updated_at` is auto_now (the wall clock), not the moment the case was last played at.
    VendorEscalation.objects.filter(pk=escalation.pk).update(updated_at=last_change)
    return 1


def _open(
    case: Case, ticket: Ticket, vendor: Vendor, agent: User, opened: datetime
) -> VendorEscalation:
    chase = None
    if case.chase_after is not None and case.chase_after > case.opened_after:
        chase = ticket.created_at + timedelta(minutes=case.chase_after)
    return services.open_escalation(
        ticket=ticket,
        vendor=vendor,
        by=agent,
        summary=case.summary,
        vendor_reference=case.reference,
        next_chase_at=chase,
        now=opened,
    )


def _step(
    escalation: VendorEscalation, action: str, arguments: dict, agent: User, moment: datetime
) -> None:
    match action:
        case "status":
            services.change_escalation_status(
                escalation, status=arguments["status"], by=agent, now=moment
            )
        case "note":
            services.log_escalation_note(escalation, author=agent, **arguments, now=moment)
        case "rca":
            services.set_root_cause_analysis(escalation, by=agent, **arguments)
