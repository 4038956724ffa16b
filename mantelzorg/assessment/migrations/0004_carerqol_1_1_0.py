"""CarerQol 1.1.0 (the official item order and meaning): store the shipped instruments again and
make each current version the active one. Saved checks keep their canonical (1.0.0) and are shown
with that version (``engine.load_builtin_versions``)."""

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
        row, _ = definition.objects.update_or_create(
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
        definition.objects.filter(url=instrument.url, builtin=True).exclude(pk=row.pk).update(active=False)


class Migration(migrations.Migration):
    dependencies = [("assessment", "0003_savedcheck_pc4")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
