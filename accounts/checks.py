"""A check `manage.py migrate` runs before it migrates: the squashed migrations (issue 15) stand in
for files this build no longer has, so a database that ran only some of those files cannot be
upgraded by it, and Django would skip the app's migrations without a word. docs/upgrading.md."""

from collections.abc import Iterable
from typing import Any

from django.core.checks import CheckMessage, Error, Tags, register
from django.db import connections
from django.db.migrations.loader import MigrationLoader
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
        applied = set(recorder.applied_migrations())
        squashed = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
        for (app, name), migration in sorted(squashed.items()):
            missing = [key for key in migration.replaces if key not in applied]
            if 0 < len(missing) < len(migration.replaces):
                errors.append(
                    Error(
                        f"Database '{alias}' ran only part of the {app} migrations that "
                        f"{app}/{name} replaces: {', '.join(n for _, n in missing)} never ran, "
                        "and this build no longer has them.",
                        hint="Check out the release before the migrations were squashed, run "
                        "`manage.py migrate` there, then come back to this one "
                        "(docs/upgrading.md).",
                        id="accounts.E001",
                    )
                )
    return errors
