"""Factories for vendors and escalations; escalations go through the services like real ones."""

import factory

from tests.factories import AgentFactory, TicketFactory
from vendors import services
from vendors.models import EscalationNote, Vendor, VendorEscalation


class VendorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vendor
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Supplier {n}")
    support_email = factory.LazyAttribute(lambda o: f"support@{o.name.split()[0].lower()}.test")
    expected_response_minutes = 60


class EscalationFactory(factory.Factory):
    class Meta:
        model = VendorEscalation

    ticket = factory.SubFactory(TicketFactory)
    vendor = factory.SubFactory(VendorFactory)
    by = factory.SubFactory(AgentFactory)
    summary = factory.Sequence(lambda n: f"Replacement part {n} requested under warranty")
    vendor_reference = factory.Sequence(lambda n: f"CASE-{n:05d}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs) -> VendorEscalation:
        return services.open_escalation(**kwargs)


class EscalationNoteFactory(factory.Factory):
    class Meta:
        model = EscalationNote

    escalation = factory.SubFactory(EscalationFactory)
    author = factory.SubFactory(AgentFactory)
    body = "Vendor asked for logs again."
    pushback = False

    @classmethod
    def _create(cls, model_class, *args, **kwargs) -> EscalationNote:
        escalation = kwargs.pop("escalation")
        return services.log_escalation_note(escalation, **kwargs)
