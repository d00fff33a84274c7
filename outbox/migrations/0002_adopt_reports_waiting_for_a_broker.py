"""Reports that were waiting for a broker before the outbox existed (step "no_broker", or caught
"dispatching") get their hand-over written to the outbox, so the sweep sends them; nobody has to ask
again."""

from django.db import migrations


def adopt(apps, schema_editor):
    Report = apps.get_model("reports", "Report")
    Message = apps.get_model("outbox", "Message")
    waiting = Report.objects.filter(status="queued", step__in=["no_broker", "dispatching"])
    for report in waiting:
        Message.objects.get_or_create(
            key=f"reports.compile_report:{report.pk}:{report.attempt}",
            defaults={"kind": "task", "task": "reports.tasks.compile_report", "args": [report.pk, str(report.attempt)]},
        )
    waiting.update(step="")


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0001_initial"),
        ("reports", "0003_clause_execution_references_backfilled"),
    ]

    operations = [migrations.RunPython(adopt, migrations.RunPython.noop)]
