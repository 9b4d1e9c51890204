import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Organization, Role, User
from tests.factories import PASSWORD, ContactFactory, OrganizationFactory

ORGS = "/api/v1/organizations/"
USERS = "/api/v1/users/"


def test_a_manager_adds_and_changes_an_organisation(api_client_for, manager):
    client = api_client_for(manager)
    created = client.post(
        ORGS,
        {"name": "Kiwi Freight", "timezone": "Pacific/Auckland", "holiday_country": "NZ"},
        format="json",
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["name"], body["timezone"]) == ("Kiwi Freight", "Pacific/Auckland")
    assert body["business_opens"] == "08:00:00"

    changed = client.patch(f"{ORGS}{body['id']}/", {"timezone": "Asia/Tokyo"}, format="json")
    assert changed.status_code == 200
    assert changed.json()["timezone"] == "Asia/Tokyo"
    assert changed.json()["name"] == "Kiwi Freight"
    assert Organization.objects.get(pk=body["id"]).timezone == "Asia/Tokyo"


def test_agents_read_organisations_but_do_not_change_them(api_client_for, agent, organization):
    client = api_client_for(agent)
    assert client.get(ORGS).json()["count"] == 1
    assert client.get(f"{ORGS}{organization.pk}/").json()["name"] == organization.name
    assert client.post(ORGS, {"name": "New"}, format="json").status_code == 403
    response = client.patch(f"{ORGS}{organization.pk}/", {"name": "Renamed"}, format="json")
    assert response.status_code == 403
    organization.refresh_from_db()
    assert organization.name == "Northwind Traders"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "Northwind Traders"}, "name"),
        ({"name": ""}, "name"),
        ({"name": "n" * 201}, "name"),
        ({"name": "Ok", "timezone": "Mars/Olympus"}, "timezone"),
        ({"name": "Ok", "business_opens": "18:00", "business_closes": "08:00"}, "business_closes"),
        ({"name": "Ok", "business_weekdays": "7,8"}, "business_weekdays"),
        ({"name": "Ok", "holiday_country": "ZZ"}, "holiday_country"),
        ({"name": "Ok", "support_plan": 99999}, "support_plan"),
        ({"name": "Ok", "created_at": "2020-01-01T00:00:00Z"}, "created_at"),
    ],
)
def test_bad_organisation_fields_answer_400_naming_the_field(
    api_client_for, manager, organization, payload, field
):
    response = api_client_for(manager).post(ORGS, payload, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert Organization.objects.count() == 1


def test_a_manager_creates_people_with_their_roles(api_client_for, manager, organization):
    client = api_client_for(manager)
    contact = client.post(
        USERS,
        {
            "email": "Sam@Northwind.test",
            "name": "Sam Carter",
            "password": "a long passphrase 2026",
            "role": "contact",
            "organization": organization.pk,
        },
        format="json",
    )
    assert contact.status_code == 201
    body = contact.json()
    assert body["email"] == "sam@northwind.test"
    assert body["organization"] == organization.pk
    assert "password" not in body
    user = User.objects.get(pk=body["id"])
    assert user.check_password("a long passphrase 2026")
    assert user.role == Role.CONTACT

    agent = client.post(
        USERS,
        {"email": "dev@msp.test", "password": "another long passphrase", "role": "agent"},
        format="json",
    )
    assert agent.status_code == 201
    assert agent.json()["organization"] is None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "morgan@msp.test", "role": "agent"}, "email"),
        ({"email": "not-an-email", "role": "agent"}, "email"),
        ({"email": "a@msp.test", "role": "admin"}, "role"),
        ({"email": "a@msp.test", "role": "contact"}, "organization"),
        ({"email": "a@msp.test", "role": "agent", "organization": 1}, "organization"),
        ({"email": "a@msp.test", "role": "agent", "password": "123"}, "password"),
        ({"email": "a@msp.test", "role": "agent", "is_superuser": True}, "is_superuser"),
    ],
)
def test_bad_user_fields_answer_400_naming_the_field(
    api_client_for, manager, organization, payload, field
):
    payload = {"password": "a long passphrase 2026", **payload}
    if payload.get("organization") == 1:
        payload["organization"] = organization.pk
    before = User.objects.count()
    response = api_client_for(manager).post(USERS, payload, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert User.objects.count() == before


def test_users_are_for_managers_only(api_client_for, agent):
    client = api_client_for(agent)
    assert client.get(USERS).status_code == 403
    response = client.post(
        USERS, {"email": "x@msp.test", "password": PASSWORD, "role": "manager"}, format="json"
    )
    assert response.status_code == 403
    assert not User.objects.filter(email="x@msp.test").exists()


def test_users_filter_by_role_and_organization(
    api_client_for, manager, agent, contact, organization, other_contact
):
    client = api_client_for(manager)
    contacts = client.get(USERS, {"role": "contact"}).json()["results"]
    assert {row["id"] for row in contacts} == {contact.pk, other_contact.pk}
    mine = client.get(USERS, {"organization": organization.pk}).json()["results"]
    assert [row["id"] for row in mine] == [contact.pk]


def test_organisation_and_user_lists_run_constant_queries(
    api_client_for, manager, django_assert_num_queries
):
    client = api_client_for(manager)
    ContactFactory(organization=OrganizationFactory())
    with CaptureQueriesContext(connection) as few_orgs:
        client.get(ORGS)
    with CaptureQueriesContext(connection) as few_users:
        client.get(USERS)
    for _ in range(19):
        ContactFactory(organization=OrganizationFactory())
    with django_assert_num_queries(len(few_orgs.captured_queries)):
        assert client.get(ORGS).json()["count"] == 20
    with django_assert_num_queries(len(few_users.captured_queries)):
        assert client.get(USERS).json()["count"] == 21
