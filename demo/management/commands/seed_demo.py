"""Load the demo (demo.demo_data, played by demo.story), then its vendor cases."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from demo import story, vendor_cases
from demo.demo_data import CONTACTS, DEMO_PASSWORD, LIVE_SUBJECT, STAFF


class Command(BaseCommand):
    help = "Load realistic demo data (idempotent)."

    def handle(self, *args, **options) -> None:
        now = timezone.now()
        with transaction.atomic():
            played = story.play_demo(now=now)
            vendors = vendor_cases.vendors()
            opened = vendor_cases.play_all(vendors, now=now)
        created = len(played.created)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({created} new tickets)."))
        self.stdout.write(
            self.style.SUCCESS(vendor_cases.READY.format(vendors=len(vendors), opened=opened))
        )
        if played.rearmed or created:
            self.stdout.write(
                f"  Watch the bell as {STAFF['alice'][0]}: a due-soon reminder for "
                f'"{LIVE_SUBJECT}" arrives in about a minute.'
            )
        self.stdout.write(f"  Manager:  {STAFF['manager'][0]} / {DEMO_PASSWORD}   (staff: /login/)")
        self.stdout.write(f"  Agent:    {STAFF['alice'][0]} / {DEMO_PASSWORD}")
        self.stdout.write(f"  Customer: {CONTACTS['priya'][0]} / {DEMO_PASSWORD}")
