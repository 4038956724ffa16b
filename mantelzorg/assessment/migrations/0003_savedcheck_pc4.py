"""A saved check keeps the postcode area (PC4), not the full postcode: enough to show local
offers again, less to know about where someone lives."""

from django.db import migrations, models


def to_pc4(apps, schema_editor):
    SavedCheck = apps.get_model("assessment", "SavedCheck")
    for check in SavedCheck.objects.exclude(postcode="").only("id", "postcode"):
        digits = "".join(ch for ch in check.postcode if ch.isdigit())[:4]
        SavedCheck.objects.filter(id=check.id).update(postcode=digits if len(digits) == 4 else "")


class Migration(migrations.Migration):
    dependencies = [("assessment", "0002_builtin_instruments")]

    operations = [
        migrations.RunPython(to_pc4, migrations.RunPython.noop),
        migrations.RenameField("savedcheck", "postcode", "pc4"),
        migrations.AlterField("savedcheck", "pc4", models.CharField(blank=True, max_length=4)),
    ]
