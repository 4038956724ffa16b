"""Load the directory taxonomies (vraaggebieden, Zorgladder, respijtzorg forms, target groups)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from mantelzorg.directory.taxonomy import load_taxonomies

    load_taxonomies(apps.get_model("directory", "Taxonomy"), apps.get_model("directory", "TaxonomyTerm"))


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
