"""Playing the demo's history: each scenario's steps go through the real services at their past
moments (every service takes `now`), so the timeline, the promise ledger and the reminders are
exactly what the product would have written then.

Idempotent: people are created once (their passwords reset to the demo password), and each demo
ticket is created only if its organisation has no ticket with that subject yet.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Max

from accounts.models import Organization, Role, User
from demo.demo_data import (
    CONTACTS,
    DEMO_PASSWORD,
    LIVE_PROMISE_MINUTES,
    LIVE_SUBJECT,
    ORGANIZATIONS,
    SCENARIOS,
    STAFF,
    Scenario,
)
from tickets import services as ticket_services
from tickets.models import Ticket
from updates import services as update_services
from updates.models import AlertStatus, OutboxMessage, OutboxStatus, PromiseAlert

UNSENT_HISTORY = "Demo history, played at seeding: never sent."


@dataclass
class Played:
    created: list[Ticket]  # the tickets this run created
    rearmed: Ticket | None  # the live ticket, when this run gave it a fresh promise


def play_demo(*, now: datetime) -> Played:
    """The demo's people and tickets, as of `now`; call inside a transaction."""
    since_message = OutboxMessage.objects.aggregate(last=Max("pk"))["last"] or 0
    orgs = organizations()
    everyone = people(orgs)
    created = play_all(orgs, everyone, now=now)
    rearmed = rearm_live_ticket(everyone, now=now)
    touched = [*created, rearmed] if rearmed else created
    keep_history_quiet(touched, since_message=since_message, now=now)
    return Played(created, rearmed)


def organizations() -> dict[str, Organization]:
    orgs = {}
    for key, fields in ORGANIZATIONS.items():
        fields = dict(fields)
        orgs[key], _ = Organization.objects.get_or_create(name=fields.pop("name"), defaults=fields)
    return orgs


def people(orgs: dict[str, Organization]) -> dict[str, User]:
    everyone = {}
    for key, (email, name, role) in STAFF.items():
        everyone[key] = _person(email, name=name, role=role)
    for key, (email, name, org_key, whole_org) in CONTACTS.items():
        everyone[key] = _person(
            email,
            name=name,
            role=Role.CONTACT,
            organization=orgs[org_key],
            sees_organization_tickets=whole_org,
        )
    return everyone


def _person(email: str, **fields) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        return User.objects.create_user(email, DEMO_PASSWORD, **fields)
    user.set_password(DEMO_PASSWORD)
    user.save(update_fields=["password"])
    return user


def play_all(
    orgs: dict[str, Organization], everyone: dict[str, User], *, now: datetime
) -> list[Ticket]:
    """The tickets created by this run."""
    played = (play(scenario, orgs, everyone, now=now) for scenario in SCENARIOS)
    return [ticket for ticket in played if ticket is not None]


def play(
    scenario: Scenario,
    orgs: dict[str, Organization],
    everyone: dict[str, User],
    *,
    now: datetime,
) -> Ticket | None:
    """Open the scenario's ticket and play its steps, unless an earlier run did."""
    org = orgs[scenario.org]
    if Ticket.objects.filter(organization=org, subject=scenario.subject).exists():
        return None
    requester = everyone[scenario.requester]
    opened = now - timedelta(minutes=scenario.opened_minutes_ago)
    ticket = ticket_services.create_ticket(
        organization=org,
        subject=scenario.subject,
        description=scenario.description,
        impact=scenario.impact,
        urgency=scenario.urgency,
        created_by=requester,
        requester=requester,
        now=opened,
    )
    last_change = opened
    for minutes_ago, action, args in scenario.steps:
        moment = now - timedelta(minutes=minutes_ago)
        _step(ticket, action, args, everyone, requester, moment)
        if action != "note":  # an internal note leaves the ticket row as it is
            last_change = moment
    # `updated_at` is auto_now (the wall clock); the queue's "Recently changed" reads it.
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=last_change)
    return ticket


def _step(
    ticket: Ticket,
    action: str,
    args: dict,
    everyone: dict[str, User],
    requester: User,
    moment: datetime,
) -> None:
    agent = everyone.get(args.get("agent", ""))
    match action:
        case "own":
            ticket_services.take_ownership(ticket, by=agent, now=moment)
        case "note":
            update_services.add_internal_note(ticket, author=agent, body=args["body"], now=moment)
        case "restate":
            ticket_services.restate_problem(
                ticket, problem_statement=args["text"], by=agent, now=moment
            )
        case "confirm":
            ticket_services.confirm_understanding(ticket, by=requester, now=moment)
        case "status":
            ticket_services.change_status(ticket, status=args["status"], by=agent, now=moment)
        case "public":
            promise = args.get("promise_minutes")
            update_services.post_public_update(
                ticket,
                author=agent,
                body=args["body"],
                status=args.get("status"),
                next_update_due=moment + timedelta(minutes=promise) if promise else None,
                now=moment,
            )


def rearm_live_ticket(everyone: dict[str, User], *, now: datetime) -> Ticket | None:
    """On a later run (the demo started again), give the live ticket a fresh promise if its
    due-soon reminder is already behind it, so every start shows a reminder arriving. Returns
    the ticket when it did."""
    ticket = Ticket.objects.filter(subject=LIVE_SUBJECT).first()
    if ticket is None or not ticket.owes_update:
        return None
    lead = timedelta(minutes=LIVE_PROMISE_MINUTES)
    if ticket.next_update_due and ticket.next_update_due >= now + lead - timedelta(minutes=1):
        return None  # just made (this run): its reminder is a minute away
    update_services.post_public_update(
        ticket,
        author=everyone["alice"],
        body="We are still archiving the old orders; new mail is starting to arrive. We "
        "will confirm once everything has caught up.",
        next_update_due=now + lead,
        now=now,
    )
    return ticket


def keep_history_quiet(tickets: list[Ticket], *, since_message: int, now: datetime) -> None:
    """Seeded history must not email anyone: the customer emails it wrote (messages after
    `since_message`) are never sent, and the reminders whose time passed before `now` never
    fire (the sweep would fire them all at start-up). Reminders still to come fire as usual."""
    OutboxMessage.objects.filter(
        pk__gt=since_message, ticket__in=tickets, status=OutboxStatus.PENDING
    ).update(status=OutboxStatus.SKIPPED, last_error=UNSENT_HISTORY)
    PromiseAlert.objects.filter(
        ticket__in=tickets, status=AlertStatus.PENDING, due_at__lte=now
    ).update(status=AlertStatus.SKIPPED, settled_at=now)
