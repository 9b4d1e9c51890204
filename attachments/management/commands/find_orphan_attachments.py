"""List (and with --delete remove) stored files that no attachment row names: left behind by a
crash between writing a file and committing its entry, or by a restore of an older database.
Files younger than --min-age-minutes (60) are skipped: their entry may still be committing."""

from collections.abc import Iterator
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from attachments.models import Attachment
from attachments.storage import attachment_storage

BATCH = 1000


def stored_files(directory: str = "") -> Iterator[str]:
    storage = attachment_storage()
    directories, files = storage.listdir(directory)
    for name in files:
        yield f"{directory}/{name}" if directory else name
    for sub in directories:
        yield from stored_files(f"{directory}/{sub}" if directory else sub)


def orphan_files(*, min_age: timedelta) -> Iterator[str]:
    storage = attachment_storage()
    cutoff = timezone.now() - min_age
    batch: list[str] = []
    for name in stored_files():
        if storage.get_modified_time(name) > cutoff:
            continue
        batch.append(name)
        if len(batch) == BATCH:
            yield from _unknown(batch)
            batch = []
    yield from _unknown(batch)


def _unknown(names: list[str]) -> list[str]:
    known = set(
        Attachment.objects.filter(stored_name__in=names).values_list("stored_name", flat=True)
    )
    return [name for name in names if name not in known]


class Command(BaseCommand):
    help = "List stored attachment files that belong to no attachment (--delete removes them)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--delete", action="store_true", help="Delete the files listed.")
        parser.add_argument(
            "--min-age-minutes",
            type=int,
            default=60,
            help="Skip files stored more recently than this (default 60).",
        )

    def handle(self, *args, delete: bool = False, min_age_minutes: int = 60, **options) -> None:
        storage = attachment_storage()
        count = 0
        for name in orphan_files(min_age=timedelta(minutes=min_age_minutes)):
            count += 1
            if delete:
                storage.delete(name)
            self.stdout.write(name)
        verb = "Deleted" if delete else "Found"
        self.stderr.write(f"{verb} {count} orphan file{'s' if count != 1 else ''}.")
