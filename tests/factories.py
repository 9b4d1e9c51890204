"""factory_boy factories shared by every test package."""

import factory

from accounts.models import Organization, Role, User
from tickets import services as ticket_services
from tickets.models import Ticket

PASSWORD = "correct-horse-battery"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Customer {n} Ltd")
    timezone = "Europe/London"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    name = factory.Faker("name")
    role = Role.AGENT
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class AgentFactory(UserFactory):
    role = Role.AGENT


class ManagerFactory(UserFactory):
    role = Role.MANAGER


class ContactFactory(UserFactory):
    role = Role.CONTACT
    organization = factory.SubFactory(OrganizationFactory)


class TicketFactory(factory.Factory):
    """Tickets are made through the intake service, so they carry their first promise."""

    class Meta:
        model = Ticket

    organization = factory.SubFactory(OrganizationFactory)
    subject = factory.Sequence(lambda n: f"Printer {n} is jammed")
    description = "It jams on every page."
    impact = 3
    urgency = 3
    requester = factory.LazyAttribute(lambda o: ContactFactory(organization=o.organization))
    owner = None
    needed_by = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs) -> Ticket:
        return ticket_services.create_ticket(created_by=kwargs.get("requester"), **kwargs)

    @classmethod
    def _build(cls, model_class, *args, **kwargs) -> Ticket:
        return model_class(*args, **kwargs)
