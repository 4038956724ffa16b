"""On PostgreSQL the database itself refuses UPDATE and DELETE on the audit log."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION core_logentry_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'core_logentry is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_logentry_append_only
    BEFORE UPDATE OR DELETE ON core_logentry
    FOR EACH ROW EXECUTE FUNCTION core_logentry_refuse_change();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS core_logentry_append_only ON core_logentry;
DROP FUNCTION IF EXISTS core_logentry_refuse_change();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forward, backward, elidable=False)]
