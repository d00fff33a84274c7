"""The admin writes what a service writes, through the service, or nothing: a clause's execution is recorded
through clause_execution_record and never edited afterwards; membership changes are read there only, since
leaving the pilot goes through the organisation's card, which also ends the membership."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from pilots.models import ClauseExecution, PilotMembershipChange
from pilots.reference import load_order
from pilots.roles import institute_group
from pilots.services import clause_execution_record
from pilots.tests.factories import CoordinatorFactory, InstituteFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    user = InstituteFactory(is_staff=True)
    user.groups.add(institute_group())
    return user


@pytest.fixture
def clause():
    return load_order().clauses.get(number="5")


def test_a_coordinator_may_not_record_an_execution(clause):
    with pytest.raises(PermissionDenied):
        clause_execution_record(user=CoordinatorFactory(), clause=clause, done_on=timezone.localdate(), note="x")
    assert not ClauseExecution.objects.exists()
    # The positive control: the Institute records the same execution.
    clause_execution_record(user=InstituteFactory(), clause=clause, done_on=timezone.localdate(), note="x")
    assert ClauseExecution.objects.get().note == "x"


def test_an_execution_dated_ahead_is_refused_as_date_in_future(clause):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        clause_execution_record(user=InstituteFactory(), clause=clause, done_on=tomorrow, note="sent")
    assert refused.value.error_dict["done_on"][0].code == "date_in_future"


def test_the_admin_records_an_execution_through_the_service(client, editor, clause):
    client.force_login(editor)
    response = client.post(
        reverse("admin:pilots_clauseexecution_add"),
        {"clause": clause.pk, "done_on": timezone.localdate().isoformat(), "note": "  brought to the regions  "},
    )
    assert response.status_code == 302
    recorded = ClauseExecution.objects.get()
    assert (recorded.note, recorded.recorded_by) == ("brought to the regions", editor)


def test_the_admin_refuses_an_execution_dated_ahead(client, editor, clause):
    client.force_login(editor)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        reverse("admin:pilots_clauseexecution_add"),
        {"clause": clause.pk, "done_on": tomorrow.isoformat(), "note": "sent"},
    )
    assert response.status_code == 200 and "The date cannot be in the future." in response.content.decode()
    assert not ClauseExecution.objects.exists()


def test_a_recorded_execution_is_shown_but_not_editable_in_the_admin(client, editor, clause):
    recorded = clause_execution_record(user=editor, clause=clause, done_on=timezone.localdate(), note="sent")
    client.force_login(editor)
    page = client.get(reverse("admin:pilots_clauseexecution_change", args=[recorded.pk])).content.decode()
    assert "sent" in page  # the control: the record is there to read
    assert 'name="note"' not in page
    response = client.post(
        reverse("admin:pilots_clauseexecution_change", args=[recorded.pk]),
        {"clause": clause.pk, "done_on": recorded.done_on.isoformat(), "note": "changed"},
    )
    assert response.status_code == 403
    assert ClauseExecution.objects.get().note == "sent"


def test_membership_changes_are_read_in_the_admin_and_not_added_there(client, editor):
    organisation = OrganisationFactory()
    change = PilotMembershipChange.objects.create(
        organisation=organisation,
        event=PilotMembershipChange.Event.LEFT,
        effective_on=datetime.date(2026, 6, 1),
        reason="closed",
    )
    client.force_login(editor)
    changelist = client.get(reverse("admin:pilots_pilotmembershipchange_changelist"))
    link = reverse("admin:pilots_pilotmembershipchange_change", args=[change.pk])
    assert changelist.status_code == 200 and link in changelist.content.decode()
    assert client.get(reverse("admin:pilots_pilotmembershipchange_add")).status_code == 403


def test_the_admin_reads_an_imported_organisations_joining_in_the_admins_language(client, editor):
    organisation = OrganisationFactory()
    PilotMembershipChange.objects.create(
        organisation=organisation,
        event=PilotMembershipChange.Event.JOINED,
        effective_on=datetime.date(2026, 1, 1),
        reason_code=PilotMembershipChange.Reason.IMPORTED,
        recorded_by=InstituteFactory(language="kk"),
    )
    client.force_login(editor)
    pages = {}
    for language in ("ru", "kk"):
        client.cookies["django_language"] = language
        pages[language] = client.get(reverse("admin:pilots_pilotmembershipchange_changelist")).content.decode()
    assert "Включена в приложение 2 (импорт из электронной таблицы)." in pages["ru"]
    assert "2-қосымшаға енгізілген" not in pages["ru"]
    assert "2-қосымшаға енгізілген (электрондық кестеден импортталды)." in pages["kk"]
