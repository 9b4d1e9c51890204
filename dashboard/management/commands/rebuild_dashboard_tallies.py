"""Recompute the dashboard's maintained figures from the records they summarise:
`manage.py rebuild_dashboard_tallies`: the promise tally from the promise ledger
(updates.dashboard_tally), the vendor waits from the tickets' statuses and timelines (vendors).

The ledger and the vendors' status-change receiver keep both right by themselves; run this to
repair them after writing promises or statuses outside the services (a bulk import such as
seed_scale, rows deleted by hand), or with `--check` to compare without writing.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from updates import dashboard_tally
from vendors import selectors as vendor_selectors
from vendors import services as vendor_services


class Command(BaseCommand):
    help = "Recompute the dashboard's promise tally and vendor waits."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only compare with the records; exit with an error if they differ.",
        )

    def handle(self, *args, check: bool = False, **options) -> None:
        started = time.monotonic()
        if check:
            self.check_tallies()
            return
        tallies = dashboard_tally.rebuild()
        waits = vendor_services.rebuild_vendor_waits()
        self.stdout.write(
            self.style.SUCCESS(
                f"Rebuilt {tallies:,} promise tally rows and {waits:,} vendor waits "
                f"in {time.monotonic() - started:.1f} s."
            )
        )

    def check_tallies(self) -> None:
        expected = dashboard_tally.tallies_from_ledger()
        stored = dashboard_tally.stored_tallies()
        wrong = {
            key for key in expected.keys() | stored.keys() if expected.get(key) != stored.get(key)
        }
        waits = vendor_selectors.stored_vendor_waits()
        wrong_waits = waits != vendor_selectors.vendor_waits_from_timeline()
        if wrong or wrong_waits:
            raise CommandError(
                f"{len(wrong):,} promise tally rows differ from the ledger"
                + (" and the vendor waits differ from the timeline" if wrong_waits else "")
                + "; run rebuild_dashboard_tallies."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"The promise tally ({len(stored):,} rows) and the vendor waits "
                f"({len(waits):,}) match their records."
            )
        )
