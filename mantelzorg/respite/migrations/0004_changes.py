"""The change log of the availability index (index.py, docs/respite-booking.md): every insert,
update or delete of a unit, stay or closure, by whatever writer (the services, the admin, a bulk
load, a test), numbers itself in ``respite_generation`` and logs the unit it touched in
``respite_change``, inside its own transaction. Triggers, so that no writer can forget it.

The counter's row stays locked until the writing transaction commits (PostgreSQL: the UPDATE's row
lock; SQLite: one writer at a time), so the changes commit in the order of their numbers: a
reader that sees change N has seen every change before it. (When the counter went back, a
restore or a test database flushed table by table, the log may hold rows of before with the same
numbers: they only make an index reload a unit once more.)

The services take the counter's lock first in every transaction that changes these tables
(``index.changing``), so that no two transactions wait for each other in opposite order (one for
the counter, the other for a row or an overlapping stay the first one holds)."""

from django.db import migrations, models

# PostgreSQL: one count per statement (a bulk insert of thousands of stays takes the counter's row
# once, not once per row), with the units of its rows from the transition tables.
_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION respite_changed_{column}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  number bigint;
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF NOT EXISTS (SELECT 1 FROM old_rows) THEN RETURN NULL; END IF;
  ELSIF NOT EXISTS (SELECT 1 FROM new_rows) THEN
    RETURN NULL;
  END IF;
  INSERT INTO respite_generation (id, value, pruned_through) VALUES (1, 1, 0)
    ON CONFLICT (id) DO UPDATE SET value = respite_generation.value + 1 RETURNING value INTO number;
  IF TG_OP = 'INSERT' THEN
    INSERT INTO respite_change (version, unit_id) SELECT DISTINCT number, {column} FROM new_rows;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO respite_change (version, unit_id) SELECT DISTINCT number, {column} FROM old_rows;
  ELSE
    INSERT INTO respite_change (version, unit_id)
      SELECT number, {column} FROM new_rows UNION SELECT number, {column} FROM old_rows;
  END IF;
  RETURN NULL;
END
$$
"""
_TABLES = (("respite_stay", "unit_id"), ("respite_closure", "unit_id"), ("respite_unit", "id"))
_EVENTS = (
    ("insert", "INSERT", "NEW TABLE AS new_rows"),
    ("update", "UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    ("delete", "DELETE", "OLD TABLE AS old_rows"),
)

POSTGRES = [
    _PG_FUNCTION.format(column="unit_id"),
    _PG_FUNCTION.format(column="id"),
    "INSERT INTO respite_generation (id, value, pruned_through) VALUES (1, 0, 0) ON CONFLICT (id) DO NOTHING",
] + [
    f"CREATE TRIGGER {table}_changed_{name} AFTER {event} ON {table} REFERENCING {tables} "
    f"FOR EACH STATEMENT EXECUTE FUNCTION respite_changed_{column}()"
    for table, column in _TABLES
    for name, event, tables in _EVENTS
]
POSTGRES_REVERSE = [
    f"DROP TRIGGER IF EXISTS {table}_changed_{name} ON {table}"
    for table, _c in _TABLES
    for name, _e, _t in _EVENTS
] + [
    "DROP FUNCTION IF EXISTS respite_changed_unit_id()",
    "DROP FUNCTION IF EXISTS respite_changed_id()",
]


def _sqlite_log(row: str) -> str:
    return (
        "INSERT OR IGNORE INTO respite_generation (id, value, pruned_through) VALUES (1, 0, 0); "
        "UPDATE respite_generation SET value = value + 1 WHERE id = 1; "
        f"INSERT INTO respite_change (version, unit_id) SELECT value, {row} FROM respite_generation WHERE id = 1;"
    )


SQLITE = ["INSERT OR IGNORE INTO respite_generation (id, value, pruned_through) VALUES (1, 0, 0)"]
SQLITE_REVERSE = []
for _table, _column in _TABLES:
    SQLITE += [
        f"CREATE TRIGGER {_table}_changed_insert AFTER INSERT ON {_table} "
        f"BEGIN {_sqlite_log(f'NEW.{_column}')} END",
        f"CREATE TRIGGER {_table}_changed_update AFTER UPDATE ON {_table} "
        f"BEGIN {_sqlite_log(f'NEW.{_column}')} END",
        f"CREATE TRIGGER {_table}_moved AFTER UPDATE OF {_column} ON {_table} "
        f"WHEN OLD.{_column} <> NEW.{_column} BEGIN {_sqlite_log(f'OLD.{_column}')} END",
        f"CREATE TRIGGER {_table}_changed_delete AFTER DELETE ON {_table} "
        f"BEGIN {_sqlite_log(f'OLD.{_column}')} END",
    ]
    SQLITE_REVERSE += [
        f"DROP TRIGGER IF EXISTS {_table}_{name}"
        for name in ("changed_insert", "changed_update", "moved", "changed_delete")
    ]


def _run(statements):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("respite", "0003_stay_window_index")]

    operations = [
        migrations.CreateModel(
            name="Change",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("version", models.BigIntegerField(db_index=True)),
                ("unit_id", models.UUIDField()),
            ],
            options={"verbose_name": "respite change"},
        ),
        migrations.CreateModel(
            name="Generation",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("value", models.BigIntegerField(default=0)),
                ("pruned_through", models.BigIntegerField(default=0)),
            ],
            options={"verbose_name": "respite change counter"},
        ),
        migrations.RunPython(
            _run({"postgresql": POSTGRES, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRES_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
    ]
