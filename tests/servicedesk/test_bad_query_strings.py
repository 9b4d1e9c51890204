"""No query string makes any page or API list answer a server error.

Every GET route of the URLconf (staff pages, the dashboard, the vendor pages, the portal, every
API list and object) is found by walking the URLconf, its ids filled with seeded objects the
signed-in user may see, and the query parameters each view reads are found by watching it read
them. Hypothesis then sends each group of pages, as a manager, an agent and a customer contact,
NUL characters, huge and tiny numbers, odd time zone offsets, years 1 and 9999, broken
percent-encodings and random text in those parameters (and in a few that no view reads), with and
without htmx, and asserts a 4xx or a success: never a 5xx. A NUL anywhere is a 400 (JSON under
/api/) before any view runs (servicedesk.middleware).
"""

import re
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django.core.handlers import wsgi
from django.db import transaction
from django.http import QueryDict
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.factories import ContactFactory, TicketFactory
from tests.vendors.factories import EscalationFactory, EscalationNoteFactory, VendorFactory
from tickets import services as ticket_services
from tickets.autocomplete import SOURCES
from tickets.models import Status
from updates.feedback import record_loss
from updates.models import LossCategory, Notification, NotificationKind

# Pages with nothing to fuzz (the admin is Django's own; the schema and its viewer take none),
# and the catch-all 404 of the API.
SKIPPED = re.compile(r"^/(admin/|api/schema/|api/docs/)")
SLUGS = list(SOURCES)  # the autocompletes: /tickets/autocomplete/<slug:source>/
# Parameters sent to every page besides the ones it reads: ones some view reads conditionally.
EXTRA_NAMES = ("page", "page_size", "cursor", "ordering", "format", "export", "panel", "x")


class _ReadNames:
    names: set[str] = set()


class RecordingQueryDict(QueryDict):
    """request.GET that notes every parameter name a view asks for (copies included)."""

    def get(self, key, default=None):
        _ReadNames.names.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        _ReadNames.names.add(key)
        return super().__getitem__(key)

    def getlist(self, key, default=None):
        _ReadNames.names.add(key)
        return super().getlist(key, default)

    def __contains__(self, key):
        _ReadNames.names.add(key)
        return super().__contains__(key)


@dataclass(frozen=True)
class Target:
    route: str
    path: str
    names: tuple[str, ...]


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield "/" + (prefix + str(pattern.pattern)).replace("^", "").replace("$", "")


_PATH_ARGUMENT = re.compile(r"<[^>]+>|\(\?P<[^>]+>[^)]+\)")
_ID_ARGUMENT = re.compile(r"<(int|id):[^>]+>|\(\?P<pk>[^)]+\)")


def _get(client: Client, path: str, query: str = "", **headers):
    with transaction.atomic():  # a refused query leaves the test's transaction usable
        return client.get(path, QUERY_STRING=query, headers=headers)


# (role, route) -> the paths that opened (which seeded object, or which slug) and the names each
# read: every test seeds the same world, so what one test found the next reuses.
_FOUND: dict[tuple[str, str], list[tuple[int | str, tuple[str, ...]]]] = {}


def _find(client: Client, role: str, route: str, ids: list[int]):
    key = (role, route)
    if key not in _FOUND:
        _FOUND[key] = []
        # Every slug that opens (each autocomplete source), the first id that does.
        candidates = SLUGS if "<slug:" in route else range(len(ids))
        for candidate in candidates:
            filling = candidate if isinstance(candidate, str) else str(ids[candidate])
            path = _PATH_ARGUMENT.sub(filling, route)
            _ReadNames.names = set()
            # Not empty: some readers (django-filter) skip a query string without parameters.
            if _get(client, path, "x=1").status_code == 200:
                names = tuple(sorted(_ReadNames.names | set(EXTRA_NAMES)))
                _FOUND[key].append((candidate, names))
                if not isinstance(candidate, str):
                    break
            if path == route:
                break
    return _FOUND[key]


def discover(client: Client, role: str, ids: list[int], prefixes=("/",), exclude=()) -> list:
    """The GET routes under `prefixes` this client may open (each id argument filled with the
    first seeded id that answers 200), with the parameter names each reads."""
    targets = []
    for route in dict.fromkeys(_routes(get_resolver().url_patterns)):
        if SKIPPED.match(route) or ".*" in route or r"\s" in route:
            continue
        if not route.startswith(prefixes) or route.startswith(tuple(exclude)):
            continue
        for candidate, names in _find(client, role, route, ids):
            filling = candidate if isinstance(candidate, str) else str(ids[candidate])
            targets.append(Target(route, _PATH_ARGUMENT.sub(filling, route), names))
    return targets


@pytest.fixture
def world(organization, contact, agent, manager):
    """One of everything a page can show, so every route has an object to open."""
    ticket = TicketFactory(organization=organization, requester=contact, owner=agent)
    resolved = TicketFactory(organization=organization, requester=contact)
    ticket_services.change_status(resolved, status=Status.RESOLVED, by=agent)
    vendor = VendorFactory(name="Contoso Networks")
    escalation = EscalationFactory(ticket=ticket, vendor=vendor, by=agent)
    EscalationNoteFactory(escalation=escalation, author=agent, pushback=True)
    loss = record_loss(
        organization=organization,
        ticket=ticket,
        category=LossCategory.WRONG_FIX,
        description="Wrong printer driver",
        recorded_by=manager,
    )
    notification = Notification.objects.create(
        recipient=agent, kind=NotificationKind.DUE_SOON, ticket=ticket, message="Due soon"
    )
    ContactFactory(organization=organization)
    ids = [ticket, resolved, vendor, escalation, loss, notification, organization, agent]
    return [item.pk for item in ids]


@pytest.fixture
def signed_in(world, monkeypatch, settings):
    monkeypatch.setattr(wsgi, "QueryDict", RecordingQueryDict)
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {scope: "100000/minute" for scope in rates},
    }

    def client_for(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return client_for


# ---- values ---------------------------------------------------------------------------------

# Already percent-encoded, sent as they are: bytes that are not UTF-8 and broken escapes.
RAW = ["%FF", "%ED%A0%80", "%", "%G0", "%C0%80"]
NASTY = [
    "\x00",
    "a\x00b",
    "9" * 25,
    "-" + "9" * 25,
    "1" * 5000,
    "-1",
    "0",
    "²",
    "١٢",
    "1e999",
    "NaN",
    "2026-12-31T00:00:00+16:00",
    "2026-12-31T00:00:00-23:59",
    "9999-12-31T23:59:59+14:00",
    "0001-01-01T00:00:00-14:00",
    "9999-12-31",
    "0001-01-01",
    "9999-12-31T23:59",
    "2026-02-30",
    "custom",
    "x" * 3000,
]
OFFSETS = st.sampled_from(["Z", "+00:00", "+14:00", "-12:00", "+15:59", "+16:00", "-24:00", ""])
MOMENTS = st.builds(
    lambda moment, offset: moment.isoformat() + offset,
    st.datetimes(),
    OFFSETS,
)
_NASTY = st.sampled_from(NASTY).map(lambda value: quote(value, safe=""))
VALUES = st.one_of(
    _NASTY,
    _NASTY,
    _NASTY,
    st.sampled_from(RAW),
    MOMENTS.map(lambda value: quote(value, safe="")),
    st.dates().map(str),
    st.integers().map(str),
    st.text(max_size=40).map(lambda value: quote(value, safe="")),
)


def queries(targets: list[Target]):
    """For each parameter some page of the group reads, a value or (more often) nothing."""
    names = sorted({name for target in targets for name in target.names})
    return st.fixed_dictionaries({name: st.none() | st.none() | VALUES for name in names})


def query_for(target: Target, values: dict[str, str | None]) -> str:
    return "&".join(
        f"{quote(name)}={value}"
        for name, value in values.items()
        if value is not None and name in target.names
    )


FUZZ = settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    # A failure names the whole request already; shrinking it took minutes.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def assert_no_server_error(client: Client, path: str, query: str, htmx: bool) -> None:
    headers = {"HX-Request": "true"} if htmx else {}
    response = _get(client, path, query, **headers)
    assert response.status_code < 500, f"{path}?{query} answered {response.status_code}"
    if "%00" in query:
        assert response.status_code == 400, f"{path}?{query} answered {response.status_code}"
        if path.startswith("/api/"):
            assert response["Content-Type"] == "application/json"


# ---- the groups -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "prefixes", "exclude"),
    [
        ("agent", ("/",), ("/api/", "/portal/")),
        ("manager", ("/dashboard/",), ()),
        ("manager", ("/api/",), ()),
        ("contact", ("/portal/", "/api/"), ()),
    ],
    ids=["staff-pages", "dashboard", "api-staff", "contact"],
)
def test_no_query_string_makes_a_page_fail(
    signed_in, world, manager, agent, contact, role, prefixes, exclude
):
    client = signed_in({"manager": manager, "agent": agent, "contact": contact}[role])
    # The pages that read a parameter; the others get the fixed values below.
    targets = [
        target
        for target in discover(client, role, world, prefixes, exclude)
        if set(target.names) - set(EXTRA_NAMES)
    ]
    assert len(targets) >= 2, targets

    @FUZZ
    @given(queries(targets), st.booleans())
    def fuzz(values, htmx):
        for target in targets:
            assert_no_server_error(client, target.path, query_for(target, values), htmx)

    fuzz()


# The kinds of value that each failed somewhere once: sent to every parameter of every page at once.
EACH_PAGE = ["a\x00b", "9" * 25, "²", "9999-12-31T23:59:59+14:00", "2026-12-31T00:00:00+16:00"]
# Both ends of a period at once: a page reads the second only with the first.
PERIOD = "period=custom&days=7&since=9999-12-31&until=9999-12-31"


@pytest.mark.parametrize("role", ["manager", "contact"])
def test_every_page_survives_the_values_that_failed_before(
    signed_in, world, manager, contact, role
):
    client = signed_in({"manager": manager, "contact": contact}[role])
    prefixes = ("/portal/", "/api/") if role == "contact" else ("/",)
    for target in discover(client, role, world, prefixes):
        for value in [quote(value, safe="") for value in EACH_PAGE]:
            query = "&".join(f"{name}={value}" for name in target.names)
            assert_no_server_error(client, target.path, query, False)
        if {"since", "until"} <= set(target.names):
            assert_no_server_error(client, target.path, PERIOD, False)


def test_huge_and_zero_ids_in_paths_are_not_found(signed_in, world, manager):
    client = signed_in(manager)
    for target in discover(client, "manager", world):
        if not _ID_ARGUMENT.search(target.route):
            continue
        for number in ("9" * 18, "9" * 30):
            path = _PATH_ARGUMENT.sub(number, target.route)
            response = _get(client, path)
            assert response.status_code == 404, f"{path} answered {response.status_code}"
