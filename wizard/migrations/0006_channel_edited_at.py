import django.utils.timezone
from django.db import migrations, models
from django.db.models import F


def edited_when_last_changed(apps, schema_editor):
    # Until now the pages showed updated_at beside the last editor: keep what they showed.
    apps.get_model("wizard", "Channel").objects.update(edited_at=F("updated_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("wizard", "0005_channel_step_checks"),
    ]

    operations = [
        migrations.AddField(
            model_name="channel",
            name="edited_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="last edited"),
        ),
        migrations.RunPython(edited_when_last_changed, migrations.RunPython.noop),
    ]
