"""A check `manage.py migrate` runs before it migrates. The squashed migrations (issue 15) stand in
for older files. While those files ship beside them, a database that ran only some of them just
runs the rest (that is how a v1 desk upgrades). The release that deletes them cannot do that, and
Django would skip the app's remaining migrations without a word: this stops it. docs/upgrading.md."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.checks import CheckMessage, Error, Tags, register
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.migration import Migration
from django.db.migrations.recorder import MigrationRecorder


@register(Tags.database)
def squashed_migrations_fully_applied_or_not_at_all(
    app_configs: Any = None, databases: Iterable[str] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    for alias in databases or ():
        recorder = MigrationRecorder(connections[alias])
        if not recorder.has_table():
            continue
        on_disk = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
        errors += unfinished_squashes(alias, on_disk, set(recorder.applied_migrations()))
    return errors


def unfinished_squashes(
    alias: str, on_disk: Mapping[tuple[str, str], Migration], applied: set[tuple[str, str]]
) -> list[CheckMessage]:
    """An error per squashed migration whose replaced files ran in part, when some of the rest are
    no longer on disk to run."""
    errors: list[CheckMessage] = []
    for (app, name), migration in sorted(on_disk.items()):
        missing = [key for key in migration.replaces if key not in applied]
        gone = [key for key in missing if key not in on_disk]
        if len(missing) < len(migration.replaces) and gone:
            errors.append(
                Error(
                    f"Database '{alias}' ran only part of the {app} migrations that "
                    f"{app}/{name} replaces: {', '.join(n for _, n in missing)} never ran, "
                    "and this build no longer has them.",
                    hint="Check out the last release that has them (docs/upgrading.md), run "
                    "`manage.py migrate` there, then come back to this one.",
                    id="accounts.E001",
                )
            )
    return errors
