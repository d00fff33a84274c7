from django.db import migrations, models


def heartbeat_from_start(apps, schema_editor):
    """A compilation running while this is applied has written no heartbeat yet: its start is its
    last sign of life, so one stuck since before the upgrade is found like any other."""
    Report = apps.get_model("reports", "Report")
    Report.objects.filter(status="running", heartbeat_at__isnull=True).update(heartbeat_at=models.F("started_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_clause_execution_references_backfilled"),
    ]

    operations = [
        migrations.AddField(
            model_name="report",
            name="heartbeat_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="last sign of progress"),
        ),
        migrations.AddField(
            model_name="report",
            name="stale_restarts",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="restarted after its worker stopped"),
        ),
        migrations.RunPython(heartbeat_from_start, migrations.RunPython.noop),
    ]
