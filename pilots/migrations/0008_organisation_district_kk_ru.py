"""An organisation's district in Kazakh and in Russian: the one field held whichever language the list was typed
in (Kazakh in the demo and the template's example), so it becomes the Kazakh one; the Russian one is filled
where the district is its region's administrative centre, whose Russian name the region holds, and is otherwise
left for the next import (the page falls back to the Kazakh name meanwhile)."""

from django.db import migrations, models


def russian_centres(apps, schema_editor):
    Organisation = apps.get_model("pilots", "Organisation")
    Region = apps.get_model("pilots", "Region")
    for region in Region.objects.exclude(centre_kk="").exclude(centre_ru=""):
        Organisation.objects.filter(region=region, district_kk=region.centre_kk, district_ru="").update(
            district_ru=region.centre_ru
        )


class Migration(migrations.Migration):
    dependencies = [
        ("pilots", "0007_user_role_director_execution_document"),
    ]

    operations = [
        migrations.RenameField("organisation", "district", "district_kk"),
        migrations.RenameField("historicalorganisation", "district", "district_kk"),
        migrations.AlterField(
            model_name="organisation",
            name="district_kk",
            field=models.CharField(blank=True, max_length=150, verbose_name="district or city (Kazakh)"),
        ),
        migrations.AlterField(
            model_name="historicalorganisation",
            name="district_kk",
            field=models.CharField(blank=True, max_length=150, verbose_name="district or city (Kazakh)"),
        ),
        migrations.AddField(
            model_name="organisation",
            name="district_ru",
            field=models.CharField(blank=True, max_length=150, verbose_name="district or city (Russian)"),
        ),
        migrations.AddField(
            model_name="historicalorganisation",
            name="district_ru",
            field=models.CharField(blank=True, max_length=150, verbose_name="district or city (Russian)"),
        ),
        migrations.RunPython(russian_centres, migrations.RunPython.noop),
    ]
