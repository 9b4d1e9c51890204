"""The squashed migrations (issue 15): a new database runs a few migrations, and a desk migrated
on v1 or any later build upgrades with a plain `migrate` (docs/upgrading.md). The real upgrade of
a v1 database is in test_upgrade_from_v1.py."""

from importlib import import_module
from unittest import mock

import pytest
from django.apps import apps
from django.core.checks import Error
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from accounts.checks import squashed_migrations_fully_applied_or_not_at_all, unfinished_squashes
from accounts.models import SupportPlan

SQUASHED = {
    ("tickets", "0001_squashed_0010"),
    ("updates", "0001_squashed_0012"),
    ("vendors", "0001_squashed_0003"),
}
# What django_migrations held for this project's apps on a desk migrated just before the squash.
HISTORY_BEFORE_SQUASH = (
    {("accounts", name) for name in ["0001_initial", "0002_standard_support_plan"]}
    | {
        ("tickets", name)
        for name in [
            "0001_initial",
            "0002_notifications_feedback_losses",
            "0003_promise_constraint_stable_order",
            "0004_workspace_collaborators_and_search",
            "0005_ticket_contact_preferences",
            "0006_dashboard_indexes",
            "0006_queue_keyset_indexes",
            "0006_scale_indexes",
            "0007_merge_queue_and_dashboard_indexes",
            "0008_merge_scale_indexes",
            "0009_portal_requester_index",
            "0009_search_open_due_index",
            "0010_merge_search_and_portal_requester_indexes",
        ]
    }
    | {
        ("updates", name)
        for name in [
            "0001_initial",
            "0002_notifications_feedback_losses",
            "0003_promise_keeper",
            "0004_backfill_ticket_search_text",
            "0005_dashboard_indexes",
            "0005_outbox_vendor_chase",
            "0005_scale_indexes",
            "0006_merge_dashboard_indexes_and_vendor_chase",
            "0006_promise_owner_and_organization",
            "0007_merge_promise_owner_and_vendor_chase",
            "0008_merge_scale_indexes",
            "0009_promise_tally",
            "0009_sweep_watermark_and_idle_check_indexes",
            "0010_vendor_wait",
            "0011_merge_sweep_watermark_and_dashboard_tallies",
            "0012_delete_vendor_wait",
        ]
    }
    | {
        ("vendors", name)
        for name in [
            "0001_vendors_escalations_chases",
            "0002_chase_reminders_through_the_outbox",
            "0003_vendor_wait",
        ]
    }
)
# What v1 (3dddd77) had run: updates/0012 and vendors/0003 came after it.
HISTORY_AT_V1 = HISTORY_BEFORE_SQUASH - {
    ("updates", "0012_delete_vendor_wait"),
    ("vendors", "0003_vendor_wait"),
}
PROJECT_APPS = {"accounts", "tickets", "updates", "vendors"}


def _recorded(history: set[tuple[str, str]]):
    """Make the migration recorder report `history` for this project's apps (Django's own apps
    as they are in the test database)."""
    real = MigrationRecorder(connection).applied_migrations()
    others = {key: value for key, value in real.items() if key[0] not in PROJECT_APPS}
    return mock.patch.object(
        MigrationRecorder,
        "applied_migrations",
        return_value=others | dict.fromkeys(history),
    )


def _plan(executor: MigrationExecutor, *, clean_start: bool = False) -> list[tuple[str, str]]:
    targets = executor.loader.graph.leaf_nodes()
    return [
        (migration.app_label, migration.name)
        for migration, _ in executor.migration_plan(targets, clean_start=clean_start)
    ]


def _written_after_the_squash(executor: MigrationExecutor) -> set[tuple[str, str]]:
    return {
        key
        for key in executor.loader.graph.nodes
        if key[0] in PROJECT_APPS and key not in SQUASHED | HISTORY_BEFORE_SQUASH
    }


@pytest.mark.django_db
def test_a_desk_migrated_before_the_squash_has_nothing_of_them_to_apply():
    with _recorded(HISTORY_BEFORE_SQUASH):
        executor = MigrationExecutor(connection)
        plan = _plan(executor)
    assert set(executor.loader.applied_migrations) >= SQUASHED
    # Only what was written after the squash is left to apply (the index pruning, admin names).
    assert plan
    assert set(plan) == _written_after_the_squash(executor)


@pytest.mark.django_db
def test_a_new_database_runs_the_squashed_migrations_only():
    executor = MigrationExecutor(connection)
    plan = [key for key in _plan(executor, clean_start=True) if key[0] in PROJECT_APPS]
    accounts = {("accounts", "0001_initial"), ("accounts", "0002_standard_support_plan")}
    written_after = _written_after_the_squash(executor)
    assert set(plan) == accounts | SQUASHED | written_after
    # One migration per squashed app; the rest is what later features (new apps too) wrote.
    for squashed_app, _ in SQUASHED:
        assert len([k for k in plan if k[0] == squashed_app and k not in written_after]) == 1
    assert not [name for _, name in plan if "merge" in name]


@pytest.mark.django_db
def test_a_v1_desk_runs_the_old_migrations_it_lacks_then_the_new_ones():
    """v1 (3dddd77) shipped before updates/0012 and vendors/0003: its updates and vendors history
    is part of what the squashes replace. A plain migrate finishes the old files, then runs what
    came after; no squashed migration runs, and the check lets it through."""
    with _recorded(HISTORY_AT_V1):
        executor = MigrationExecutor(connection)
        plan = _plan(executor)
        errors = squashed_migrations_fully_applied_or_not_at_all(databases=["default"])
        call_command("check", databases=["default"])
    assert errors == []
    assert not SQUASHED & set(plan)
    assert set(plan) == (HISTORY_BEFORE_SQUASH - HISTORY_AT_V1) | _written_after_the_squash(
        executor
    )
    assert plan.index(("updates", "0012_delete_vendor_wait")) < plan.index(
        ("vendors", "0003_vendor_wait")
    )


def test_a_half_applied_history_is_stopped_once_the_replaced_files_are_gone():
    """accounts.E001 guards the release that deletes the replaced files: a desk that skipped this
    one would have Django skip those apps' remaining migrations without a word."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    replaced = {key for squash in SQUASHED for key in loader.disk_migrations[squash].replaces}
    without_replaced = {
        key: migration for key, migration in loader.disk_migrations.items() if key not in replaced
    }

    errors = unfinished_squashes("default", without_replaced, HISTORY_AT_V1)

    assert [(type(error), error.id) for error in errors] == [(Error, "accounts.E001")] * 2
    assert "updates/0001_squashed_0012" in errors[0].msg
    assert "0012_delete_vendor_wait" in errors[0].msg
    assert "vendors/0001_squashed_0003" in errors[1].msg
    assert "docs/upgrading.md" in errors[0].hint
    # This release still has the files, and a desk that ran them all or none is fine either way.
    assert unfinished_squashes("default", loader.disk_migrations, HISTORY_AT_V1) == []
    assert unfinished_squashes("default", without_replaced, HISTORY_BEFORE_SQUASH) == []
    assert unfinished_squashes("default", without_replaced, set()) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL-only indexes")
@pytest.mark.django_db
def test_a_new_database_has_the_full_text_indexes_and_btree_gin():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'tickets_ticket'"
            " AND indexdef LIKE '%USING gin%'"
        )
        gin_indexes = {name for (name,) in cursor.fetchall()}
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'btree_gin'")
        btree_gin = cursor.fetchone()
    assert gin_indexes == {"ticket_fulltext", "ticket_search_open_due"}
    assert btree_gin is not None


@pytest.mark.django_db
def test_the_standard_support_plan_migration_makes_the_default_plan():
    SupportPlan.objects.all().delete()  # what a new database has before accounts/0002
    migration = import_module("accounts.migrations.0002_standard_support_plan")
    with connection.schema_editor() as editor:
        migration.create_standard_plan(apps, editor)
    plan = SupportPlan.objects.get()
    assert (plan.name, plan.is_default) == ("Standard", True)
    assert sorted(plan.cadence_rules.values_list("priority", flat=True)) == [1, 2, 3, 4]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL catalogue")
@pytest.mark.django_db
def test_the_overlapping_indexes_are_gone_and_the_tally_key_covers_the_trends():
    """docs/indexes.md, "after pruning": what tickets/0011 and updates/0013 drop, and the tally's
    unique key that now carries due and kept for the dashboard's trends."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN"
            " ('tickets_ticket', 'updates_timelineentry', 'updates_promise',"
            " 'updates_promisealert', 'updates_notification', 'updates_promisetally')"
        )
        indexes = dict(cursor.fetchall())
    dropped = {
        "ticket_owner_due",
        "ticket_promise_due",
        "timeline_ticket_public",
        "promise_ticket_time",
        "promise_outcome_due",
        "promise_tally_covering",
    }
    assert not dropped & set(indexes)
    unindexed_foreign_keys = [
        ("tickets_ticket", "organization_id"),
        ("updates_timelineentry", "ticket_id"),
        ("updates_promisealert", "promise_id"),
        ("updates_notification", "recipient_id"),
        ("updates_notification", "alert_id"),
    ]
    for table, column in unindexed_foreign_keys:
        assert f"{table}_{column}_" not in " ".join(indexes), (table, column)
    # 18 after the pruning, and ticket_merged_into (partial: merged tickets only; issue 21).
    assert len([name for name in indexes if indexes[name].count("ON public.tickets_ticket ")]) == 19
    assert indexes["promise_tally_hour_priority"].startswith("CREATE UNIQUE INDEX")
    assert indexes["promise_tally_hour_priority"].endswith("(hour, priority) INCLUDE (due, kept)")
