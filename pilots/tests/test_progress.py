import datetime
import io
from urllib.parse import unquote

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from pilot_portal.uploads import MAX_STORED_NAME_BYTES
from pilots.models import ActivityProgress
from pilots.tests.factories import ActivityFactory, ActivityProgressFactory, OrganisationFactory, StaffFactory

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    return buffer.getvalue()


@pytest.fixture
def staff():
    return StaffFactory()


@pytest.fixture
def activity():
    return ActivityFactory()


def _url(staff, activity):
    return reverse("activity_progress_edit", args=[staff.organisation.bin, activity.code])


def test_staff_tick_an_activity_with_date_note_and_evidence(client, staff, activity):
    client.force_login(staff)
    response = client.post(
        _url(staff, activity),
        {
            "done": "on",
            "done_on": "15.01.2026",
            "note": "Жұмыс тобы құрылды",
            "evidence": SimpleUploadedFile("order.png", PNG),
        },
    )
    assert response.status_code == 302
    progress = ActivityProgress.objects.get(organisation=staff.organisation, activity=activity)
    assert (progress.done, progress.done_on, progress.note) == (True, datetime.date(2026, 1, 15), "Жұмыс тобы құрылды")
    assert progress.updated_by == staff
    assert progress.evidence.name.endswith(".png")


def test_a_tick_shows_on_the_card_with_its_date(client, staff, activity):
    ActivityProgressFactory(organisation=staff.organisation, activity=activity, done_on=datetime.date(2026, 1, 15))
    client.force_login(staff)
    page = client.get(reverse("organisation_detail", args=[staff.organisation.bin])).content.decode()
    assert "done 15.01.2026" in page
    assert "1 of 1 done" in page


def test_an_activity_not_done_by_its_date_shows_as_overdue_and_one_still_to_come_as_due(client, staff):
    today = timezone.localdate()
    late = ActivityFactory(due_on=today - datetime.timedelta(days=9))
    coming = ActivityFactory(due_on=today + datetime.timedelta(days=9))
    client.force_login(staff)
    page = client.get(reverse("organisation_detail", args=[staff.organisation.bin])).content.decode()
    assert f"overdue: was due {late.due_on:%d.%m.%Y}" in page
    assert f"due {coming.due_on:%d.%m.%Y}" in page and f"overdue: was due {coming.due_on:%d.%m.%Y}" not in page


def test_done_without_a_date_is_refused_and_nothing_saved(client, staff, activity):
    client.force_login(staff)
    response = client.post(_url(staff, activity), {"done": "on", "done_on": ""})
    assert response.status_code == 200
    assert response.context["form"].has_error("done_on", code="date_required")
    assert not ActivityProgress.objects.exists()


def test_a_date_in_the_future_is_refused(client, staff, activity):
    client.force_login(staff)
    response = client.post(_url(staff, activity), {"done": "on", "done_on": "01.01.2099"})
    assert "The date cannot be in the future." in response.content.decode()
    assert not ActivityProgress.objects.exists()


def test_an_executable_renamed_as_jpg_is_refused(client, staff, activity):
    client.force_login(staff)
    exe = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00" + b"\x00" * 200)
    response = client.post(_url(staff, activity), {"done": "on", "done_on": "15.01.2026", "evidence": exe})
    assert response.context["form"].has_error("evidence", code="file_type")
    assert not ActivityProgress.objects.exists()


def test_a_png_named_as_pdf_is_refused(client, staff, activity):
    client.force_login(staff)
    response = client.post(
        _url(staff, activity), {"done": "on", "done_on": "15.01.2026", "evidence": SimpleUploadedFile("act.pdf", PNG)}
    )
    assert response.context["form"].has_error("evidence", code="file_type_mismatch")


def test_a_file_over_ten_megabytes_is_refused(client, staff, activity):
    client.force_login(staff)
    big = SimpleUploadedFile("big.png", PNG + b"\x00" * (10 * 1024 * 1024))
    response = client.post(_url(staff, activity), {"done": "on", "done_on": "15.01.2026", "evidence": big})
    assert response.context["form"].has_error("evidence", code="file_too_large")
    assert not ActivityProgress.objects.exists()


def test_an_xlsx_is_accepted_as_evidence(client, staff, activity):
    client.force_login(staff)
    upload = SimpleUploadedFile("plan.xlsx", _xlsx_bytes())
    client.post(_url(staff, activity), {"done": "on", "done_on": "15.01.2026", "evidence": upload})
    assert ActivityProgress.objects.get().evidence.name.endswith(".xlsx")


def test_evidence_downloads_for_someone_in_scope_only(client, staff, activity):
    client.force_login(staff)
    client.post(
        _url(staff, activity), {"done": "on", "done_on": "15.01.2026", "evidence": SimpleUploadedFile("a.png", PNG)}
    )
    url = reverse("activity_evidence", args=[staff.organisation.bin, activity.code])
    outsider = StaffFactory(organisation=OrganisationFactory(region=staff.organisation.region))
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(staff)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG


def test_every_change_of_a_tick_is_kept_in_history(client, staff, activity):
    client.force_login(staff)
    client.post(_url(staff, activity), {"done": "on", "done_on": "15.01.2026"})
    client.post(_url(staff, activity), {"done_on": ""})
    progress = ActivityProgress.objects.get()
    assert progress.done is False
    assert [h.done for h in progress.history.order_by("history_date")] == [False, True, False]


KAZAKH_200 = ("Жұмыс тобын құру туралы бұйрықтың көшірмесі және оның қосымшалары " * 4)[:200]


def _saved_as(response) -> str:
    """The file name a browser saves the download under (RFC 5987 `filename*` for non-ASCII names)."""
    return unquote(response["Content-Disposition"].split("filename*=utf-8''", 1)[1])


def test_evidence_with_a_two_hundred_letter_kazakh_name_is_stored_short_and_shown_and_downloaded_as_given(
    client, staff, activity
):
    name = KAZAKH_200 + ".png"
    assert len(name.encode()) > 255
    client.force_login(staff)
    response = client.post(
        _url(staff, activity), {"done": "on", "done_on": "15.01.2026", "evidence": SimpleUploadedFile(name, PNG)}
    )
    assert response.status_code == 302
    progress = ActivityProgress.objects.get()
    stored = progress.evidence.name.rsplit("/", 1)[-1]
    assert len(stored.encode()) <= MAX_STORED_NAME_BYTES and stored.endswith(".png")
    assert progress.evidence_name == name
    assert f">{name}</a>" in client.get(_url(staff, activity)).content.decode()
    download = client.get(reverse("activity_evidence", args=[staff.organisation.bin, activity.code]))
    assert _saved_as(download) == name
    assert b"".join(download.streaming_content) == PNG


def test_evidence_with_a_short_name_is_stored_and_downloaded_unchanged(client, staff, activity):
    client.force_login(staff)
    client.post(
        _url(staff, activity),
        {"done": "on", "done_on": "15.01.2026", "evidence": SimpleUploadedFile("бұйрық.png", PNG)},
    )
    assert ActivityProgress.objects.get().evidence.name.endswith(f"/{activity.code}/бұйрық.png")
    download = client.get(reverse("activity_evidence", args=[staff.organisation.bin, activity.code]))
    assert _saved_as(download) == "бұйрық.png"


def test_removing_evidence_forgets_its_name(client, staff, activity):
    client.force_login(staff)
    data = {"done": "on", "done_on": "15.01.2026"}
    client.post(_url(staff, activity), {**data, "evidence": SimpleUploadedFile("бұйрық.png", PNG)})
    assert ActivityProgress.objects.get().evidence_name == "бұйрық.png"
    client.post(_url(staff, activity), {**data, "remove_evidence": "on"})
    progress = ActivityProgress.objects.get()
    assert (progress.evidence.name, progress.evidence_name) == ("", "")


def test_evidence_stored_before_names_were_kept_downloads_under_its_stored_name(client, staff, activity):
    progress = ActivityProgressFactory(organisation=staff.organisation, activity=activity)
    progress.evidence.save("old-act.png", ContentFile(PNG))
    assert progress.evidence_name == ""
    client.force_login(staff)
    download = client.get(reverse("activity_evidence", args=[staff.organisation.bin, activity.code]))
    assert download["Content-Disposition"] == 'attachment; filename="old-act.png"'


def test_evidence_goes_to_the_bucket_and_comes_back_through_the_checked_view(client, staff, activity, object_storage):
    client.force_login(staff)
    client.post(
        _url(staff, activity),
        {"done": "on", "done_on": "15.01.2026", "evidence": SimpleUploadedFile("бұйрық.png", PNG)},
    )
    progress = ActivityProgress.objects.get(organisation=staff.organisation, activity=activity)
    assert object_storage.object_keys() == [f"media/{progress.evidence.name}"]
    download = reverse("activity_evidence", args=[staff.organisation.bin, activity.code])
    client.force_login(StaffFactory())  # another organisation's staff: not found
    assert client.get(download).status_code == 404
    client.force_login(staff)  # the positive control
    response = client.get(download)
    assert b"".join(response.streaming_content) == PNG


def test_evidence_while_the_store_does_not_answer_is_refused_with_nothing_recorded(
    client, staff, activity, unreachable_storage
):
    client.force_login(staff)
    response = client.post(
        _url(staff, activity), {"done": "on", "done_on": "15.01.2026", "evidence": SimpleUploadedFile("a.png", PNG)}
    )
    assert response.status_code == 200  # the form again, with what was typed
    assert "The file store cannot be reached just now" in response.content.decode()
    assert 'value="15.01.2026"' in response.content.decode()  # the date typed is kept in the form
    assert not ActivityProgress.objects.filter(organisation=staff.organisation, activity=activity).exists()
