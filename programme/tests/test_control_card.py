import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from monitoring.control_card import State, order_control_card, quarter_report_due_dates
from monitoring.reference import load_catalogue
from pilots.models import ClauseExecution, Organisation
from pilots.reference import load_algorithm, load_order, load_regions
from pilots.tests.factories import CoordinatorFactory, InstituteFactory, OrganisationFactory, StaffFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 25)


@pytest.fixture
def order():
    return load_order()


def _status(order, number, today=TODAY):
    reader = InstituteFactory()
    return next(s for s in order_control_card(order=order, today=today, user=reader) if s.clause.number == number)


@pytest.fixture
def periods():
    load_catalogue()


def test_quarterly_reports_are_due_on_the_tenth_after_each_quarter_of_the_stored_periods(periods):
    assert quarter_report_due_dates() == {
        "2026-Q1": datetime.date(2026, 4, 10),
        "2026-Q2": datetime.date(2026, 7, 10),
        "2026-Q3": datetime.date(2026, 10, 10),
        "2026-Q4": datetime.date(2026, 12, 10),  # Q4 ends on 20.11 in the pilot's periods
    }


def test_final_report_clause_counts_the_days_left_to_the_seventh_of_december(order):
    status = _status(order, "3.2")
    assert status.days_left == 12
    assert status.state == State.IN_PROGRESS


def test_final_report_clause_is_overdue_after_the_deadline_without_a_record(order):
    assert _status(order, "3.2", today=datetime.date(2026, 12, 8)).state == State.OVERDUE


def test_final_report_clause_is_done_once_its_execution_is_recorded(order):
    ClauseExecution.objects.create(
        clause=order.clauses.get(number="3.2"), done_on=datetime.date(2026, 12, 5), note="sent"
    )
    status = _status(order, "3.2")
    assert status.state == State.DONE
    assert status.summary == "Done on 05.12.2026."


def _sent(clause, *codes):
    for code in codes:
        ClauseExecution.objects.create(clause=clause, done_on=TODAY, note="sent", reference=code)


def test_monitoring_clause_is_overdue_when_fewer_reports_were_sent_than_were_due(order, periods):
    _sent(order.clauses.get(number="3.1"), "2026-Q1")
    status = _status(order, "3.1")
    assert status.state == State.OVERDUE
    assert status.summary.startswith("Quarterly reports sent to the Department: 1 of 3 due so far.")
    assert "10.12.2026" in status.summary


def test_monitoring_clause_counts_a_quarter_once_however_often_it_was_recorded(order, periods):
    _sent(order.clauses.get(number="3.1"), "2026-Q1", "2026-Q1", "2026-Q2")
    assert _status(order, "3.1").summary.startswith("Quarterly reports sent to the Department: 2 of 3 due so far.")


def test_a_record_that_names_no_quarter_is_listed_but_proves_no_quarter_sent(order, periods):
    ClauseExecution.objects.create(clause=order.clauses.get(number="3.1"), done_on=TODAY, note="typed in the admin")
    status = _status(order, "3.1")
    assert status.summary.startswith("Quarterly reports sent to the Department: 0 of 3 due so far.")
    assert [e.note for e in status.executions] == ["typed in the admin"]


def test_monitoring_clause_is_in_progress_when_every_due_report_was_sent(order, periods):
    _sent(order.clauses.get(number="3.1"), "2026-Q1", "2026-Q2", "2026-Q3")
    status = _status(order, "3.1")
    assert status.state == State.IN_PROGRESS
    assert status.days_left == (datetime.date(2026, 12, 10) - TODAY).days


def test_monitoring_clause_is_done_only_when_every_quarter_was_sent(order, periods):
    _sent(order.clauses.get(number="3.1"), "2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4")
    assert _status(order, "3.1").state == State.DONE


def test_organisation_list_clause_counts_organisations_in_the_pilot_today(order):
    regions = load_regions()
    OrganisationFactory(region=regions["KZ-71"], ownership=Organisation.Ownership.STATE)
    OrganisationFactory(region=regions["KZ-75"], ownership=Organisation.Ownership.PRIVATE)
    OrganisationFactory(region=regions["KZ-75"], in_pilot_until=datetime.date(2026, 6, 30))
    status = _status(order, "2.2")
    assert status.summary == "2 of 100 organisations listed, in 2 of 20 regions."
    assert status.state == State.OVERDUE
    assert _status(order, "1").summary == "2 organisations in the pilot today (1 state, 1 private) in 2 regions."


def test_algorithm_clause_is_done_once_its_activities_are_in_the_portal(order):
    assert _status(order, "2.1").state == State.OVERDUE
    load_algorithm()
    status = _status(order, "2.1")
    assert status.state == State.DONE
    assert status.summary == "3 stages and 13 activities in the portal."


def test_regions_clause_counts_named_coordinators(order):
    regions = load_regions()
    CoordinatorFactory(region=regions["KZ-71"])
    assert "coordinators named in 1." in _status(order, "4").summary


def test_control_card_runs_a_fixed_number_of_queries(order, django_assert_max_num_queries):
    regions = load_regions()
    for region in regions.values():
        OrganisationFactory.create_batch(3, region=region)
    reader = InstituteFactory()
    # 9: the organisations in the pilot are the summary's by cell, less those not in it today (two queries).
    with django_assert_max_num_queries(9):
        order_control_card(order=order, today=TODAY, user=reader)


def test_control_card_page_shows_each_clause_and_the_days_left(client, order):
    client.force_login(StaffFactory())
    response = client.get(reverse("order"))
    page = response.content.decode()
    assert response.status_code == 200
    for number in ("1", "2.1", "2.2", "3.1", "3.2", "4", "5", "6", "7"):
        assert f'<th scope="row">{number}</th>' in page
    days = (datetime.date(2026, 12, 7) - response.context["today"]).days
    assert response.context["days_to_final_report"] == days


def test_control_card_without_an_order_says_so(client):
    client.force_login(InstituteFactory())
    assert "has not been entered in the portal yet" in client.get(reverse("order")).content.decode()


def _sent_page(client, order, periods, **recorded):
    ClauseExecution.objects.create(
        clause=order.clauses.get(number="3.1"), done_on=TODAY, note="letter 12", reference="2026-Q1", **recorded
    )
    client.force_login(StaffFactory())
    response = client.get(reverse("order"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def test_control_card_lists_a_sending_recorded_without_a_recorder(client, order, periods):
    page = _sent_page(client, order, periods)
    assert "sent to the Department" in page
    assert "recorded by" not in page


def test_control_card_names_who_recorded_a_sending(client, order, periods):
    recorder = InstituteFactory(first_name="Aigerim", last_name="Seitkali")
    page = _sent_page(client, order, periods, recorded_by=recorder)
    assert "sent to the Department; recorded by Aigerim Seitkali" in page


def _summaries(client, user) -> dict[str, str]:
    client.force_login(user)
    response = client.get(reverse("order"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return {s.clause.number: s.summary for s in response.context["statuses"]}


def test_organisation_staff_see_no_national_counts_on_the_control_card(client, order):
    """The card follows national_aggregate_scope: organisation staff are denied national figures there, so
    the clauses that count organisations and coordinators nationwide print no count for them."""
    astana = load_regions()["KZ-71"]
    organisation = OrganisationFactory(region=astana)
    OrganisationFactory.create_batch(2, region=astana)
    staff = _summaries(client, StaffFactory(organisation=organisation))
    institute = _summaries(client, InstituteFactory())
    # Positive control: the Institute reads the counts of the same three clauses.
    assert "3 organisations in the pilot today" in institute["1"]
    assert "3 of 100 organisations listed" in institute["2.2"]
    assert "coordinators named in 0" in institute["4"]
    for number in ("1", "2.2", "4"):
        assert staff[number] == ""
    # The rest of the card is the same for both: the clauses, and the summaries that are no national figure.
    assert staff.keys() == institute.keys()
    assert staff["3.2"] == institute["3.2"]


def test_a_coordinator_reads_the_national_counts_of_the_control_card(client, order):
    """A coordinator may read national aggregates (national_aggregate_scope), so the card counts for them."""
    astana = load_regions()["KZ-71"]
    OrganisationFactory.create_batch(2, region=astana)
    summaries = _summaries(client, CoordinatorFactory(region=astana))
    assert "2 organisations in the pilot today" in summaries["1"]


def _card_workbook(client, user):
    client.force_login(user)
    response = client.get(reverse("order_export"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="control-card-')
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    return {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}


def test_the_control_card_downloads_with_each_clause_its_deadline_and_its_state(client, order):
    ClauseExecution.objects.create(
        clause=order.clauses.get(number="3.2"),
        done_on=datetime.date(2026, 12, 4),
        note="letter 15",
        document_number="15",
    )
    card = _card_workbook(client, InstituteFactory())
    assert list(card) == ["1", "2.1", "2.2", "3.1", "3.2", "4", "5", "6", "7"]
    final = card["3.2"]
    assert final["Due on"] == datetime.datetime(2026, 12, 7)
    assert final["Status"] == "done"
    assert final["Records of execution"] == "04.12.2026: letter 15 (outgoing number 15)"


def test_organisation_staff_download_no_national_counts_in_the_control_card(client, order):
    OrganisationFactory.create_batch(2, region=load_regions()["KZ-71"])
    assert "2 organisations in the pilot today" in _card_workbook(client, InstituteFactory())["1"]["Summary"]
    assert _card_workbook(client, StaffFactory())["1"]["Summary"] is None  # the same page shows them none


def test_the_control_card_download_without_an_order_is_not_found(client):
    client.force_login(InstituteFactory())
    assert client.get(reverse("order_export")).status_code == 404
