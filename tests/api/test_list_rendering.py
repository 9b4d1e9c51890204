"""api.base.ReadListSerializer draws a ticket list exactly as DRF's own ListSerializer does:
every serializer that uses it, for staff, a customer and the overdue list (whose method field
reads the request's context)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework import serializers

from api.base import ReadListSerializer
from api.overdue import OverdueTicketSerializer
from api.tickets import CustomerTicketSerializer, TicketSerializer
from tests.factories import TicketFactory
from tickets import services as ticket_services
from tickets.models import Status, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def tickets(organization, contact, agent):
    owned = TicketFactory(organization=organization, requester=contact, subject="Owned <b>")
    ticket_services.take_ownership(owned, by=agent)
    vendor = TicketFactory(organization=organization, requester=contact)
    ticket_services.take_ownership(vendor, by=agent)
    ticket_services.update_ticket(vendor, by=agent, changes={"status": Status.WAITING_ON_VENDOR})
    TicketFactory(organization=organization, requester=None, subject="Nobody asked")
    return Ticket.objects.select_related("organization", "owner", "requester").order_by("pk")


def drf_list(serializer_class, rows, context):
    class Plain(serializer_class):
        class Meta(serializer_class.Meta):
            list_serializer_class = serializers.ListSerializer

    return Plain(rows, many=True, context=context).data


@pytest.mark.parametrize(
    "serializer_class", [TicketSerializer, CustomerTicketSerializer, OverdueTicketSerializer]
)
def test_read_list_output_equals_drfs_for_every_ticket_serializer(serializer_class, tickets):
    context = {"now": timezone.now() + timedelta(days=30)}  # every promise late for overdue
    ours = serializer_class(list(tickets), many=True, context=context)

    assert isinstance(ours, ReadListSerializer)
    assert ours.data == drf_list(serializer_class, list(tickets), context)
    assert [list(row) for row in ours.data] == [
        list(row) for row in drf_list(serializer_class, list(tickets), context)
    ]  # the same keys in the same order
    assert {row["requester_name"] for row in ours.data} >= {None}


def test_a_field_it_does_not_know_is_left_to_drf(tickets):
    class WithHyperlink(TicketSerializer):
        self_link = serializers.HyperlinkedIdentityField(view_name="v1:ticket-detail")

        class Meta(TicketSerializer.Meta):
            fields = [*TicketSerializer.Meta.fields, "self_link"]

    assert ReadListSerializer._plan(WithHyperlink) is None
