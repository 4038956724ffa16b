"""The database's own refusal to change the audit trail (``core_logentry``).

PostgreSQL: a row trigger refuses UPDATE and DELETE (migration 0002) and a statement trigger
refuses TRUNCATE (migration 0005). SQLite: ``BEFORE UPDATE`` and ``BEFORE DELETE`` triggers
``RAISE(ABORT)``, and a ``BEFORE INSERT`` trigger refuses an insert onto an existing id or uuid
(``INSERT OR REPLACE``) (migration 0005; SQLite has no TRUNCATE, its ``DELETE FROM`` fires the
delete trigger). Raw SQL through the application's connection is refused the same way as the ORM.

``suspended(vendor)`` gives the statements around a flush of the whole table; only the test
suite uses it (``conftest.py``: every transactional test starts from empty tables). In
production the application role does not own the table, so it cannot drop or disable these
triggers (docs/audit-trail.md).
"""

TABLE = "core_logentry"

POSTGRESQL_TRUNCATE_FORWARD = """
CREATE OR REPLACE FUNCTION core_logentry_refuse_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'core_logentry is append-only (TRUNCATE refused)';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_logentry_no_truncate
    BEFORE TRUNCATE ON core_logentry
    FOR EACH STATEMENT EXECUTE FUNCTION core_logentry_refuse_truncate();
"""
POSTGRESQL_TRUNCATE_BACKWARD = """
DROP TRIGGER IF EXISTS core_logentry_no_truncate ON core_logentry;
DROP FUNCTION IF EXISTS core_logentry_refuse_truncate();
"""

SQLITE_FORWARD = [
    """CREATE TRIGGER core_logentry_no_update BEFORE UPDATE ON core_logentry
        BEGIN SELECT RAISE(ABORT, 'core_logentry is append-only (UPDATE refused)'); END""",
    """CREATE TRIGGER core_logentry_no_delete BEFORE DELETE ON core_logentry
        BEGIN SELECT RAISE(ABORT, 'core_logentry is append-only (DELETE refused)'); END""",
    # INSERT OR REPLACE deletes the row it conflicts with without firing the delete trigger
    # (SQLite fires it only with recursive_triggers on): refuse an insert onto an existing row.
    """CREATE TRIGGER core_logentry_no_replace BEFORE INSERT ON core_logentry
        WHEN EXISTS (SELECT 1 FROM core_logentry WHERE id = NEW.id OR uuid = NEW.uuid)
        BEGIN SELECT RAISE(ABORT, 'core_logentry is append-only (overwriting insert refused)'); END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS core_logentry_no_update",
    "DROP TRIGGER IF EXISTS core_logentry_no_delete",
    "DROP TRIGGER IF EXISTS core_logentry_no_replace",
]


def create(connection) -> list[str]:
    """The statements that install the refusals of migration 0005 on this connection's database."""
    if connection.vendor == "postgresql":
        return [POSTGRESQL_TRUNCATE_FORWARD]
    if connection.vendor == "sqlite":
        return list(SQLITE_FORWARD)
    return []


def drop(connection) -> list[str]:
    if connection.vendor == "postgresql":
        return [POSTGRESQL_TRUNCATE_BACKWARD]
    if connection.vendor == "sqlite":
        return list(SQLITE_BACKWARD)
    return []


def suspended(connection) -> tuple[list[str], list[str]]:
    """(before, after): statements that lift the refusals for one flush and put them back (the
    table owner only; tests)."""
    if connection.vendor == "postgresql":
        return (
            ["ALTER TABLE core_logentry DISABLE TRIGGER USER"],
            ["ALTER TABLE core_logentry ENABLE TRIGGER USER"],
        )
    if connection.vendor == "sqlite":
        return drop(connection), create(connection)
    return [], []
