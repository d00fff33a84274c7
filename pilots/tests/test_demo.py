import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from pilots.bin import is_valid_bin
from pilots.models import Activity, ActivityProgress, Clause, Organisation, Region, Stage, User

pytestmark = pytest.mark.django_db


def test_load_demo_refuses_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("load_demo")
    assert not Organisation.objects.exists()


# `demo` is what `load_demo --force` leaves, loaded once per test process and restored for each test
# (pilot_portal/tests/test_snapshot.py shows the two are equal); only the re-runs call the command here.


def test_load_demo_builds_the_pilot_as_announced(demo):
    assert Region.objects.count() == 20
    assert Organisation.objects.count() == 100
    ownership = dict(Organisation.objects.values_list("ownership").annotate(n=Count("pk")))
    assert ownership == {"state": 62, "private": 38}
    per_region = set(Organisation.objects.values("region").annotate(n=Count("pk")).values_list("n", flat=True))
    assert per_region == {5}
    assert all(is_valid_bin(b) for b in Organisation.objects.values_list("bin", flat=True))
    assert all("(демо)" in o.name_kk and "(демо)" in o.name_ru for o in Organisation.objects.all())


def test_load_demo_makes_one_account_per_role_region_and_organisation(demo):
    assert User.objects.filter(username__in=["institute", "ministry", "admin"]).count() == 3
    assert User.objects.get(username="region-kz-71").region.code == "KZ-71"
    organisation = Organisation.objects.first()
    assert User.objects.get(username=f"org-{organisation.bin}").organisation == organisation
    assert User.objects.get(username="institute").check_password("demo-pass-2026")


def test_load_demo_twice_changes_nothing(demo):
    counts = (Organisation.objects.count(), User.objects.count(), ActivityProgress.objects.count())
    call_command("load_demo", "--force")
    assert (Organisation.objects.count(), User.objects.count(), ActivityProgress.objects.count()) == counts


def test_load_registry_writes_reference_data_but_no_demo_organisations_or_accounts():
    call_command("load_registry")
    assert Region.objects.count() == 20
    assert not Organisation.objects.exists()
    assert not User.objects.exists()


def test_load_demo_again_keeps_a_stage_renamed_in_the_admin(demo):
    stage = Stage.objects.order_by("position").first()
    stage.name_kk = "Дайындық кезеңі (Институт өңдеген)"
    stage.save()
    call_command("load_demo", "--force")
    stage.refresh_from_db()
    assert stage.name_kk == "Дайындық кезеңі (Институт өңдеген)"


def test_load_registry_again_keeps_what_the_institute_edited():
    call_command("load_registry")
    region = Region.objects.get(code="KZ-71")
    region.name_ru = "г. Астана"
    region.save()
    clause = Clause.objects.get(number="3.2")
    clause.text_ru = "Подготовить аналитический отчёт (уточнено)"
    clause.save()
    activity = Activity.objects.order_by("pk").first()
    activity.name_ru = "Приказ о рабочей группе (уточнено)"
    activity.save()
    call_command("load_registry")
    region.refresh_from_db()
    clause.refresh_from_db()
    activity.refresh_from_db()
    assert region.name_ru == "г. Астана"
    assert clause.text_ru == "Подготовить аналитический отчёт (уточнено)"
    assert activity.name_ru == "Приказ о рабочей группе (уточнено)"
