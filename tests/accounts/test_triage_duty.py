"""Who hears of new unowned tickets: managers unless they opt out, agents only if they opt in."""

import pytest

pytestmark = pytest.mark.django_db


def test_managers_are_on_triage_duty_by_default_and_agents_are_not(manager, agent):
    assert manager.triage_duty is True
    assert agent.triage_duty is False


def test_the_setting_overrides_the_role_default(manager, agent):
    manager.triage_duty_setting = False
    agent.triage_duty_setting = True

    assert manager.triage_duty is False
    assert agent.triage_duty is True


def test_contacts_and_deactivated_staff_are_never_on_duty(contact, agent):
    contact.triage_duty_setting = True
    agent.triage_duty_setting = True
    agent.is_active = False

    assert contact.triage_duty is False
    assert agent.triage_duty is False


def test_email_can_be_turned_off_per_kind(agent):
    agent.notification_email_off = ["new_ticket"]

    assert agent.wants_email_for("new_ticket") is False
    assert agent.wants_email_for("handover") is True
