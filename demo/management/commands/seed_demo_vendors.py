"""Load the demo's vendors and their cases on the demo tickets (demo.vendor_data, played by
demo.vendor_cases); seed_demo does this too, after its own data."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from demo import vendor_cases


class Command(BaseCommand):
    help = "Load demo vendors and escalations on the demo tickets (idempotent)."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            vendors = vendor_cases.vendors()
            opened = vendor_cases.play_all(vendors, now=timezone.now())
        self.stdout.write(
            self.style.SUCCESS(vendor_cases.READY.format(vendors=len(vendors), opened=opened))
        )
