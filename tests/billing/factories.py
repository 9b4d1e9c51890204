"""Factories of the billing tests: time entries made directly (the services are under test
elsewhere), contracts with their defaults."""

from datetime import UTC, datetime

import factory

from billing.models import Contract, TimeEntry, WorkType
from tests.factories import AgentFactory, TicketFactory


class WorkTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkType
        django_get_or_create = ["name"]

    name = "Remote"


class TimeEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimeEntry

    ticket = factory.SubFactory(TicketFactory)
    agent = factory.SubFactory(AgentFactory)
    started_at = datetime(2026, 11, 10, 10, 0, tzinfo=UTC)
    minutes = 30
    billable = True
    work_type = factory.SubFactory(WorkTypeFactory)
    note = ""


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract
