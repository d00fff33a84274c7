import datetime
import importlib

import pytest
from django.urls import reverse
from django.utils import timezone

from pilots.models import ActivityProgress, PilotMembershipChange
from pilots.tests.factories import (
    ActivityFactory,
    CoordinatorFactory,
    InstituteFactory,
    OrganisationFactory,
    RegionFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def region():
    return RegionFactory(code="KZ-71")


def test_coordinator_may_not_record_a_departure_in_their_own_region(client, region):
    organisation = OrganisationFactory(region=region)
    client.force_login(CoordinatorFactory(region=region))
    url = reverse("organisation_leave", args=[organisation.bin])
    assert client.post(url, {"effective_on": "30.06.2026", "reason": "closed"}).status_code == 403
    organisation.refresh_from_db()
    assert organisation.in_pilot_until is None
    # The positive control: the same departure, recorded by the Institute, is written.
    client.force_login(InstituteFactory())
    assert client.post(url, {"effective_on": "30.06.2026", "reason": "closed"}).status_code == 302
    organisation.refresh_from_db()
    assert organisation.in_pilot_until == datetime.date(2026, 6, 30)


def test_coordinator_gets_404_for_another_regions_organisation(client, region):
    elsewhere = OrganisationFactory(region=RegionFactory(code="KZ-75"))
    client.force_login(CoordinatorFactory(region=region))
    assert client.get(reverse("organisation_leave", args=[elsewhere.bin])).status_code == 404
    client.force_login(InstituteFactory())  # the positive control: the page is there for the Institute
    assert client.get(reverse("organisation_leave", args=[elsewhere.bin])).status_code == 200


def test_institute_records_a_replacement_with_its_reason(client, region):
    leaving, replacement = OrganisationFactory(region=region), OrganisationFactory(region=region)
    institute = InstituteFactory()
    client.force_login(institute)
    response = client.post(
        reverse("organisation_leave", args=[leaving.bin]),
        {"effective_on": "30.06.2026", "reason": "Ғимарат жөнделуде", "replaced_by": replacement.bin},
    )
    assert response.status_code == 302
    leaving.refresh_from_db()
    assert leaving.in_pilot_until == datetime.date(2026, 6, 30)
    change = PilotMembershipChange.objects.get(organisation=leaving)
    assert (change.event, change.reason, change.replaced_by, change.recorded_by) == (
        "replaced",
        "Ғимарат жөнделуде",
        replacement,
        institute,
    )
    assert PilotMembershipChange.objects.get(organisation=replacement).event == "joined"
    page = client.get(reverse("organisation_detail", args=[leaving.bin])).content.decode()
    assert "This organisation left the pilot on 30.06.2026." in page
    assert "Ғимарат жөнделуде" in page


def test_a_departure_without_a_reason_is_refused_and_nothing_written(client, region):
    organisation = OrganisationFactory(region=region)
    client.force_login(InstituteFactory())
    response = client.post(reverse("organisation_leave", args=[organisation.bin]), {"effective_on": "30.06.2026"})
    assert response.context["form"].has_error("reason", code="required")
    organisation.refresh_from_db()
    assert organisation.in_pilot_until is None
    assert not PilotMembershipChange.objects.exists()


def test_an_unknown_replacement_bin_is_refused(client, region):
    organisation = OrganisationFactory(region=region)
    client.force_login(InstituteFactory())
    response = client.post(
        reverse("organisation_leave", args=[organisation.bin]),
        {"effective_on": "30.06.2026", "reason": "closed", "replaced_by": "980140001231"},
    )
    assert response.context["form"].has_error("replaced_by", code="unknown_bin")
    assert not PilotMembershipChange.objects.exists()


def test_a_departure_before_joining_is_refused(client, region):
    organisation = OrganisationFactory(region=region, in_pilot_from=datetime.date(2026, 3, 1))
    client.force_login(InstituteFactory())
    response = client.post(
        reverse("organisation_leave", args=[organisation.bin]), {"effective_on": "01.02.2026", "reason": "closed"}
    )
    assert "The date is before the organisation joined the pilot." in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.in_pilot_until is None


def _days_from_today(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def test_staff_of_an_organisation_that_has_left_may_not_tick_an_activity(client, region):
    staff = StaffFactory(organisation=OrganisationFactory(region=region, in_pilot_until=_days_from_today(-1)))
    activity = ActivityFactory()
    client.force_login(staff)
    url = reverse("activity_progress_edit", args=[staff.organisation.bin, activity.code])
    response = client.post(url, {"done": "on", "done_on": _days_from_today(-2).strftime("%d.%m.%Y")})
    assert response.status_code == 403
    assert not ActivityProgress.objects.exists()


def test_staff_still_tick_activities_until_a_leaving_date_to_come(client, region):
    staff = StaffFactory(organisation=OrganisationFactory(region=region, in_pilot_until=_days_from_today(30)))
    activity = ActivityFactory()
    client.force_login(staff)
    url = reverse("activity_progress_edit", args=[staff.organisation.bin, activity.code])
    response = client.post(url, {"done": "on", "done_on": timezone.localdate().strftime("%d.%m.%Y")})
    assert response.status_code == 302
    assert ActivityProgress.objects.get(organisation=staff.organisation, activity=activity).done


def test_the_card_says_an_organisation_leaves_on_a_date_to_come_not_that_it_left(client, region):
    leaving_on = _days_from_today(30)
    organisation = OrganisationFactory(region=region, in_pilot_until=leaving_on)
    client.force_login(InstituteFactory())
    page = client.get(reverse("organisation_detail", args=[organisation.bin])).content.decode()
    assert "left the pilot" not in page
    assert f"This organisation leaves the pilot on {leaving_on:%d.%m.%Y}." in page


def test_the_list_keeps_an_organisation_leaving_later_among_those_in_the_pilot_now(client, region):
    gone = OrganisationFactory(region=region, name_en="Gone", in_pilot_until=_days_from_today(-1))
    leaving = OrganisationFactory(region=region, name_en="Leaving", in_pilot_until=_days_from_today(30))
    client.force_login(InstituteFactory())
    now = client.get(reverse("organisation_list"), {"in_pilot": "yes"}).context["page"].object_list
    left = client.get(reverse("organisation_list"), {"in_pilot": "no"}).context["page"].object_list
    assert list(now) == [leaving]
    assert list(left) == [gone]


def test_the_card_gives_an_open_membership_as_from_its_first_day(client, region):
    organisation = OrganisationFactory(region=region, in_pilot_from=datetime.date(2026, 1, 1))
    client.force_login(InstituteFactory())
    page = client.get(reverse("organisation_detail", args=[organisation.bin])).content.decode()
    assert "from 01.01.2026" in page
    assert "01.01.2026–<" not in page


def test_the_replacements_joining_reads_in_each_readers_language(client, region):
    leaving = OrganisationFactory(region=region, name_kk="«Балапан» бөбекжай-бақшасы", name_ru="Ясли-сад «Балапан»")
    replacement = OrganisationFactory(region=region)
    kazakh_analyst = InstituteFactory(language="kk")
    client.force_login(kazakh_analyst)
    client.post(
        reverse("organisation_leave", args=[leaving.bin]),
        {"effective_on": "30.06.2026", "reason": "Ғимарат жөнделуде", "replaced_by": replacement.bin},
    )
    joined = PilotMembershipChange.objects.get(organisation=replacement)
    assert (joined.reason_code, joined.replaces, joined.reason) == ("replaces", leaving, "Ғимарат жөнделуде")
    russian, kazakh = InstituteFactory(language="ru"), kazakh_analyst
    pages = {}
    for reader, language in ((russian, "ru"), (kazakh, "kk")):
        client.force_login(reader)
        client.cookies["django_language"] = language
        pages[language] = client.get(reverse("organisation_detail", args=[replacement.bin])).content.decode()
    assert f"Заменяет организацию Ясли-сад «Балапан» (БИН {leaving.bin}): Ғимарат жөнделуде" in pages["ru"]
    assert "Мына ұйымның орнына келді" not in pages["ru"]
    assert f"Мына ұйымның орнына келді: «Балапан» бөбекжай-бақшасы (БСН {leaving.bin})" in pages["kk"]


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ("2-қосымшаға енгізілген (электрондық кестеден импортталды).", ("imported", "", "")),
        ("Включена в приложение 2 (импорт из электронной таблицы).", ("imported", "", "")),
        ("Listed in Appendix 2 (imported from a spreadsheet).", ("imported", "", "")),
        (
            "Мына ұйымның орнына келді: «Ақбота» (БСН 980140001231); себебі: жабылды",
            ("replaces", "980140001231", "жабылды"),
        ),
        ("Заменяет организацию «Акбота» (БИН 980140001231): закрыта", ("replaces", "980140001231", "закрыта")),
        ("Replaces «Akbota» (BIN 980140001231): closed", ("replaces", "980140001231", "closed")),
        ("Ұйым ашылды", ("", "", "Ұйым ашылды")),
    ],
)
def test_the_migration_recognises_each_old_wording_of_a_reason_the_portal_wrote(stored, expected):
    migration = importlib.import_module("pilots.migrations.0010_membership_reason_code")
    assert migration.coded(stored) == expected


def test_the_migration_moves_each_recognised_old_text_to_its_code_and_leaves_the_rest(region):
    from django.apps import apps

    migration = importlib.import_module("pilots.migrations.0010_membership_reason_code")
    replaced = OrganisationFactory(region=region)
    joined = OrganisationFactory(region=region)

    def old(reason):
        return PilotMembershipChange.objects.create(
            organisation=joined,
            event=PilotMembershipChange.Event.JOINED,
            effective_on=joined.in_pilot_from,
            reason=reason,
        )

    imported = old("Включена в приложение 2 (импорт из электронной таблицы).")
    replacing = old(f"Мына ұйымның орнына келді: «Ақбота» (БСН {replaced.bin}); себебі: жабылды")
    unknown_bin = old("Заменяет организацию «Нет» (БИН 000000000000): закрыта")
    typed = old("Ұйым ашылды")
    migration.to_codes(apps, None)
    rows = {c.pk: (c.reason_code, c.replaces, c.reason) for c in PilotMembershipChange.objects.all()}
    assert rows[imported.pk] == ("imported", None, "")
    assert rows[replacing.pk] == ("replaces", replaced, "жабылды")
    assert rows[unknown_bin.pk] == ("", None, "Заменяет организацию «Нет» (БИН 000000000000): закрыта")
    assert rows[typed.pk] == ("", None, "Ұйым ашылды")


def test_an_imported_organisations_joining_reads_in_each_readers_language(client, region):
    organisation = OrganisationFactory(region=region)
    PilotMembershipChange.objects.create(
        organisation=organisation,
        event=PilotMembershipChange.Event.JOINED,
        effective_on=organisation.in_pilot_from or datetime.date(2026, 1, 1),
        reason_code=PilotMembershipChange.Reason.IMPORTED,
        recorded_by=InstituteFactory(language="kk"),
    )
    pages = {}
    for language in ("ru", "kk"):
        client.force_login(InstituteFactory(language=language))
        client.cookies["django_language"] = language
        pages[language] = client.get(reverse("organisation_detail", args=[organisation.bin])).content.decode()
    assert "Включена в приложение 2 (импорт из электронной таблицы)." in pages["ru"]
    assert "2-қосымшаға енгізілген" not in pages["ru"]
    assert "2-қосымшаға енгізілген (электрондық кестеден импортталды)." in pages["kk"]
