"""The audit trail is append-only in the database on SQLite too (UPDATE and DELETE refused by
triggers), and on PostgreSQL TRUNCATE is refused as well (``core.db.append_only``)."""

from django.db import migrations

from mantelzorg.core.db import append_only


def forward(apps, schema_editor):
    for sql in append_only.create(schema_editor.connection):
        schema_editor.execute(sql, params=None)


def backward(apps, schema_editor):
    for sql in append_only.drop(schema_editor.connection):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0004_idempotency_key")]
    operations = [migrations.RunPython(forward, backward, elidable=False)]
