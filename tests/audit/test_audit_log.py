"""The audit log only grows: record() appends, and nothing in the project can change or remove a row."""

import pytest
from django.test import RequestFactory

from audit.models import AppendOnlyError, AuditEvent
from audit.services import record
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def test_record_names_the_actor_the_target_and_the_address_of_the_request(manager):
    organization = OrganizationFactory()
    request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.7")
    request.user = manager

    event = record(
        "settings_changed", target=organization, request=request, detail={"field": "plan"}
    )

    stored = AuditEvent.objects.get()
    assert stored == event
    assert (stored.actor, stored.action, stored.ip) == (manager, "settings_changed", "192.0.2.7")
    assert stored.target == {"type": "organization", "id": str(organization.pk)}
    assert stored.detail == {"field": "plan"}


def test_a_target_may_be_named_by_type_and_id_and_an_anonymous_request_has_no_actor():
    request = RequestFactory().post("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()

    event = record("sign_in_failed", target=("user", 42), request=request)

    assert event.actor is None
    assert event.target == {"type": "user", "id": "42"}


def test_an_event_cannot_be_changed_or_deleted(manager):
    event = record("role_changed", actor=manager, target=manager)

    event.action = "something_else"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get().action == "role_changed"
