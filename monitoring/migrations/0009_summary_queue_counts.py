from django.db import migrations, models


def empty_the_summary(apps, schema_editor):
    # The new counts start at zero in every cell: the summary is emptied here and summed again after
    # migrate (monitoring.apps fills an empty summary when there are organisations), so no cell is wrong.
    apps.get_model("monitoring", "SummedValue").objects.all().delete()
    apps.get_model("monitoring", "SummedCounts").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0008_summary_across_quarters")]

    operations = [
        migrations.AddField(
            model_name="summedcounts",
            name="waiting",
            field=models.IntegerField(default=0, verbose_name="waiting for review, of those expected"),
        ),
        migrations.AddField(
            model_name="summedcounts",
            name="returned",
            field=models.IntegerField(default=0, verbose_name="returned, of those expected"),
        ),
        migrations.RunPython(empty_the_summary, migrations.RunPython.noop),
    ]
