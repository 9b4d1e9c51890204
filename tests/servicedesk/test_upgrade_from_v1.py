"""A real upgrade from v1 (docs/upgrading.md): a scratch PostgreSQL database is migrated to what v1
(3dddd77) had run, then `manage.py migrate` runs on it as on a desk, and its schema must be the
one a new database gets. About 15 s: two migrate runs and two pg_dumps."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from tests.servicedesk.test_migrations import HISTORY_AT_V1, HISTORY_BEFORE_SQUASH, SQUASHED

ROOT = Path(__file__).resolve().parents[2]
V1_LEAVES = [
    ("accounts", "0002_standard_support_plan"),
    ("tickets", "0010_merge_search_and_portal_requester_indexes"),
    ("updates", "0011_merge_sweep_watermark_and_dashboard_tallies"),
    ("vendors", "0002_chase_reminders_through_the_outbox"),
]
# Apps v1 did not have, or had without migrations (the dashboard's first came with issue 25):
# the upgrade's migrate creates them.
NEW_SINCE_V1 = [
    "attachments",
    "audit",
    "billing",
    "dashboard",
    "inbound",
    "incidents",
    "saved_replies",
    "webhooks",
]
PROJECT_APPS = {"accounts", "tickets", "updates", "vendors", *NEW_SINCE_V1}
# Migrates this project's apps to v1's leaves with the replaced files (as v1's own checkout would)
# and the other apps all the way, then forgets the squashed names Django records once a squash's
# files have all run: v1 had never heard of them.
TO_V1 = """
import json, sys, django
django.setup()
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
leaves = json.loads(sys.argv[1])
new_since_v1 = set(json.loads(sys.argv[2]))
for app, name in leaves:
    call_command("migrate", app, name, verbosity=0)
loader = MigrationLoader(None)
for app in sorted(
    {app for app, _ in loader.graph.leaf_nodes()} - {app for app, _ in leaves} - new_since_v1
):
    call_command("migrate", app, verbosity=0)  # Django's and the libraries' own apps
recorder = MigrationRecorder(connection)
for app, name in loader.replacements:
    recorder.record_unapplied(app, name)
print(json.dumps(sorted(recorder.applied_migrations())))
"""


def _schema(url: str) -> set[str]:
    """pg_dump --schema-only as a set of statements, a table's columns in any order (a squash
    makes columns in a different order than the migrations that added them one by one)."""
    dump = subprocess.run(
        ["pg_dump", "--schema-only", "--no-owner", url], capture_output=True, text=True, check=True
    ).stdout
    lines = [line for line in dump.splitlines() if not line.startswith(("--", "\\"))]
    statements = set()
    for statement in "\n".join(lines).split(";\n"):
        statement = statement.strip()
        if table := re.fullmatch(r"CREATE TABLE (\S+) \((.*)\)", statement, re.S):
            columns = sorted(c.strip().rstrip(",") for c in table[2].splitlines() if c.strip())
            statement = f"CREATE TABLE {table[1]} ({', '.join(columns)})"
        if statement:
            statements.add(statement)
    return statements


def _url(name: str) -> str:
    settings = connection.settings_dict
    credentials = quote(settings["USER"] or "", safe="")
    if settings["PASSWORD"]:
        credentials += ":" + quote(settings["PASSWORD"], safe="")
    host = f"{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{name}"


def _admin(sql: str) -> None:
    settings = connection.settings_dict
    maintenance = psycopg2.connect(
        dbname="postgres",
        user=settings["USER"],
        password=settings["PASSWORD"],
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
    )
    maintenance.autocommit = True
    try:
        with maintenance.cursor() as cursor:
            cursor.execute(sql)
    finally:
        maintenance.close()


def _run(args: list[str], url: str) -> str:
    env = os.environ | {"DATABASE_URL": url, "TESTING": "true"}
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def scratch_database(db):
    name = f"{connection.settings_dict['NAME']}_v1_upgrade"
    _admin(f'DROP DATABASE IF EXISTS "{name}"')
    _admin(f'CREATE DATABASE "{name}"')
    yield name
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.skipif(connection.vendor != "postgresql", reason="compares PostgreSQL schemas")
@pytest.mark.skipif(not shutil.which("pg_dump"), reason="needs pg_dump")
@pytest.mark.django_db  # so that the (new) test database is made, to compare with
def test_a_v1_database_upgrades_with_a_plain_migrate_to_the_schema_of_a_new_one(
    scratch_database,
):
    url = _url(scratch_database)
    recorded = _run(
        [sys.executable, "-c", TO_V1, json.dumps(V1_LEAVES), json.dumps(NEW_SINCE_V1)], url
    )
    assert {tuple(key) for key in json.loads(recorded) if key[0] in PROJECT_APPS} == HISTORY_AT_V1

    output = _run([sys.executable, "manage.py", "migrate", "--no-input"], url)

    applied = set(re.findall(r"Applying (\w+)\.(\w+)\.\.\. OK", output))
    written_since = {
        key
        for key in MigrationLoader(None).graph.nodes
        if key[0] in PROJECT_APPS and key not in SQUASHED | HISTORY_BEFORE_SQUASH
    }
    assert ("updates", "0012_delete_vendor_wait") in applied
    assert ("tickets", "0011_prune_overlapping_indexes") in written_since
    assert applied == (HISTORY_BEFORE_SQUASH - HISTORY_AT_V1) | written_since
    # The test database is a new one: pytest-django made it with `migrate`.
    assert _schema(url) == _schema(_url(connection.settings_dict["NAME"]))
