import datetime

import pytest
from django.core import mail

from monitoring.models import Status
from monitoring.reminders import reminder_kind, send_coordinator_digests, send_organisation_reminders
from monitoring.tests.factories import SubmissionFactory
from pilots.tests.factories import OrganisationFactory, StaffFactory

pytestmark = pytest.mark.django_db


def test_reminders_fall_seven_and_one_day_before_and_every_three_days_after(period):
    due = period.due_on
    kinds = {d: reminder_kind(period, due + datetime.timedelta(days=d)) for d in range(-8, 8)}
    assert {d: k for d, k in kinds.items() if k} == {-7: "before-7", -1: "before-1", 3: "late", 6: "late"}


def test_a_reminder_goes_to_organisations_that_have_not_submitted(period, staff, region):
    done = StaffFactory(organisation=OrganisationFactory(region=region), email="done@example.org")
    SubmissionFactory(organisation=done.organisation, period=period, status=Status.SUBMITTED)
    sent = send_organisation_reminders(today=period.due_on - datetime.timedelta(days=1))
    assert sent == 1
    assert [m.to for m in mail.outbox] == [[staff.email]]
    assert "due in 1 day" in mail.outbox[0].subject


def test_a_beat_firing_twice_sends_one_reminder(period, staff):
    day = period.due_on - datetime.timedelta(days=7)
    assert send_organisation_reminders(today=day) == 1
    assert send_organisation_reminders(today=day) == 0
    assert len(mail.outbox) == 1


def test_no_reminder_for_a_locked_period(period, staff):
    period.locked = True
    period.save()
    assert send_organisation_reminders(today=period.due_on + datetime.timedelta(days=3)) == 0
    assert mail.outbox == []
    # The positive control: the same day, the period unlocked, the reminder goes.
    period.locked = False
    period.save()
    assert send_organisation_reminders(today=period.due_on + datetime.timedelta(days=3)) == 1
    assert [m.to for m in mail.outbox] == [[staff.email]]


def test_a_reminder_is_in_the_recipients_language(period, staff):
    staff.language = "ru"
    staff.save()
    send_organisation_reminders(today=period.due_on + datetime.timedelta(days=3))
    assert "просроч" in mail.outbox[0].subject.lower() or "опазд" in mail.outbox[0].subject.lower()


def test_the_coordinators_digest_counts_waiting_submissions_once_a_day(period, coordinator, organisation, region):
    SubmissionFactory(organisation=organisation, period=period, status=Status.SUBMITTED)
    SubmissionFactory(organisation=OrganisationFactory(region=region), period=period, status=Status.SUBMITTED)
    assert send_coordinator_digests(today=period.due_on) == 1
    assert send_coordinator_digests(today=period.due_on) == 0
    assert mail.outbox[0].to == [coordinator.email]
    assert "2" in mail.outbox[0].subject
