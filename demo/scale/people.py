"""The customers and the team: organisations (with a long tail of sizes), staff and contacts."""

import random
from bisect import bisect
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import accumulate

from accounts.models import Organization, Role, SupportPlan, User
from demo.scale import HISTORY_DAYS
from demo.scale.copy_tables import Table
from demo.scale.words import (
    FIRST_NAMES,
    LAST_NAMES,
    ORG_WORDS_A,
    ORG_WORDS_B,
    ORG_WORDS_C,
    TIMEZONES,
)
from tickets.models import Ticket

CONTACT_COLUMNS = [
    "id",
    "email",
    "name",
    "role",
    "organization_id",
    "sees_organization_tickets",
    "timezone",
    "is_active",
    "is_staff",
    "is_superuser",
    "date_joined",
    "password",
]


@dataclass
class People:
    organizations: list[Organization]
    # Cumulative size weights: the draw of an organisation for each ticket.
    org_cum: list[float]
    # A ticket-less dummy per organisation, for updates.keeper.alerts.alert_times.
    org_probe: dict[int, Ticket]
    # Organisation id -> (first contact's id, number of contacts); contact 1 is its admin.
    org_contacts: dict[int, tuple[int, int]]
    contacts_total: int
    staff: list[User]
    managers: list[User]
    agents: list[User]
    agent_cum: list[float]
    staff_names: dict[int, str]

    def organization(self, rng: random.Random) -> Organization:
        index = bisect(self.org_cum, rng.random() * self.org_cum[-1])
        return self.organizations[min(index, len(self.organizations) - 1)]

    def requester(self, rng: random.Random, org: Organization) -> int:
        """Most tickets come from an organisation's first few contacts."""
        first, count = self.org_contacts[org.pk]
        return first + min(int(rng.expovariate(0.5)), count - 1)

    def agent(self, rng: random.Random) -> int:
        """Some agents are busier than others."""
        return self.agents[bisect(self.agent_cum, rng.random() * self.agent_cum[-1])].pk


def make_people(
    cursor,
    *,
    rng: random.Random,
    now: datetime,
    n_orgs: int,
    n_staff: int,
    n_contacts: int,
    password: str,
) -> People:
    organizations = _organizations(rng, now, n_orgs)
    # Sizes follow a long tail: the largest customer has a few percent of all tickets, most have
    # a handful (organisation 1, org1.example, is the largest).
    weights = [1 / (rank**0.7) for rank in range(1, n_orgs + 1)]
    staff = _staff(rng, now, n_staff, password)
    managers = [u for u in staff if u.role == Role.MANAGER]
    agents = [u for u in staff if u.role == Role.AGENT] or managers
    agent_cum = list(accumulate(rng.uniform(0.5, 2.0) for _ in agents))
    org_contacts = _contacts(cursor, rng, organizations, weights, n_contacts, password)
    return People(
        organizations=organizations,
        org_cum=list(accumulate(weights)),
        org_probe=_alert_probes(organizations),
        org_contacts=org_contacts,
        contacts_total=sum(count for _, count in org_contacts.values()),
        staff=staff,
        managers=managers,
        agents=agents,
        agent_cum=agent_cum,
        staff_names={u.pk: u.display_name for u in staff},
    )


def _organizations(rng: random.Random, now: datetime, n_orgs: int) -> list[Organization]:
    plan = SupportPlan.default()
    names: set[str] = set(Organization.objects.values_list("name", flat=True))
    organizations = []
    for number in range(1, n_orgs + 1):
        name = f"{rng.choice(ORG_WORDS_A)} {rng.choice(ORG_WORDS_B)} {rng.choice(ORG_WORDS_C)}"
        if name in names:
            name = f"{name} {number}"
        names.add(name)
        zone, country = rng.choice(TIMEZONES)
        organizations.append(
            Organization(
                name=name,
                timezone=zone,
                holiday_country=country,
                support_plan=plan,
                created_at=now - timedelta(days=HISTORY_DAYS + rng.randint(1, 900)),
            )
        )
    return Organization.objects.bulk_create(organizations, batch_size=2000)


def _alert_probes(organizations: list[Organization]) -> dict[int, Ticket]:
    """One ticket-less dummy per organisation lets updates.keeper.alerts.alert_times compute the
    real reminder times (business hours and all) without a query."""
    probes = {}
    for org in Organization.objects.filter(pk__in=[o.pk for o in organizations]).prefetch_related(
        "support_plan__cadence_rules"
    ):
        calendar = org.calendar()
        org.calendar = lambda calendar=calendar: calendar  # built once, not per promise
        probes[org.pk] = Ticket(organization=org, priority=3)
    return probes


def _staff(rng: random.Random, now: datetime, n_staff: int, password: str) -> list[User]:
    """manager01@msp.example ... (one in fifteen), then agent001@msp.example ..."""
    staff = []
    n_managers = max(1, n_staff // 15)
    for number in range(1, n_staff + 1):
        is_manager = number <= n_managers
        email = (
            f"manager{number:02d}@msp.example"
            if is_manager
            else f"agent{number - n_managers:03d}@msp.example"
        )
        staff.append(
            User(
                email=email,
                name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                role=Role.MANAGER if is_manager else Role.AGENT,
                is_staff=is_manager,
                password=password,
                date_joined=now - timedelta(days=HISTORY_DAYS + 30),
            )
        )
    return User.objects.bulk_create(staff, batch_size=1000)


def _contacts(
    cursor,
    rng: random.Random,
    organizations: list[Organization],
    weights: list[float],
    n_contacts: int,
    password: str,
) -> dict[int, tuple[int, int]]:
    """contact<n>@org<i>.example, in proportion to each organisation's size (at least two; the
    first sees all of the organisation's tickets). Returns org id -> (first id, count)."""
    users = User._meta.db_table
    table = Table(User, CONTACT_COLUMNS)
    total_weight = sum(weights)
    org_contacts = {}
    cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{users}"')
    next_id = cursor.fetchone()[0] + 1
    for index, org in enumerate(organizations, start=1):
        share = weights[index - 1] / total_weight
        count = max(2, round(n_contacts * share))
        org_contacts[org.pk] = (next_id, count)
        for number in range(1, count + 1):
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            email = f"contact{number}@org{index}.example"
            admin = number == 1
            table.add(
                next_id,
                email,
                name,
                Role.CONTACT.value,
                org.pk,
                admin,
                "",
                True,
                False,
                False,
                org.created_at,
                password,
            )
            next_id += 1
    table.flush(cursor)
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('\"{users}\"', 'id'), %s, false)", [next_id]
    )
    return org_contacts
