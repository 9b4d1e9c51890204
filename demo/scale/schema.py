"""Loading is fastest without secondary indexes and foreign keys: drop them first (their
definitions read back from the catalogue) and recreate them afterwards, so PostgreSQL builds each
index once and checks each foreign key with one join. The data is still fully verified."""

from dataclasses import dataclass


@dataclass
class Detached:
    indexes: list[tuple[str, str]]  # (name, definition)
    foreign_keys: list[tuple[str, str, str]]  # (table, name, definition)


def prepare_bulk_load(cursor) -> None:
    """For the loading transaction: constraints checked row by row, no waiting for the WAL
    flush at commit, and memory enough to build the big indexes in one pass."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET LOCAL synchronous_commit = off")
    cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")


def detach(cursor, tables: list[str]) -> Detached:
    """Drop the foreign keys and the indexes that back no constraint on `tables`."""
    cursor.execute(
        """
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
        FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)
        """,
        [tables],
    )
    foreign_keys = cursor.fetchall()
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        WHERE i.indrelid::regclass::text = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        """,
        [tables],
    )
    indexes = cursor.fetchall()
    for table, name, _ in foreign_keys:
        cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    return Detached(indexes=indexes, foreign_keys=foreign_keys)


def reattach(cursor, detached: Detached) -> None:
    for _, definition in detached.indexes:
        cursor.execute(definition)
    for table, name, definition in detached.foreign_keys:
        cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')


def reset_sequences(cursor, tables: list[str]) -> None:
    """COPY wrote explicit ids: move each id sequence past the largest one."""
    for table in tables:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
            f'(SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"), false)'
        )
