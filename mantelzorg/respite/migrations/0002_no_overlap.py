"""No two occupying stays of one unit overlap, enforced by the database (docs/respite-booking.md).

PostgreSQL: an exclusion constraint over the unit and the half-open date range [arrival,
departure) for the rows that occupy (offered, held, confirmed), a GiST index with btree_gist for
the equality on the unit (Django's ``ExclusionConstraint`` would put this in the model, but the
project also runs on SQLite, which has none). SQLite: triggers that abort an insert or update that
would overlap, on top of its one writer at a time (``BEGIN IMMEDIATE``, config/settings.py).
A rival that loses gets an IntegrityError ("respite_stay_no_overlap")."""

from django.db import migrations

OCCUPYING = "('offered', 'held', 'confirmed')"

POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE respite_stay ADD CONSTRAINT respite_stay_no_overlap EXCLUDE USING gist "
    "(unit_id WITH =, daterange(arrival, departure, '[)') WITH &&) "
    f"WHERE (state IN {OCCUPYING})",
]
POSTGRES_REVERSE = ["ALTER TABLE respite_stay DROP CONSTRAINT respite_stay_no_overlap"]

_OVERLAP = (
    "SELECT RAISE(ABORT, 'respite_stay_no_overlap') WHERE EXISTS (SELECT 1 FROM respite_stay s "
    f"WHERE s.unit_id = NEW.unit_id AND s.state IN {OCCUPYING} AND s.id <> NEW.id "
    "AND s.arrival < NEW.departure AND s.departure > NEW.arrival);"
)
SQLITE = [
    "CREATE TRIGGER respite_stay_no_overlap_insert BEFORE INSERT ON respite_stay "
    f"WHEN NEW.state IN {OCCUPYING} BEGIN {_OVERLAP} END",
    "CREATE TRIGGER respite_stay_no_overlap_update BEFORE UPDATE OF unit_id, arrival, departure, state "
    f"ON respite_stay WHEN NEW.state IN {OCCUPYING} BEGIN {_OVERLAP} END",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS respite_stay_no_overlap_insert",
    "DROP TRIGGER IF EXISTS respite_stay_no_overlap_update",
]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for sql in statements.get(vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("respite", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRES_REVERSE, "sqlite": SQLITE_REVERSE}),
        )
    ]
