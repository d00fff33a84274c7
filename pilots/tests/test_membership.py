import datetime

import pytest
from django.urls import reverse

from pilots.models import PilotMembershipChange
from pilots.tests.factories import CoordinatorFactory, InstituteFactory, OrganisationFactory, RegionFactory

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


def test_coordinator_gets_404_for_another_regions_organisation(client, region):
    elsewhere = OrganisationFactory(region=RegionFactory(code="KZ-75"))
    client.force_login(CoordinatorFactory(region=region))
    assert client.get(reverse("organisation_leave", args=[elsewhere.bin])).status_code == 404


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
