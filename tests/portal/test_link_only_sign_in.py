"""An organisation admin may require the emailed link (no passwords) for their contacts."""

import pytest
from django.core import mail
from rest_framework.test import APIClient

from audit.models import AuditEvent
from tests.factories import PASSWORD, ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org_admin(organization):
    return ContactFactory(organization=organization, sees_organization_tickets=True)


def test_an_org_admin_requires_the_link_and_passwords_stop_working(client, org_admin, contact):
    client.force_login(org_admin)

    page = client.get("/portal/organisation/sign-in/")
    client.post("/portal/organisation/sign-in/", {"link_only": "on"})

    assert page.status_code == 200
    contact.organization.refresh_from_db()
    assert contact.organization.contacts_sign_in_by_link_only
    event = AuditEvent.objects.get(action="settings_changed")
    assert (event.actor, event.target_type) == (org_admin, "organization")

    other = client.__class__()
    response = other.post("/portal/login/", {"username": contact.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "emailed link" in response.content.decode()
    assert other.get("/portal/").status_code == 302
    token = APIClient().post(
        "/api/v1/auth/token/", {"username": contact.email, "password": PASSWORD}, format="json"
    )
    assert token.status_code == 400
    assert "password" in token.json()


def test_the_link_still_signs_in_and_no_reset_email_goes_out(
    client, org_admin, contact, django_capture_on_commit_callbacks
):
    contact.organization.contacts_sign_in_by_link_only = True
    contact.organization.save()

    client.post("/portal/password-reset/", {"email": contact.email})
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/portal/sign-in-link/", {"email": contact.email})
    assert len(mail.outbox) == 1


def test_switching_back_brings_passwords_back(client, org_admin, contact):
    contact.organization.contacts_sign_in_by_link_only = True
    contact.organization.save()
    client.force_login(org_admin)

    client.post("/portal/organisation/sign-in/", {})

    other = client.__class__()
    other.post("/portal/login/", {"username": contact.email, "password": PASSWORD})
    assert other.get("/portal/").status_code == 200


def test_only_an_org_admin_may_change_it(client, contact):
    client.force_login(contact)

    assert client.post("/portal/organisation/sign-in/", {"link_only": "on"}).status_code == 403
    contact.organization.refresh_from_db()
    assert not contact.organization.contacts_sign_in_by_link_only
