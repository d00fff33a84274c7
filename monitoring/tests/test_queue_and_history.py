import pytest
from django.urls import reverse

from monitoring.models import Status
from monitoring.tests.factories import SubmissionFactory
from pilots.tests.factories import InstituteFactory, MinistryFactory, OrganisationFactory, RegionFactory, StaffFactory

pytestmark = pytest.mark.django_db


def _queue(client, user, **params):
    client.force_login(user)
    return client.get(reverse("monitoring_queue"), params)


def test_staff_cannot_open_the_review_queue(client, staff, coordinator, period):
    assert _queue(client, staff).status_code == 403
    assert _queue(client, coordinator).status_code == 200  # the positive control: the region's coordinator


def test_coordinators_queue_counts_only_their_region(client, coordinator, period, organisation, region):
    SubmissionFactory(organisation=organisation, period=period, status=Status.SUBMITTED)
    SubmissionFactory(organisation=OrganisationFactory(region=region), period=period, status=Status.RETURNED)
    OrganisationFactory(region=region)  # nothing handed in
    SubmissionFactory(
        organisation=OrganisationFactory(region=RegionFactory(code="KZ-75")), period=period, status=Status.SUBMITTED
    )
    counts = _queue(client, coordinator, period=period.code).context["counts"]
    assert (counts["expected"], counts["waiting"], counts["returned"], counts["missing"]) == (3, 1, 1, 2)
    assert counts["not_started"] == 1


def test_the_not_handed_in_tab_counts_what_it_lists_and_leaves_the_returned_to_their_tab(
    client, coordinator, period, organisation, region
):
    SubmissionFactory(organisation=organisation, period=period, status=Status.RETURNED)
    SubmissionFactory(organisation=OrganisationFactory(region=region), period=period, status=Status.DRAFT)
    OrganisationFactory(region=region)
    response = _queue(client, coordinator, period=period.code, show="missing")
    assert response.context["counts"]["not_started"] == len(response.context["missing"]) == 2
    assert organisation not in response.context["missing"]
    returned = _queue(client, coordinator, period=period.code, show="returned").context["rows"]
    assert [s.organisation for s in returned] == [organisation]


def test_the_queues_tabs_add_up_to_the_organisations_expected(client, period, region):
    for status in (Status.SUBMITTED, Status.SUBMITTED, Status.RETURNED, Status.ACCEPTED, Status.DRAFT):
        SubmissionFactory(organisation=OrganisationFactory(region=region), period=period, status=status, is_late=True)
    OrganisationFactory(region=region)  # nothing at all
    response = _queue(client, InstituteFactory(), period=period.code)
    counts = response.context["counts"]
    tabs = counts["waiting"] + counts["returned"] + counts["not_started"] + counts["accepted"]
    assert (tabs, counts["expected"]) == (6, 6)
    assert (counts["waiting"], counts["returned"], counts["not_started"], counts["accepted"]) == (2, 1, 2, 1)
    assert counts["late"] == 3  # late is a part of the handed in (waiting and accepted), not a fifth tab
    assert (
        "6 organisations expected in this period: 2 waiting for review, 1 returned, 2 not handed in yet, 1 accepted."
        in (response.content.decode())
    )


def test_missing_list_names_whom_to_call(client, coordinator, period, organisation):
    organisation.director, organisation.phone = "Ахметова Гүлнар", "+7 701 000 00 00"
    organisation.save()
    page = _queue(client, coordinator, period=period.code, show="missing").content.decode()
    assert "Ахметова Гүлнар" in page and "+7 701 000 00 00" in page


def test_a_late_submission_is_counted_as_late(client, period, organisation):
    SubmissionFactory(organisation=organisation, period=period, status=Status.ACCEPTED, is_late=True)
    counts = _queue(client, InstituteFactory(), period=period.code).context["counts"]
    assert (counts["accepted"], counts["late"], counts["missing"]) == (1, 1, 0)


def test_an_organisation_that_left_before_the_period_is_not_expected(client, period, organisation, region):
    import datetime

    left = OrganisationFactory(region=region, in_pilot_until=period.starts_on - datetime.timedelta(days=1))
    assert left.in_pilot_until
    counts = _queue(client, InstituteFactory(), period=period.code).context["counts"]
    assert counts["expected"] == 1


def test_an_unknown_queue_filter_falls_back_to_waiting(client, period):
    assert _queue(client, MinistryFactory(), show="<script>").context["shown"] == "submitted"


@pytest.mark.parametrize("n", [3, 30])
def test_the_queue_runs_a_fixed_number_of_queries(client, period, region, django_assert_max_num_queries, n):
    for _ in range(n):
        SubmissionFactory(organisation=OrganisationFactory(region=region), period=period, status=Status.SUBMITTED)
    client.force_login(InstituteFactory())
    with django_assert_max_num_queries(12):
        client.get(reverse("monitoring_queue"), {"period": period.code})


@pytest.mark.parametrize("extra", [0, 20])
def test_the_form_runs_a_fixed_number_of_queries(
    client, staff, period, catalogue, django_assert_max_num_queries, extra
):
    from monitoring.tests.factories import IndicatorFactory

    for i in range(extra):
        IndicatorFactory(code=f"extra_{i}", periods=[period])
    client.force_login(staff)
    with django_assert_max_num_queries(25):
        client.get(reverse("submission", args=[staff.organisation.bin, period.code]))


def test_the_institute_reads_every_change_of_a_value(client, staff, period, catalogue):
    url = reverse("submission", args=[staff.organisation.bin, period.code])
    client.force_login(staff)
    client.post(url, {"action": "save", "version": 0, "children_total": "10"})
    client.post(url, {"action": "save", "version": 1, "children_total": "12"})
    client.force_login(InstituteFactory())
    response = client.get(reverse("submission_history", args=[staff.organisation.bin, period.code]))
    changes = [(c.indicator.code, c.before, c.after, c.by) for c in response.context["changes"]]
    assert changes == [("children_total", "10", "12", staff), ("children_total", "", "10", staff)]


def test_a_coordinator_may_not_read_the_audit_history(client, staff, coordinator, period, catalogue):
    SubmissionFactory(organisation=staff.organisation, period=period)
    client.force_login(coordinator)
    assert client.get(reverse("submission_history", args=[staff.organisation.bin, period.code])).status_code == 403
    client.force_login(InstituteFactory())  # the positive control: the Institute reads it
    assert client.get(reverse("submission_history", args=[staff.organisation.bin, period.code])).status_code == 200


def test_an_outsider_gets_404_on_the_audit_history(client, staff, period, catalogue, region):
    SubmissionFactory(organisation=staff.organisation, period=period)
    client.force_login(StaffFactory(organisation=OrganisationFactory(region=region)))
    assert client.get(reverse("submission_history", args=[staff.organisation.bin, period.code])).status_code == 404
    client.force_login(InstituteFactory())  # the positive control: the same address is there for the Institute
    assert client.get(reverse("submission_history", args=[staff.organisation.bin, period.code])).status_code == 200


def test_staff_see_the_current_period_and_what_is_missing_on_their_card(client, staff, period, catalogue):
    client.force_login(staff)
    page = client.get(reverse("organisation_detail", args=[staff.organisation.bin])).content.decode()
    assert "Q4 2026" in page
    assert "closes in 5 days" in page
    assert "1 required value missing" in page


def test_the_institute_edits_the_indicator_catalogue_in_the_admin(client, catalogue):
    from pilots.roles import institute_group

    institute = InstituteFactory(is_staff=True)
    institute.groups.add(institute_group())
    client.force_login(institute)
    indicator = catalogue["children_total"]
    assert client.get(reverse("admin:monitoring_indicator_change", args=[indicator.pk])).status_code == 200
    assert client.get(reverse("admin:pilots_user_changelist")).status_code == 403


def test_the_ministry_viewer_cannot_open_the_catalogue_in_the_admin(client, catalogue):
    client.force_login(MinistryFactory())
    response = client.get(reverse("admin:monitoring_indicator_changelist"))
    assert response.status_code == 302
