import pytest
from django.core import mail
from django.urls import reverse

from monitoring.models import Status, Submission, Transition, ValidationRule, Value
from monitoring.tests.factories import RuleFactory, SubmissionFactory
from pilots.tests.factories import (
    CoordinatorFactory,
    InstituteFactory,
    OrganisationFactory,
    RegionFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db


def _url(organisation, period, suffix=""):
    return reverse("submission" + suffix, args=[organisation.bin, period.code])


def _post(client, organisation, period, data, action="save", version=0):
    return client.post(_url(organisation, period), {**data, "action": action, "version": version})


def _submit(client, staff, period, values):
    client.force_login(staff)
    return _post(client, staff.organisation, period, values, action="submit")


def _review(client, organisation, period, data):
    """The review form as the page sends it: with the version the reviewer is looking at."""
    submission = Submission.objects.filter(organisation=organisation, period=period).first()
    version = submission.version if submission else 1
    return client.post(_url(organisation, period, "_review"), {"version": version, **data})


def _values(submission):
    return {v.indicator.code: (v.number if v.number is not None else v.text) for v in submission.values.all()}


# --- saving and submitting ---------------------------------------------------


def test_staff_save_a_partial_draft(client, staff, period, catalogue):
    client.force_login(staff)
    response = _post(client, staff.organisation, period, {"children_total": "1 250"})
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert (submission.status, submission.version) == (Status.DRAFT, 1)
    assert _values(submission) == {"children_total": 1250}


def test_submit_with_a_missing_required_value_shows_the_error_beside_the_field_and_saves_nothing(
    client, staff, period, catalogue
):
    client.force_login(staff)
    response = _post(client, staff.organisation, period, {"children_age4": "3"}, action="submit")
    assert response.status_code == 400
    assert response.context["form"].errors["children_total"] == ["This value is required to submit."]
    assert 'id="error-summary"' in response.content.decode()
    assert not Submission.objects.exists()


def test_submit_that_breaks_a_rule_keeps_the_saved_draft_as_it_was(client, staff, period, catalogue, good_values):
    client.force_login(staff)
    _post(client, staff.organisation, period, {"children_total": "10"})
    response = _post(client, staff.organisation, period, {**good_values, "children_age5": "31"}, "submit", version=1)
    assert response.status_code == 400
    assert "Age groups must add up to the children." in response.content.decode()
    submission = Submission.objects.get()
    assert (submission.status, submission.version, _values(submission)) == (Status.DRAFT, 1, {"children_total": 10})


def test_a_good_submit_records_the_transition_and_mails_the_coordinator_in_russian(
    client, staff, coordinator, period, catalogue, good_values
):
    response = _submit(client, staff, period, good_values)
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert submission.status == Status.SUBMITTED
    assert submission.is_late is False
    transition = Transition.objects.get()
    assert (transition.from_status, transition.to_status, transition.by) == (Status.DRAFT, Status.SUBMITTED, staff)
    assert [m.to for m in mail.outbox] == [[coordinator.email]]
    assert "Отправлено на проверку" in mail.outbox[0].subject


def test_a_mail_subject_shows_quotes_and_ampersands_as_typed(
    client, staff, coordinator, period, catalogue, good_values
):
    type(staff.organisation).objects.filter(pk=staff.organisation.pk).update(name_ru='ТОО "Балапан" & K')
    _submit(client, staff, period, good_values)
    assert 'ТОО "Балапан" & K' in mail.outbox[0].subject


def test_a_jump_from_the_previous_quarter_asks_for_an_explanation_not_a_correction(
    client, staff, period, previous_period, catalogue, good_values
):
    earlier = SubmissionFactory(organisation=staff.organisation, period=previous_period, status=Status.ACCEPTED)
    Value.objects.create(submission=earlier, indicator=catalogue["children_total"], number=10)
    RuleFactory(kind=ValidationRule.Kind.JUMP, indicators=["children_total"], factor=3, message_en="Explain the jump.")
    response = _submit(client, staff, period, good_values)
    page = response.content.decode()
    assert response.status_code == 400
    assert "Please explain these values, or correct them:" in page and "Explain the jump." in page
    assert not Submission.objects.filter(period=period).exists()


def test_a_submission_after_the_due_date_is_marked_late(client, staff, period, catalogue, good_values, today):
    import datetime

    period.due_on = today - datetime.timedelta(days=1)
    period.save()
    _submit(client, staff, period, good_values)
    assert Submission.objects.get().is_late is True


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("abc", "invalid"),
        ("-5", "min_value"),
        ("1" + "0" * 20, "max_value"),
        ("2,5", "not_whole_number"),
        ("20000", "max_value"),
    ],
)
def test_bad_numbers_are_refused_with_a_message_and_nothing_is_written(client, staff, period, catalogue, raw, code):
    client.force_login(staff)
    response = _post(client, staff.organisation, period, {"children_total": raw})
    assert response.status_code == 400
    assert response.context["form"].has_error("children_total", code=code)
    assert not Submission.objects.exists() and not Value.objects.exists()


def test_a_narrative_with_html_is_stored_as_typed_and_shown_escaped(client, staff, period, catalogue, good_values):
    _submit(client, staff, period, good_values)
    assert Value.objects.get(indicator__code="achievements").text == good_values["achievements"]
    page = client.get(_url(staff.organisation, period)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_decimal_comma_and_spaced_thousands_are_understood_in_kazakh(client, staff, period, catalogue):
    staff.language = "kk"
    staff.save()
    client.force_login(staff)
    _post(client, staff.organisation, period, {"avg_minutes": "22,5", "children_total": "1 250"})
    assert {v.indicator.code: v.number for v in Value.objects.all()} == {"avg_minutes": 22.5, "children_total": 1250}


# --- who may do what ---------------------------------------------------------


def test_another_organisations_staff_get_404_posting_to_a_form(client, organisation, period, catalogue, region):
    other = StaffFactory(organisation=OrganisationFactory(region=region))
    client.force_login(other)
    assert _post(client, organisation, period, {"children_total": "5"}).status_code == 404
    assert not Submission.objects.exists()
    # Positive control: the organisation's own staff save the same post.
    client.force_login(StaffFactory(organisation=organisation))
    assert _post(client, organisation, period, {"children_total": "5"}).status_code == 302
    assert Submission.objects.filter(organisation=organisation).exists()


def test_coordinator_may_read_but_not_save_a_form(client, organisation, coordinator, period, catalogue):
    client.force_login(coordinator)
    assert client.get(_url(organisation, period)).status_code == 200
    assert _post(client, organisation, period, {"children_total": "5"}).status_code == 403


def test_another_regions_coordinator_gets_404_reviewing(client, staff, period, catalogue, good_values):
    _submit(client, staff, period, good_values)
    client.force_login(CoordinatorFactory(region=RegionFactory(code="KZ-75")))
    response = _review(client, staff.organisation, period, {"decision": "accept"})
    assert response.status_code == 404
    assert Submission.objects.get().status == Status.SUBMITTED


def test_a_draft_cannot_be_reviewed(client, staff, coordinator, period, catalogue):
    client.force_login(staff)
    _post(client, staff.organisation, period, {"children_total": "5"})
    client.force_login(coordinator)
    response = _review(client, staff.organisation, period, {"decision": "accept"})
    assert response.status_code == 403
    assert "Проверить можно только отправленную форму; статус этой формы: черновик." in response.content.decode()
    assert Submission.objects.get().status == Status.DRAFT


def test_staff_cannot_accept_their_own_submission(client, staff, period, catalogue, good_values):
    _submit(client, staff, period, good_values)
    response = _review(client, staff.organisation, period, {"decision": "accept"})
    assert response.status_code == 403


def test_returning_without_a_comment_is_refused(client, staff, coordinator, period, catalogue, good_values):
    _submit(client, staff, period, good_values)
    client.force_login(coordinator)
    response = _review(client, staff.organisation, period, {"decision": "return", "comment": " "})
    assert response.status_code == 400
    assert response.context["review_form"].has_error("comment", code="comment_required")
    assert Submission.objects.get().status == Status.SUBMITTED


def test_a_refused_return_keeps_the_reasons_typed_by_field(client, staff, coordinator, period, catalogue, good_values):
    _submit(client, staff, period, good_values)
    client.force_login(coordinator)
    data = {"decision": "return", "comment": "", "reason__children_total": "Балалар саны сәйкес емес"}
    page = _review(client, staff.organisation, period, data).content.decode()
    assert 'value="Балалар саны сәйкес емес"' in page


def test_the_whole_path_return_fix_resubmit_accept(client, staff, coordinator, period, catalogue, good_values):
    _submit(client, staff, period, good_values)
    client.force_login(coordinator)
    _review(
        client,
        staff.organisation,
        period,
        {"decision": "return", "comment": "Балалар санын тексеріңіз", "reason__children_total": "50 емес, 52"},
    )
    submission = Submission.objects.get()
    assert submission.status == Status.RETURNED
    assert mail.outbox[-1].to == [staff.email]
    assert mail.outbox[-1].subject.startswith("Returned for correction")

    client.force_login(staff)
    page = client.get(_url(staff.organisation, period)).content.decode()
    assert "Балалар санын тексеріңіз" in page and "50 емес, 52" in page
    fixed = {**good_values, "children_total": "52", "children_age5": "32"}
    assert _post(client, staff.organisation, period, fixed, "submit", version=submission.version).status_code == 302

    client.force_login(coordinator)
    response = client.get(_url(staff.organisation, period))
    assert set(response.context["changed"]) == {"children_total", "children_age5"}
    _review(client, staff.organisation, period, {"decision": "accept"})
    submission.refresh_from_db()
    assert submission.status == Status.ACCEPTED
    assert [t.to_status for t in submission.transitions.all()] == ["submitted", "returned", "submitted", "accepted"]

    client.force_login(staff)
    response = client.get(_url(staff.organisation, period))
    assert response.context["can_edit"] is False
    assert 'name="action" value="save"' not in response.content.decode()
    assert _post(client, staff.organisation, period, fixed, version=submission.version).status_code == 302
    assert Submission.objects.get().status == Status.ACCEPTED


def test_only_the_institute_reopens_an_accepted_submission(client, staff, coordinator, period, catalogue, good_values):
    _submit(client, staff, period, good_values)
    client.force_login(coordinator)
    _review(client, staff.organisation, period, {"decision": "accept"})
    assert client.post(_url(staff.organisation, period, "_reopen"), {"comment": "x"}).status_code == 403
    client.force_login(InstituteFactory())
    client.post(_url(staff.organisation, period, "_reopen"), {"comment": "Қате табылды"})
    assert Submission.objects.get().status == Status.DRAFT


def test_a_locked_period_refuses_a_save_with_a_reason(client, staff, period, catalogue):
    period.locked = True
    period.save()
    client.force_login(staff)
    response = _post(client, staff.organisation, period, {"children_total": "5"})
    assert response.status_code == 302
    assert (
        "The period is locked by the Institute; nothing was changed."
        in client.get(response["Location"]).content.decode()
    )
    assert not Submission.objects.exists()


def test_a_locked_period_refuses_a_review_and_a_reopen(client, staff, coordinator, period, catalogue, good_values):
    _submit(client, staff, period, good_values)
    period.locked = True
    period.save()
    client.force_login(coordinator)
    assert _review(client, staff.organisation, period, {"decision": "return", "comment": "x"}).status_code == 403
    Submission.objects.update(status=Status.ACCEPTED)
    client.force_login(InstituteFactory())
    assert client.post(_url(staff.organisation, period, "_reopen"), {"comment": "x"}).status_code == 403
    assert Submission.objects.get().status == Status.ACCEPTED


def test_a_decision_never_applies_to_values_changed_since_the_reviewer_opened_the_page(
    client, staff, coordinator, period, catalogue, good_values
):
    _submit(client, staff, period, good_values)
    seen = Submission.objects.get().version
    Submission.objects.update(version=seen + 2)  # returned and resubmitted meanwhile
    client.force_login(coordinator)
    client.post(_url(staff.organisation, period, "_review"), {"version": seen, "decision": "accept"})
    assert Submission.objects.get().status == Status.SUBMITTED


def test_saving_again_after_a_conflict_goes_through(client, staff, period, catalogue):
    client.force_login(staff)
    _post(client, staff.organisation, period, {"children_total": "10"})
    _post(client, staff.organisation, period, {"children_total": "11"}, version=1)
    conflict = _post(client, staff.organisation, period, {"children_total": "1234"}, version=1)
    assert conflict.context["form"]["version"].value() == "2"
    assert _post(client, staff.organisation, period, {"children_total": "1234"}, version=2).status_code == 302
    assert _values(Submission.objects.get()) == {"children_total": 1234}


# --- no lost update ----------------------------------------------------------


def test_a_save_from_a_stale_page_is_refused_and_the_typed_values_are_shown_back(client, staff, period, catalogue):
    client.force_login(staff)
    _post(client, staff.organisation, period, {"children_total": "10"})  # version 0 → 1
    _post(client, staff.organisation, period, {"children_total": "11"}, version=1)  # another tab: 1 → 2
    response = _post(client, staff.organisation, period, {"children_total": "1234"}, version=1)
    assert response.status_code == 409
    assert 'value="1234"' in response.content.decode()
    submission = Submission.objects.get()
    assert (submission.version, _values(submission)) == (2, {"children_total": 11})


def test_a_double_submit_from_two_tabs_submits_once(client, staff, period, catalogue, good_values):
    client.force_login(staff)
    _post(client, staff.organisation, period, {"children_total": "50"})
    assert _post(client, staff.organisation, period, good_values, "submit", version=1).status_code == 302
    second = _post(client, staff.organisation, period, good_values, "submit", version=1)
    assert "Already submitted and waiting for review" in client.get(second["Location"]).content.decode()
    assert Transition.objects.count() == 1


def test_two_first_saves_from_two_tabs_create_one_submission(client, staff, period, catalogue):
    client.force_login(staff)
    _post(client, staff.organisation, period, {"children_total": "1"})
    assert _post(client, staff.organisation, period, {"children_total": "2"}, version=0).status_code == 409
    assert Submission.objects.count() == 1


# --- the JSON view -----------------------------------------------------------


def test_json_view_gives_status_version_and_values(client, staff, period, catalogue, good_values):
    _submit(client, staff, period, good_values)
    response = client.get(_url(staff.organisation, period), HTTP_ACCEPT="application/json")
    data = response.json()
    assert data["organisation"] == staff.organisation.bin
    assert (data["period"], data["status"], data["version"]) == ("2026-Q4", "submitted", 1)
    assert data["values"]["children_total"] == 50
    assert data["values"]["avg_minutes"] == 22.5
    assert data["values"]["achievements"] == good_values["achievements"]


def test_json_view_gives_null_for_an_empty_value(client, staff, period, catalogue):
    client.force_login(staff)
    _post(client, staff.organisation, period, {"children_total": "5"})
    Value.objects.create(submission=Submission.objects.get(), indicator=catalogue["children_age4"], number=None)
    data = client.get(_url(staff.organisation, period), HTTP_ACCEPT="application/json").json()
    assert data["values"]["children_age4"] is None
    assert data["values"]["children_total"] == 5


def test_json_view_is_scoped_like_the_page(client, organisation, period, catalogue, region):
    client.force_login(CoordinatorFactory(region=RegionFactory(code="KZ-75")))
    assert client.get(_url(organisation, period), HTTP_ACCEPT="application/json").status_code == 404


def test_unknown_period_is_404(client, staff, catalogue):
    client.force_login(staff)
    assert client.get(reverse("submission", args=[staff.organisation.bin, "2031-Q9"])).status_code == 404


# --- the catalogue changes mid-year ------------------------------------------


def test_an_indicator_added_mid_year_appears_in_open_forms_and_never_breaks_accepted_ones(
    client, staff, period, catalogue, previous_period
):
    from monitoring.tests.factories import IndicatorFactory

    accepted = SubmissionFactory(organisation=staff.organisation, period=previous_period, status=Status.ACCEPTED)
    IndicatorFactory(code="new_one", periods=[period], name_en="A new question")
    client.force_login(staff)
    assert "A new question" in client.get(_url(staff.organisation, period)).content.decode()
    response = client.get(_url(staff.organisation, accepted.period))
    assert response.status_code == 200
    assert "A new question" not in response.content.decode()
