import pytest
from django.urls import reverse

from pilots.selectors import organisation_list, organisation_scope
from pilots.tests.factories import (
    ActivityFactory,
    CoordinatorFactory,
    InstituteFactory,
    MinistryFactory,
    OrganisationFactory,
    RegionFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def astana():
    return RegionFactory(code="KZ-71", name_kk="Астана қаласы", name_ru="город Астана")


@pytest.fixture
def almaty():
    return RegionFactory(code="KZ-75", name_kk="Алматы қаласы", name_ru="город Алматы")


def test_staff_of_one_organisation_get_404_on_another_organisations_card(client, astana):
    mine, other = OrganisationFactory(region=astana), OrganisationFactory(region=astana)
    client.force_login(StaffFactory(organisation=mine))
    assert client.get(reverse("organisation_detail", args=[other.bin])).status_code == 404


def test_staff_see_their_own_organisations_card(client, astana):
    mine = OrganisationFactory(region=astana)
    client.force_login(StaffFactory(organisation=mine))
    response = client.get(reverse("organisation_detail", args=[mine.bin]))
    assert response.status_code == 200
    assert mine.name_kk in response.content.decode()


def test_unknown_bin_gives_404(client):
    client.force_login(InstituteFactory())
    assert client.get(reverse("organisation_detail", args=["000000000000"])).status_code == 404


def test_astana_coordinators_list_is_exactly_astanas_organisations(client, astana, almaty):
    in_astana = {OrganisationFactory(region=astana).bin for _ in range(3)}
    OrganisationFactory(region=almaty)
    client.force_login(CoordinatorFactory(region=astana))
    response = client.get(reverse("organisation_list"))
    listed = {o.bin for o in response.context["page"].object_list}
    assert listed == in_astana


def test_coordinator_gets_404_on_another_regions_organisation(client, astana, almaty):
    elsewhere = OrganisationFactory(region=almaty)
    client.force_login(CoordinatorFactory(region=astana))
    assert client.get(reverse("organisation_detail", args=[elsewhere.bin])).status_code == 404


def test_filter_by_another_region_never_widens_a_coordinators_scope(astana, almaty):
    in_almaty, in_astana = OrganisationFactory(region=almaty), OrganisationFactory(region=astana)
    coordinator = CoordinatorFactory(region=astana)
    from pilots.filters import OrganisationFilter

    assert not organisation_list(user=coordinator, filters=OrganisationFilter(region="KZ-75")).exists()
    # Positive controls: the same filter finds Almaty's organisation for the Institute, and the
    # coordinator's own region is found.
    assert list(organisation_list(user=InstituteFactory(), filters=OrganisationFilter(region="KZ-75"))) == [in_almaty]
    assert list(organisation_list(user=coordinator, filters=OrganisationFilter(region="KZ-71"))) == [in_astana]


def test_ministry_and_institute_see_every_organisation(astana, almaty):
    OrganisationFactory(region=astana), OrganisationFactory(region=almaty)
    assert organisation_scope(user=MinistryFactory()).count() == 2
    assert organisation_scope(user=InstituteFactory()).count() == 2


def test_inactive_user_sees_nothing(astana):
    OrganisationFactory(region=astana)
    assert not organisation_scope(user=InstituteFactory(is_active=False)).exists()
    assert organisation_scope(user=InstituteFactory(is_active=True)).count() == 1  # positive control


def test_anonymous_user_is_sent_to_sign_in(client):
    response = client.get(reverse("organisation_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_ministry_viewer_cannot_tick_an_activity(client, astana):
    organisation = OrganisationFactory(region=astana)
    activity = ActivityFactory()
    client.force_login(MinistryFactory())
    url = reverse("activity_progress_edit", args=[organisation.bin, activity.code])
    assert client.get(url).status_code == 403
    assert client.post(url, {"done": "on", "done_on": "10.01.2026"}).status_code == 403
    assert not organisation.activity_progress.exists()
    # Positive control: the organisation's own staff tick it with the same form.
    client.force_login(StaffFactory(organisation=organisation))
    assert client.post(url, {"done": "on", "done_on": "10.01.2026"}).status_code == 302
    assert organisation.activity_progress.filter(activity=activity, done=True).exists()


def test_ministry_viewer_sees_no_edit_buttons_on_a_card(client, astana):
    organisation = OrganisationFactory(region=astana)
    ActivityFactory()
    client.force_login(MinistryFactory())
    response = client.get(reverse("organisation_detail", args=[organisation.bin]))
    assert response.context["can_edit"] is False
    assert "Mark done" not in response.content.decode()
    # Positive control: the organisation's own staff see the button on the same card.
    client.force_login(StaffFactory(organisation=organisation))
    assert "Mark done" in client.get(reverse("organisation_detail", args=[organisation.bin])).content.decode()


def test_ministry_viewer_cannot_open_the_admin(client):
    client.force_login(MinistryFactory())
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    # Positive control: an administrator opens it.
    client.force_login(InstituteFactory(is_staff=True, is_superuser=True))
    assert client.get("/admin/").status_code == 200


def test_coordinator_cannot_tick_an_activity_of_an_organisation_in_their_region(client, astana):
    organisation = OrganisationFactory(region=astana)
    activity = ActivityFactory()
    client.force_login(CoordinatorFactory(region=astana))
    url = reverse("activity_progress_edit", args=[organisation.bin, activity.code])
    assert client.post(url, {"done": "on", "done_on": "10.01.2026"}).status_code == 403


def test_staff_get_404_ticking_another_organisations_activity(client, astana):
    mine, other = OrganisationFactory(region=astana), OrganisationFactory(region=astana)
    activity = ActivityFactory()
    client.force_login(StaffFactory(organisation=mine))
    url = reverse("activity_progress_edit", args=[other.bin, activity.code])
    assert client.post(url, {"done": "on", "done_on": "10.01.2026"}).status_code == 404
    assert not other.activity_progress.exists()
    # Positive control: the same post on their own organisation ticks it.
    own = reverse("activity_progress_edit", args=[mine.bin, activity.code])
    assert client.post(own, {"done": "on", "done_on": "10.01.2026"}).status_code == 302
    assert mine.activity_progress.filter(activity=activity, done=True).exists()
