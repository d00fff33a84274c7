import factory
import pytest
from django.urls import reverse

from pilots.tests.factories import (
    ActivityFactory,
    ActivityProgressFactory,
    InstituteFactory,
    OrganisationFactory,
    RegionFactory,
    StageFactory,
)

pytestmark = pytest.mark.django_db


def _organisations(n):
    regions = [RegionFactory() for _ in range(4)]
    return OrganisationFactory.create_batch(n, region=factory.Iterator(regions))


@pytest.mark.parametrize("n", [5, 60])
def test_organisation_list_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries, n):
    _organisations(n)
    client.force_login(InstituteFactory())
    with django_assert_max_num_queries(8):
        response = client.get(reverse("organisation_list"), {"ownership": "state"})
    assert response.status_code == 200


@pytest.mark.parametrize("activities", [2, 30])
def test_organisation_card_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries, activities):
    organisation = _organisations(1)[0]
    stages = [StageFactory(), StageFactory()]
    for i in range(activities):
        activity = ActivityFactory(stage=stages[i % 2])
        ActivityProgressFactory(organisation=organisation, activity=activity)
    client.force_login(InstituteFactory())
    with django_assert_max_num_queries(10):
        response = client.get(reverse("organisation_detail", args=[organisation.bin]))
    assert response.context["done"] == activities
