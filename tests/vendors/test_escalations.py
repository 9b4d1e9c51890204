"""Vendor escalation rules: timestamps stamped by status changes, validation that writes nothing,
the acknowledgement flag, internal-only history."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from tests.factories import ContactFactory, TicketFactory
from tests.vendors.factories import EscalationFactory, VendorFactory
from tickets import services as ticket_services
from tickets.models import Status
from updates.models import EntryKind, PromiseOutcome, TimelineEntry
from vendors import services
from vendors.models import EscalationNote, EscalationStatus, VendorEscalation

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def ticket(agent, organization):
    with time_machine.travel(T0 - timedelta(minutes=5), tick=False):
        ticket = TicketFactory(organization=organization, impact=2, urgency=2)
        return ticket_services.take_ownership(ticket, by=agent)


@pytest.fixture
def vendor(db):
    return VendorFactory(
        name="Dell", aliases="Dell Technologies\nDell EMC", expected_response_minutes=60
    )


def escalate(ticket, vendor, agent, **kwargs):
    kwargs.setdefault("summary", "Disk failed in the file server; warranty replacement.")
    kwargs.setdefault("vendor_reference", "SR-1001")
    return services.open_escalation(ticket=ticket, vendor=vendor, by=agent, **kwargs)


def at(minutes: int):
    return time_machine.travel(T0 + timedelta(minutes=minutes), tick=False)


@pytest.mark.django_db
class TestOpening:
    def test_opening_stamps_opened_and_the_acknowledgement_deadline(self, ticket, vendor, agent):
        with at(0):
            escalation = escalate(ticket, vendor, agent)
        assert escalation.status == EscalationStatus.OPEN
        assert escalation.opened_at == T0
        assert escalation.acknowledge_by == T0 + timedelta(minutes=60)
        assert escalation.acknowledged_at is None
        assert escalation.resolved_at is None
        assert escalation.opened_by == agent

    def test_vendor_without_expected_response_has_no_deadline(self, ticket, agent):
        vendor = VendorFactory(name="Tiny ISP", expected_response_minutes=None)
        with at(0):
            escalation = escalate(ticket, vendor, agent)
        assert escalation.acknowledge_by is None
        with at(10_000):
            assert not escalation.acknowledgement_overdue()
            assert not escalation.breached_expected_response()

    def test_opening_as_acknowledged_stamps_acknowledged_at(self, ticket, vendor, agent):
        with at(0):
            escalation = escalate(ticket, vendor, agent, status=EscalationStatus.ACKNOWLEDGED)
        assert escalation.acknowledged_at == T0

    def test_opening_logs_an_internal_event_only(self, ticket, vendor, agent):
        with at(0):
            escalate(ticket, vendor, agent)
        event = TimelineEntry.objects.get(ticket=ticket, event="vendor_escalated")
        assert event.is_public is False
        assert "Dell" in event.body

    def test_ticket_can_be_marked_waiting_on_vendor_and_still_owes_updates(
        self, ticket, vendor, agent
    ):
        with at(0):
            escalate(ticket, vendor, agent, mark_ticket_waiting=True)
        ticket.refresh_from_db()
        assert ticket.status == Status.WAITING_ON_VENDOR
        # Rule 5: a vendor wait does not pause the promise.
        assert ticket.next_update_due is not None
        assert ticket.promises.filter(outcome=PromiseOutcome.PENDING).exists()

    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"summary": "   "}, "summary"),
            ({"summary": "x" * 2001}, "summary"),
            ({"vendor_reference": "x" * 101}, "vendor_reference"),
            ({"status": "lost"}, "status"),
            ({"next_chase_at": T0 - timedelta(minutes=1)}, "next_chase_at"),
            ({"next_chase_at": datetime(2026, 3, 3, 9, 0)}, "next_chase_at"),
            ({"mark_ticket_waiting": "yes"}, "mark_ticket_waiting"),
        ],
    )
    def test_bad_input_names_the_field_and_writes_nothing(
        self, ticket, vendor, agent, kwargs, field
    ):
        with at(0), pytest.raises(ValidationError) as raised:
            escalate(ticket, vendor, agent, **kwargs)
        assert field in raised.value.message_dict
        assert not VendorEscalation.objects.exists()
        assert not TimelineEntry.objects.filter(event="vendor_escalated").exists()

    def test_inactive_vendor_takes_no_new_escalations(self, ticket, vendor, agent):
        vendor.is_active = False
        vendor.save()
        with pytest.raises(ValidationError) as raised:
            escalate(ticket, vendor, agent)
        assert "vendor" in raised.value.message_dict

    def test_contacts_cannot_escalate(self, ticket, vendor, contact):
        with pytest.raises(ValidationError):
            escalate(ticket, vendor, contact)
        assert not VendorEscalation.objects.exists()

    def test_closed_ticket_cannot_be_escalated(self, ticket, vendor, agent):
        ticket_services.change_status(ticket, status=Status.CLOSED, by=agent)
        ticket.refresh_from_db()
        with pytest.raises(ValidationError) as raised:
            escalate(ticket, vendor, agent)
        assert "ticket" in raised.value.message_dict


@pytest.mark.django_db
class TestStatusStamps:
    def test_first_status_other_than_open_stamps_acknowledged_at_once(self, ticket, vendor, agent):
        with at(0):
            escalation = escalate(ticket, vendor, agent)
        with at(25):
            services.change_escalation_status(
                escalation, status=EscalationStatus.VENDOR_NEEDS_INFO, by=agent
            )
        with at(90):
            escalation = services.change_escalation_status(
                escalation, status=EscalationStatus.AWAITING_VENDOR, by=agent
            )
        assert escalation.acknowledged_at == T0 + timedelta(minutes=25)
        assert escalation.resolved_at is None

    def test_resolved_stamps_resolved_at_and_closing_keeps_it(self, ticket, vendor, agent):
        with at(0):
            escalation = escalate(ticket, vendor, agent)
        with at(30):
            services.change_escalation_status(
                escalation, status=EscalationStatus.ACKNOWLEDGED, by=agent
            )
        with at(300):
            services.change_escalation_status(
                escalation, status=EscalationStatus.RESOLVED, by=agent
            )
        with at(400):
            escalation = services.change_escalation_status(
                escalation, status=EscalationStatus.CLOSED, by=agent
            )
        assert escalation.acknowledged_at == T0 + timedelta(minutes=30)
        assert escalation.resolved_at == T0 + timedelta(minutes=300)

    def test_closing_an_open_case_stamps_both(self, ticket, vendor, agent):
        with at(0):
            escalation = escalate(ticket, vendor, agent)
        with at(45):
            escalation = services.change_escalation_status(
                escalation, status=EscalationStatus.CLOSED, by=agent
            )
        assert escalation.acknowledged_at == escalation.resolved_at == T0 + timedelta(minutes=45)

    def test_reopening_a_resolved_case_clears_its_resolution(self, ticket, vendor, agent):
        with at(0):
            escalation = escalate(ticket, vendor, agent)
        with at(60):
            services.change_escalation_status(
                escalation, status=EscalationStatus.RESOLVED, by=agent
            )
        with at(120):
            escalation = services.change_escalation_status(
                escalation, status=EscalationStatus.AWAITING_VENDOR, by=agent
            )
        assert escalation.resolved_at is None
        assert escalation.acknowledged_at == T0 + timedelta(minutes=60)
        with at(200):
            escalation = services.change_escalation_status(
                escalation, status=EscalationStatus.RESOLVED, by=agent
            )
        assert escalation.resolved_at == T0 + timedelta(minutes=200)

    def test_resolving_stops_the_chasing(self, ticket, vendor, agent):
        with at(0):
            escalation = escalate(ticket, vendor, agent, next_chase_at=T0 + timedelta(hours=2))
            escalation = services.change_escalation_status(
                escalation, status=EscalationStatus.RESOLVED, by=agent
            )
        assert escalation.next_chase_at is None
        with at(1), pytest.raises(ValidationError) as raised:
            services.set_next_chase(escalation, next_chase_at=T0 + timedelta(hours=3), by=agent)
        assert "next_chase_at" in raised.value.message_dict

    @pytest.mark.parametrize("target", [EscalationStatus.OPEN, EscalationStatus.ACKNOWLEDGED])
    def test_closed_is_final_and_open_is_only_the_start(self, ticket, vendor, agent, target):
        with at(0):
            escalation = escalate(ticket, vendor, agent)
            services.change_escalation_status(escalation, status=EscalationStatus.CLOSED, by=agent)
            with pytest.raises(ValidationError) as raised:
                services.change_escalation_status(escalation, status=target, by=agent)
        assert "status" in raised.value.message_dict
        escalation.refresh_from_db()
        assert escalation.status == EscalationStatus.CLOSED

    def test_status_changes_are_logged_internally(self, ticket, vendor, agent):
        with at(0):
            escalation = escalate(ticket, vendor, agent)
            services.change_escalation_status(
                escalation, status=EscalationStatus.RESOLVED, by=agent
            )
        event = TimelineEntry.objects.get(event="vendor_escalation_status")
        assert event.is_public is False
        assert event.kind == EntryKind.EVENT


@pytest.mark.django_db
class TestAcknowledgementFlag:
    def test_flagged_once_the_expected_response_time_passes_unacknowledged(
        self, ticket, vendor, agent
    ):
        with at(0):
            escalation = escalate(ticket, vendor, agent)
        with at(60):
            assert not escalation.acknowledgement_overdue()
            assert not VendorEscalation.objects.acknowledgement_overdue().exists()
        with at(61):
            assert escalation.acknowledgement_overdue()
            assert escalation.breached_expected_response()
            assert list(VendorEscalation.objects.acknowledgement_overdue()) == [escalation]

    def test_late_acknowledgement_clears_the_flag_but_counts_as_breached(
        self, ticket, vendor, agent
    ):
        with at(0):
            escalation = escalate(ticket, vendor, agent)
        with at(90):
            escalation = services.change_escalation_status(
                escalation, status=EscalationStatus.ACKNOWLEDGED, by=agent
            )
            assert not escalation.acknowledgement_overdue()
            assert escalation.breached_expected_response()
            assert not VendorEscalation.objects.acknowledgement_overdue().exists()

    def test_timely_acknowledgement_is_not_breached(self, ticket, vendor, agent):
        with at(0):
            escalation = escalate(ticket, vendor, agent)
        with at(60):
            escalation = services.change_escalation_status(
                escalation, status=EscalationStatus.ACKNOWLEDGED, by=agent
            )
        with at(600):
            assert not escalation.breached_expected_response()


@pytest.mark.django_db
class TestNotesAndEdits:
    def test_note_records_the_pushback_flag(self, ticket, vendor, agent):
        escalation = escalate(ticket, vendor, agent)
        services.log_escalation_note(
            escalation,
            author=agent,
            body="They want the customer to reseat the disk.",
            pushback=True,
        )
        services.log_escalation_note(escalation, author=agent, body="Chased by phone.")
        notes = list(EscalationNote.objects.filter(escalation=escalation))
        assert [note.pushback for note in notes] == [True, False]
        assert escalation.pushback_count == 1

    def test_notes_never_touch_the_customer_timeline_or_the_promise(self, ticket, vendor, agent):
        escalation = escalate(ticket, vendor, agent)
        before = TimelineEntry.objects.filter(ticket=ticket).count()
        due_before = ticket.promises.get(outcome=PromiseOutcome.PENDING).due_at
        services.log_escalation_note(escalation, author=agent, body="Engineer booked for 14:00.")
        assert TimelineEntry.objects.filter(ticket=ticket).count() == before
        assert ticket.promises.get(outcome=PromiseOutcome.PENDING).due_at == due_before

    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [({"body": ""}, "body"), ({"body": "ok", "pushback": "true"}, "pushback")],
    )
    def test_bad_note_writes_nothing(self, ticket, vendor, agent, kwargs, field):
        escalation = escalate(ticket, vendor, agent)
        with pytest.raises(ValidationError) as raised:
            services.log_escalation_note(escalation, author=agent, **kwargs)
        assert field in raised.value.message_dict
        assert not EscalationNote.objects.exists()

    def test_contact_cannot_write_notes(self, ticket, vendor, agent, organization):
        escalation = escalate(ticket, vendor, agent)
        with pytest.raises(ValidationError):
            services.log_escalation_note(
                escalation, author=ContactFactory(organization=organization), body="hi"
            )

    def test_update_is_all_or_nothing(self, ticket, vendor, agent):
        with at(0):
            escalation = escalate(ticket, vendor, agent)
            with pytest.raises(ValidationError) as raised:
                services.update_escalation(
                    escalation,
                    by=agent,
                    changes={
                        "vendor_reference": "SR-2",
                        "status": "acknowledged",
                        "next_chase_at": T0,
                    },
                )
        assert "next_chase_at" in raised.value.message_dict
        escalation.refresh_from_db()
        assert escalation.vendor_reference == "SR-1001"
        assert escalation.status == EscalationStatus.OPEN
        assert escalation.acknowledged_at is None

    def test_update_applies_every_field(self, ticket, vendor, agent):
        with at(0):
            escalation = escalate(ticket, vendor, agent)
            escalation = services.update_escalation(
                escalation,
                by=agent,
                changes={
                    "vendor_reference": "SR-2",
                    "summary": "New summary",
                    "status": "awaiting_vendor",
                    "next_chase_at": T0 + timedelta(hours=4),
                    "rca_requested": True,
                },
            )
        assert escalation.vendor_reference == "SR-2"
        assert escalation.summary == "New summary"
        assert escalation.status == EscalationStatus.AWAITING_VENDOR
        assert escalation.acknowledged_at == T0
        assert escalation.next_chase_at == T0 + timedelta(hours=4)
        assert escalation.rca_requested
        assert not escalation.rca_received

    def test_update_refuses_unknown_fields(self, ticket, vendor, agent):
        escalation = escalate(ticket, vendor, agent)
        with pytest.raises(ValidationError) as raised:
            services.update_escalation(escalation, by=agent, changes={"acknowledged_at": T0})
        assert "acknowledged_at" in raised.value.message_dict


@pytest.mark.django_db
class TestVendors:
    def test_create_vendor_validates_fields(self):
        with pytest.raises(ValidationError) as raised:
            services.create_vendor(name="Acme", support_email="not-an-email")
        assert "support_email" in raised.value.message_dict
        with pytest.raises(ValidationError) as raised:
            services.create_vendor(name="Acme", expected_response_minutes=0)
        assert "expected_response_minutes" in raised.value.message_dict

    def test_duplicate_vendor_name_is_refused(self):
        services.create_vendor(name="Acme")
        with pytest.raises(ValidationError) as raised:
            services.create_vendor(name="Acme")
        assert "name" in raised.value.message_dict

    def test_aliases_split_on_lines_and_commas(self):
        vendor = services.create_vendor(name="Microsoft", aliases="MS, M365\nOffice 365;Azure")
        assert vendor.names == ["Microsoft", "MS", "M365", "Office 365", "Azure"]

    def test_update_vendor(self):
        vendor = services.create_vendor(name="Acme")
        vendor = services.update_vendor(vendor, changes={"expected_response_minutes": 30})
        assert vendor.expected_response_minutes == 30
        with pytest.raises(ValidationError):
            services.update_vendor(vendor, changes={"id": 3})


def test_factories_make_escalations(db):
    escalation = EscalationFactory()
    assert escalation.pk
    assert escalation.ticket.pk
