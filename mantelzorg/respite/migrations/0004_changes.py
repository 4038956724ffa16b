"""The change log of the availability index (index.py, docs/respite-booking.md): every insert,
update or delete of a unit, stay or closure, by whatever writer (the services, the admin, a bulk
load, a test), numbers itself in ``respite_generation`` and logs the unit it touched in
``respite_change``, inside its own transaction. Triggers, so that no writer can forget it.

The counter's row stays locked until the writing transaction commits (PostgreSQL: the UPDATE's row
lock; SQLite: one writer at a time), so the changes commit in the order of their numbers: a
reader that sees change N has seen every change before it. A number already in the log (the
counter went back: a restore, or a test database flushed table by table) is overwritten, so the
log holds, for every number up to the counter, the change that number was last given to."""

from django.db import migrations, models

# PostgreSQL: one function for the tables with a unit_id (stays, closures), one for the units.
_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  number bigint;
BEGIN
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO respite_generation (id, value, pruned_through) VALUES (1, 1, 0)
      ON CONFLICT (id) DO UPDATE SET value = respite_generation.value + 1 RETURNING value INTO number;
    INSERT INTO respite_change (version, unit_id) VALUES (number, NEW.{column})
      ON CONFLICT (version) DO UPDATE SET unit_id = EXCLUDED.unit_id;
  END IF;
  IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.{column} <> NEW.{column}) THEN
    INSERT INTO respite_generation (id, value, pruned_through) VALUES (1, 1, 0)
      ON CONFLICT (id) DO UPDATE SET value = respite_generation.value + 1 RETURNING value INTO number;
    INSERT INTO respite_change (version, unit_id) VALUES (number, OLD.{column})
      ON CONFLICT (version) DO UPDATE SET unit_id = EXCLUDED.unit_id;
  END IF;
  RETURN NULL;
END
$$
"""
_TABLES = (("respite_stay", "unit_id"), ("respite_closure", "unit_id"), ("respite_unit", "id"))

POSTGRES = [
    _PG_FUNCTION.format(name="respite_changed_unit_id", column="unit_id"),
    _PG_FUNCTION.format(name="respite_changed_id", column="id"),
    "INSERT INTO respite_generation (id, value, pruned_through) VALUES (1, 0, 0) ON CONFLICT (id) DO NOTHING",
] + [
    f"CREATE TRIGGER {table}_changed AFTER INSERT OR UPDATE OR DELETE ON {table} "
    f"FOR EACH ROW EXECUTE FUNCTION respite_changed_{column}()"
    for table, column in _TABLES
]
POSTGRES_REVERSE = [f"DROP TRIGGER IF EXISTS {table}_changed ON {table}" for table, _c in _TABLES] + [
    "DROP FUNCTION IF EXISTS respite_changed_unit_id()",
    "DROP FUNCTION IF EXISTS respite_changed_id()",
]


def _sqlite_log(row: str) -> str:
    return (
        "INSERT OR IGNORE INTO respite_generation (id, value, pruned_through) VALUES (1, 0, 0); "
        "UPDATE respite_generation SET value = value + 1 WHERE id = 1; "
        f"INSERT OR REPLACE INTO respite_change (version, unit_id) SELECT value, {row} FROM respite_generation WHERE id = 1;"
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
                ("version", models.BigIntegerField(primary_key=True, serialize=False)),
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
