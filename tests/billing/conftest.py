import importlib

import pytest
from django.apps import apps as django_apps

from billing.models import WorkType
from tests.factories import ContactFactory, TicketFactory


@pytest.fixture
def work_types(db) -> None:
    """The work types the data migration seeds, as on a new installation. Seeded again here:
    a transactional (browser) test anywhere before this one empties every table."""
    migration = importlib.import_module("billing.migrations.0001_time_and_billing")
    migration.seed_work_types(django_apps, None)


@pytest.fixture
def remote(work_types) -> WorkType:
    return WorkType.objects.get(name="Remote")


@pytest.fixture
def on_site(work_types) -> WorkType:
    return WorkType.objects.get(name="On site")


@pytest.fixture
def ticket(organization, contact):
    return TicketFactory(organization=organization, requester=contact, subject="Printer jams")


@pytest.fixture
def org_admin(organization):
    return ContactFactory(
        name="Olga Admin", organization=organization, sees_organization_tickets=True
    )


@pytest.fixture
def api_as():
    """An API client signed in with the user's token, as a script would be."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    def make(user) -> APIClient:
        client = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make
