"""Store the shipped instruments (balanscheck, carerqol) in InstrumentDefinition.

Idempotent; ``manage.py load_instrument --builtin`` syncs them again after an upgrade.
"""

import hashlib
import json

from django.db import migrations
from django.utils import timezone


def load(apps, schema_editor):
    from mantelzorg.assessment import engine

    definition = apps.get_model("assessment", "InstrumentDefinition")
    for instrument in engine.load_all_builtin().values():
        data = instrument.resource
        digest = hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        definition.objects.update_or_create(
            url=instrument.url,
            version=instrument.version,
            defaults={
                "questionnaire_id": instrument.id,
                "title": instrument.title,
                "json": data,
                "checksum": digest,
                "active": True,
                "builtin": True,
                "loaded_at": timezone.now(),
            },
        )


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
