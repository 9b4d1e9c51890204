"""Recompute the dashboard's promise tally from the promise ledger:
`manage.py rebuild_promise_tallies` (see updates.dashboard_tally.rebuild).

The ledger keeps the tally right by itself; run this to repair it after writing promises outside
the ledger (a bulk import, rows deleted by hand) or to check it (`--check` only compares).
"""

import time

from django.core.management.base import BaseCommand, CommandError

from updates import dashboard_tally


class Command(BaseCommand):
    help = "Recompute the dashboard's promise tally (due and kept per hour and priority)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only compare the tally with the ledger; exit with an error if they differ.",
        )

    def handle(self, *args, check: bool = False, **options) -> None:
        started = time.monotonic()
        if check:
            expected = {key: value for key, value in dashboard_tally.tallies_from_ledger().items()}
            stored = dashboard_tally.stored_tallies()
            wrong = {
                key
                for key in expected.keys() | stored.keys()
                if expected.get(key) != stored.get(key)
            }
            if wrong:
                raise CommandError(
                    f"{len(wrong):,} tally rows differ from the ledger; run rebuild_promise_tallies."
                )
            self.stdout.write(
                self.style.SUCCESS(f"The tally matches the ledger ({len(stored):,} rows).")
            )
            return
        rows = dashboard_tally.rebuild()
        self.stdout.write(
            self.style.SUCCESS(
                f"Rebuilt {rows:,} tally rows in {time.monotonic() - started:.1f} s."
            )
        )
