"""ISOLATION: nothing of vendors or escalations ever reaches a customer (DESIGN rule 7).

Unique canary strings are planted in every vendor-side field (vendor name, alias, contact and
contract details, case reference, summary, notes, pushback notes, an internal note naming the
vendor), the escalation is worked through every status, chased and noted, and the ticket waits on
the vendor. Then every customer-facing surface that exists is rendered and searched for a canary:

- every e-mail sent to a customer (on-commit callbacks run, Celery tasks run eagerly, and every
  periodic task in CELERY_BEAT_SCHEDULE is run once, so outbox deliveries are included);
- every public timeline entry: its body, its data and `updates.events.describe(for_customer=True)`;
- the customer-visible ticket fields, and the status a customer reads ("in_progress");
- every URL pattern of the project (admin aside), requested with GET and with an empty POST as
  each kind of contact and anonymously, with every id we know substituted into its parameters,
  and list URLs with `?search=`/`?q=`/`?query=` set to a canary: the answer must equal the answer
  to a search for a word that exists nowhere (echoes of the searched word and CSRF masks aside),
  so searching by vendor data finds nothing and reveals nothing.

The sweep discovers URL patterns at run time, so portal pages and API endpoints are covered as
soon as they are added: no change to this test is needed.
"""

import itertools
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.utils import timezone

from tests.factories import AgentFactory, ContactFactory, OrganizationFactory, TicketFactory
from tests.vendors.factories import VendorFactory
from tickets import services as ticket_services
from tickets.models import Status, customer_status, customer_status_label
from updates import services as update_services
from updates.events import describe
from updates.models import Notification, TimelineEntry
from vendors import services as vendor_services
from vendors.models import EscalationStatus

CANARIES = {
    "vendor_name": "Zyxcanaryvendor",
    "alias": "Qqcanaryalias",
    "second_vendor": "Wwcanarysecond",
    "support_email": "canarysupportmailbox",
    "support_phone": "555canaryphone",
    "account_number": "CANARYACCT7701",
    "contract_reference": "CANARYCONTRACT6602",
    "support_hours": "canaryhours24x7",
    "vendor_notes": "canaryvendornotes5503",
    "case_reference": "CANARYREF4417",
    "summary": "canarysummary8812",
    "note": "canarynote5521",
    "pushback_note": "canarypushback3310",
    "internal_note": "canaryinternal4411",
    "second_reference": "CANARYREF9904",
}
# A customer never learns that a vendor is involved, even from the ticket's status.
VENDOR_STATUS_WORDS = ("waiting_on_vendor", "waiting on vendor")
SKIPPED_PREFIXES = ("admin/", "static/", "media/", "__debug__/")
SEARCH_PARAMS = ("search", "q", "query")


@dataclass
class World:
    contacts: dict[str, object]
    tickets: list
    ids: list[int]
    subject: str


def _vendor(name_key: str, alias: str = "") -> object:
    return VendorFactory(
        name=CANARIES[name_key],
        aliases=alias,
        support_email=f"{CANARIES['support_email']}@example.test",
        support_phone=CANARIES["support_phone"],
        account_number=CANARIES["account_number"],
        contract_reference=CANARIES["contract_reference"],
        support_hours=CANARIES["support_hours"],
        notes=CANARIES["vendor_notes"],
        portal_url="https://canaryportal.example.test/cases",
        expected_response_minutes=30,
    )


@pytest.fixture
def eager_celery():
    from servicedesk.celery import app

    # Autodiscovery is lazy until a worker starts; the beat tasks must be registered to run them.
    app.loader.import_default_modules()
    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@pytest.fixture
def world(db, django_capture_on_commit_callbacks, eager_celery) -> World:
    """Two tickets of one customer worked with vendors through every step an agent can take."""
    organization = OrganizationFactory(name="Canary Test Customer", timezone="Europe/London")
    requester = ContactFactory(organization=organization, email="requester@customer.test")
    org_admin = ContactFactory(
        organization=organization, email="admin@customer.test", sees_organization_tickets=True
    )
    stranger = ContactFactory(email="stranger@elsewhere.test")
    agent = AgentFactory(email="agent@msp.test")
    vendor = _vendor("vendor_name", alias=CANARIES["alias"])
    second_vendor = _vendor("second_vendor")
    subject = "Payroll server will not boot"

    with django_capture_on_commit_callbacks(execute=True):
        ticket = TicketFactory(
            organization=organization, requester=requester, subject=subject, impact=2, urgency=2
        )
        ticket = ticket_services.take_ownership(ticket, by=agent)
        update_services.post_public_update(
            ticket, author=agent, body="We are looking at the server now.", status="in_progress"
        )
        escalation = vendor_services.open_escalation(
            ticket=ticket,
            vendor=vendor,
            by=agent,
            summary=f"RAID controller fault {CANARIES['summary']}",
            vendor_reference=CANARIES["case_reference"],
            next_chase_at=timezone.now() + timedelta(minutes=20),
            mark_ticket_waiting=True,
        )
        vendor_services.log_escalation_note(
            escalation, author=agent, body=f"Engineer booked {CANARIES['note']}"
        )
        vendor_services.log_escalation_note(
            escalation,
            author=agent,
            body=f"They want the customer to run diagnostics {CANARIES['pushback_note']}",
            pushback=True,
        )
        for status in (
            EscalationStatus.ACKNOWLEDGED,
            EscalationStatus.VENDOR_NEEDS_INFO,
            EscalationStatus.AWAITING_VENDOR,
        ):
            vendor_services.change_escalation_status(escalation, status=status, by=agent)
        vendor_services.set_root_cause_analysis(escalation, by=agent, requested=True)
        update_services.add_internal_note(
            ticket,
            author=agent,
            body=f"{CANARIES['vendor_name']} blames our firmware {CANARIES['internal_note']}",
        )
        with pytest.raises(update_services.PublicUpdateHeldBack):
            update_services.post_public_update(
                ticket, author=agent, body=f"{CANARIES['alias']} is replacing the controller."
            )
        update_services.post_public_update(
            ticket,
            author=agent,
            body="A replacement controller is on its way; we will fit it as soon as it arrives.",
        )

        second = TicketFactory(organization=organization, requester=requester, owner=agent)
        second_escalation = vendor_services.open_escalation(
            ticket=second,
            vendor=second_vendor,
            by=agent,
            summary=CANARIES["summary"],
            vendor_reference=CANARIES["second_reference"],
            status=EscalationStatus.ACKNOWLEDGED,
        )
        vendor_services.change_escalation_status(
            second_escalation, status=EscalationStatus.RESOLVED, by=agent
        )
        update_services.post_public_update(
            second, author=agent, body="Fixed: the line is back up.", status="resolved"
        )
        vendor_services.change_escalation_status(
            second_escalation, status=EscalationStatus.CLOSED, by=agent
        )

    # Time passes: chases fall due, promises near and breach; every periodic task runs once.
    with (
        time_machine.travel(timezone.now() + timedelta(hours=3), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert vendor_services.claim_due_chases()
        for entry in settings.CELERY_BEAT_SCHEDULE.values():
            eager_celery.tasks[entry["task"]].apply()

    ticket.refresh_from_db()
    assert ticket.status == Status.WAITING_ON_VENDOR
    assert Notification.objects.filter(recipient=agent, kind="vendor_chase").exists()
    ids = sorted(
        {
            ticket.pk,
            second.pk,
            escalation.pk,
            second_escalation.pk,
            vendor.pk,
            second_vendor.pk,
            *escalation.notes.values_list("pk", flat=True),
            *Notification.objects.values_list("pk", flat=True),
            *TimelineEntry.objects.values_list("pk", flat=True)[:3],
        }
    )
    return World(
        contacts={"requester": requester, "org_admin": org_admin, "stranger": stranger},
        tickets=[ticket, second],
        ids=ids,
        subject=subject,
    )


def leaked_canaries(text: str) -> list[str]:
    lowered = text.lower()
    return [name for name, canary in CANARIES.items() if canary.lower() in lowered]


# --- e-mails, timeline, ticket fields -----------------------------------------------------------


def test_no_canary_in_any_email_to_a_customer(world):
    customer_addresses = {contact.email for contact in world.contacts.values()}
    for message in mail.outbox:
        if not customer_addresses & {*message.to, *message.cc, *message.bcc}:
            continue
        parts = [message.subject, message.body]
        parts += [content for content, _ in getattr(message, "alternatives", [])]
        text = "\n".join(str(part) for part in parts)
        assert not leaked_canaries(text), f"e-mail {message.subject!r} leaks vendor data"
        assert not any(word in text.lower() for word in VENDOR_STATUS_WORDS)


def test_no_canary_on_the_public_timeline(world):
    public = TimelineEntry.objects.filter(ticket__in=world.tickets, is_public=True)
    assert public.exists()
    for entry in public:
        customer_text = describe(entry, for_customer=True)
        for text in (entry.body, json.dumps(entry.data), customer_text):
            assert not leaked_canaries(text), f"public {entry.kind} {entry.event!r} leaks"
        assert not any(word in customer_text.lower() for word in VENDOR_STATUS_WORDS)


def test_vendor_work_is_recorded_only_internally(world):
    internal = TimelineEntry.objects.filter(ticket__in=world.tickets, is_public=False)
    # The canaries are there for staff (so the test above proves a real filter, not an empty one).
    assert any(leaked_canaries(entry.body) for entry in internal)
    assert not TimelineEntry.objects.filter(
        ticket__in=world.tickets, is_public=True, event__startswith="vendor"
    ).exists()


def test_ticket_waiting_on_a_vendor_reads_in_progress_to_the_customer(world):
    ticket = world.tickets[0]
    assert ticket.status == Status.WAITING_ON_VENDOR
    assert customer_status(ticket.status) == "in_progress"
    assert customer_status_label(ticket.status) == "In progress"
    visible = [
        ticket.reference,
        ticket.subject,
        ticket.description,
        ticket.problem_statement,
        customer_status(ticket.status),
        customer_status_label(ticket.status),
    ]
    assert not leaked_canaries(" ".join(visible))


def test_contacts_get_no_vendor_notifications(world):
    contacts = list(world.contacts.values())
    assert not Notification.objects.filter(recipient__in=contacts).exists()


# --- every URL of the project -------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    route: str
    pattern: URLPattern
    regex_parts: tuple[str, ...]


def project_routes() -> Iterator[Route]:
    def walk(patterns, route: str, regexes: tuple[str, ...]):
        for entry in patterns:
            here = route + str(entry.pattern)
            parts = (*regexes, entry.pattern.regex.pattern)
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, here, parts)
            else:
                yield Route(here, entry, parts)

    for found in walk(get_resolver().url_patterns, "", ()):
        if not found.route.lstrip("^").startswith(SKIPPED_PREFIXES):
            yield found


_GROUP_START = re.compile(r"\(\?P<(\w+)>")


def _fill_regex(regex: str, values: dict[str, str]) -> str | None:
    """Turn one URL regex (Django route or DRF router style) into a concrete path, with each named
    group replaced by its value; None if the regex is too clever for that."""
    regex = regex.removeprefix("^").removesuffix(r"\Z").removesuffix("$")
    out, position = [], 0
    while (match := _GROUP_START.search(regex, position)) is not None:
        out.append(regex[position : match.start()])
        depth, index = 1, match.end()
        while depth and index < len(regex):
            if regex[index] == "\\":
                index += 2
                continue
            depth += {"(": 1, ")": -1}.get(regex[index], 0)
            index += 1
        out.append(values[match.group(1)])
        position = index
    out.append(regex[position:])
    path = "".join(out).replace("/?", "/")
    path = re.sub(r"\\(.)", r"\1", path)
    return None if re.search(r"[\[\]()*+?{}|^$]", path) else path


def _group_regexes(regexes: tuple[str, ...]) -> dict[str, str]:
    """Each named group and the pattern inside it (digits-only groups take ids only)."""
    groups = {}
    for regex in regexes:
        for match in _GROUP_START.finditer(regex):
            depth, index = 1, match.end()
            while depth and index < len(regex):
                if regex[index] == "\\":
                    index += 2
                    continue
                depth += {"(": 1, ")": -1}.get(regex[index], 0)
                index += 1
            groups[match.group(1)] = regex[match.end() : index - 1]
    return groups


def _candidates(name: str, inner: str, ids: list[int]) -> list[str]:
    if name == "format":
        return ["json"]
    if "0-9a-f" in inner and "-" in inner:  # a UUID converter
        return [str(uuid.uuid4())]
    numbers = [str(pk) for pk in ids]
    if inner in (r"[0-9]+", r"\d+", "[0-9]+"):
        return numbers
    return [*numbers, "x"]


MAX_COMBINATIONS = 60


def concrete_paths(found: Route, ids: list[int]) -> list[str]:
    groups = _group_regexes(found.regex_parts)
    names = list(groups)
    options = [_candidates(name, groups[name], ids) for name in names]
    paths = []
    for combination in itertools.islice(itertools.product(*options), MAX_COMBINATIONS):
        values = dict(zip(names, combination, strict=True))
        pieces = [_fill_regex(regex, values) for regex in found.regex_parts]
        if None in pieces:
            return []
        path = "/" + "".join(pieces)
        try:
            match = resolve(path)
        except Resolver404:
            continue
        if match.func is found.pattern.callback or match.route == found.route:
            paths.append(path)
    return paths


def _body_text(response) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    return content.decode(response.charset or "utf-8", errors="replace")


def _vendor_status_in_json(text: str) -> bool:
    try:
        data = json.loads(text)
    except ValueError:
        return False

    def walk(value) -> bool:
        if isinstance(value, dict):
            if value.get("status") in ("waiting_on_vendor",):
                return True
            return any(walk(item) for item in value.values())
        if isinstance(value, list):
            return any(walk(item) for item in value)
        return False

    return walk(data)


def _check(response, path: str, who: str, *, subject: str | None = None) -> None:
    assert response.status_code < 500, f"{who} {path}: {response.status_code}"
    text = _body_text(response)
    leaks = leaked_canaries(text)
    assert not leaks, f"{who} sees vendor data {leaks} at {path}"
    assert not _vendor_status_in_json(text), f"{who} sees waiting_on_vendor at {path}"
    if "text/html" in response.get("Content-Type", ""):
        assert "waiting on vendor" not in text.lower(), f"{who} sees the vendor wait at {path}"
    if subject is not None:
        # Searching by a vendor's case reference must not find the ticket.
        assert subject not in text, f"{who} found the ticket by vendor data at {path}"


def _clients(world: World) -> dict[str, Client]:
    clients = {"anonymous": Client()}
    for name, contact in world.contacts.items():
        client = Client()
        client.force_login(contact)
        clients[name] = client
    return clients


def test_sweep_finds_the_project_routes(world):
    """The sweep must reach the pages it claims to check; a route it cannot build is a bug in
    the sweep, not a pass."""
    routes = list(project_routes())
    assert routes
    unbuildable = [
        route.route
        for route in routes
        if route.route.lstrip("^").startswith(("portal", "api"))
        # The API's catch-all answers JSON 404s for unknown paths: nothing to build.
        and not route.route.endswith(".*$")
        and not concrete_paths(route, world.ids)
    ]
    assert not unbuildable, f"teach the sweep to build these customer routes: {unbuildable}"


# Searching is checked against a control: a search for a vendor canary must answer exactly what a
# search for a word that exists nowhere answers (once each echo of the searched word, in the search
# box or in pagination links, is put aside). Vendor data is then indistinguishable from nonsense:
# it matches nothing, and the canary appears only where the page repeats what was typed.
CONTROL_TERM = "Nxqcontrolterm"
ECHO = "\u2063searched\u2063"
_CSRF_TOKEN = re.compile(r"(csrfmiddlewaretoken\" value=\"|\"X-CSRFToken\": \")[A-Za-z0-9]+")


def _normalised(text: str, term: str) -> str:
    """The page with every echo of `term` and the per-response CSRF mask put aside."""
    return _CSRF_TOKEN.sub(r"\1csrf", text.replace(term, ECHO))


def _check_search(client, path: str, who: str, accept: dict, world: World) -> None:
    for param in SEARCH_PARAMS:
        # Rate limits (the token endpoint's 10 a minute) must not make the two answers differ.
        cache.clear()
        control = _normalised(
            _body_text(client.get(path, {param: CONTROL_TERM}, **accept)), CONTROL_TERM
        )
        for canary in (CANARIES["case_reference"], CANARIES["vendor_name"], CANARIES["summary"]):
            response = client.get(path, {param: canary}, **accept)
            assert response.status_code < 500, f"{who} {path}?{param}=: {response.status_code}"
            searched = _normalised(_body_text(response), canary)
            assert not leaked_canaries(searched), f"{who} sees vendor data at {path}?{param}="
            if world.subject not in control:
                assert world.subject not in searched, (
                    f"{who} found the ticket by vendor data at {path}?{param}={canary}"
                )
            assert searched == control, (
                f"{who}: searching {path}?{param}= by vendor data answers differently from "
                "searching for a word that exists nowhere"
            )


def test_no_canary_on_any_page_or_api_response_a_contact_can_reach(world):
    clients = _clients(world)
    swept = 0
    # A frozen clock: "in 5 minutes" must read the same in the control and the canary response.
    with time_machine.travel(timezone.now(), tick=False):
        for found in project_routes():
            for path in concrete_paths(found, world.ids):
                for who, client in clients.items():
                    accept = {"HTTP_ACCEPT": "application/json"} if "api" in path else {}
                    _check(client.get(path, **accept), path, who)
                    swept += 1
                    if not _group_regexes(found.regex_parts):
                        _check_search(client, path, who, accept, world)
    assert swept


def test_the_search_check_catches_a_search_that_matches_vendor_data(world, monkeypatch):
    """The sweep's search check is not vacuous: make the portal search the internal timeline text
    (where the canaries are) and it must fail."""
    from django.db.models import Q

    from portal import visibility

    def leaky_search(tickets, text):
        return tickets.filter(Q(subject__icontains=text) | Q(internal_search_text__icontains=text))

    monkeypatch.setattr(visibility, "_search", leaky_search)
    client = _clients(world)["requester"]
    with time_machine.travel(timezone.now(), tick=False), pytest.raises(AssertionError):
        _check_search(client, "/portal/", "requester", {}, world)


def test_no_canary_in_error_messages_to_a_contact(world):
    """An empty or canary-laden POST to every URL: validation errors must not reveal anything."""
    clients = _clients(world)
    for found in project_routes():
        if found.route.lstrip("^").startswith("logout"):
            continue
        for path in concrete_paths(found, world.ids)[:6]:
            for who, client in clients.items():
                _check(client.post(path, {}), path, who)
                response = client.post(
                    path,
                    json.dumps({"body": "hello", "vendor": world.ids[0], "status": "open"}),
                    content_type="application/json",
                    HTTP_ACCEPT="application/json",
                )
                _check(response, path, who)
