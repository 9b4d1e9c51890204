"""seed_demo also loads demo vendors and escalations (through seed_demo_vendors), idempotently."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from vendors.models import EscalationNote, EscalationStatus, Vendor, VendorEscalation
from vendors.services import claim_due_chases

pytestmark = pytest.mark.django_db


def test_seed_demo_loads_vendors_and_escalations_in_every_state_once():
    call_command("seed_demo", verbosity=0)
    vendors, escalations = Vendor.objects.count(), VendorEscalation.objects.count()
    assert vendors == 6
    assert escalations == 5
    statuses = set(VendorEscalation.objects.values_list("status", flat=True))
    assert {
        EscalationStatus.OPEN,
        EscalationStatus.VENDOR_NEEDS_INFO,
        EscalationStatus.AWAITING_VENDOR,
        EscalationStatus.CLOSED,
        EscalationStatus.RESOLVED,
    } <= statuses
    assert VendorEscalation.objects.acknowledgement_overdue().exists()
    assert EscalationNote.objects.filter(pushback=True).count() == 2
    # Notes carry the moment they were played at, not the seeding time.
    assert EscalationNote.objects.filter(
        created_at__lt=timezone.now() - timedelta(minutes=5)
    ).exists()
    # One chase is already due: the first sweep reminds its owner.
    assert len(claim_due_chases()) == 1

    call_command("seed_demo", verbosity=0)
    assert (Vendor.objects.count(), VendorEscalation.objects.count()) == (vendors, escalations)
