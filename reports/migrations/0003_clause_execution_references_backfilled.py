from django.db import migrations


def name_what_was_sent(apps, schema_editor):
    """Records of reports marked sent before records named their quarter: found by the PDF's
    SHA-256, which their note quotes, and given the quarter's code (or "final")."""
    Report = apps.get_model("reports", "Report")
    ClauseExecution = apps.get_model("pilots", "ClauseExecution")
    for report in Report.objects.filter(sent_at__isnull=False).select_related("period"):
        version = report.versions.order_by("-number").first()
        if version is None:
            continue
        reference = report.period.code if report.period_id else "final"
        ClauseExecution.objects.filter(reference="", note__contains=version.pdf_sha256[:12]).update(
            reference=reference
        )


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_report_source"),
        ("pilots", "0003_clause_execution_reference"),
    ]

    operations = [
        migrations.RunPython(name_what_was_sent, migrations.RunPython.noop),
    ]
