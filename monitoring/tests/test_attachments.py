from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from monitoring.models import Attachment, Submission
from monitoring.services import MAX_ATTACHMENTS
from pilot_portal.uploads import MAX_STORED_NAME_BYTES
from pilots.tests.factories import CoordinatorFactory, InstituteFactory, OrganisationFactory, StaffFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _upload(client, staff, period, files, version=0):
    url = reverse("submission", args=[staff.organisation.bin, period.code])
    return client.post(url, {"action": "upload", "version": version, "files": files})


def test_staff_attach_a_pdf_and_the_coordinator_downloads_it(client, staff, coordinator, period, catalogue):
    client.force_login(staff)
    assert _upload(client, staff, period, [SimpleUploadedFile("акт.pdf", PDF)]).status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.original_name, attachment.kind, attachment.size) == ("акт.pdf", "pdf", len(PDF))
    client.force_login(coordinator)
    url = reverse("submission_attachment", args=[staff.organisation.bin, period.code, attachment.pk])
    response = client.get(url)
    assert b"".join(response.streaming_content) == PDF


def test_another_organisation_gets_404_for_the_file(client, staff, period, catalogue, region):
    client.force_login(staff)
    _upload(client, staff, period, [SimpleUploadedFile("a.pdf", PDF)])
    attachment = Attachment.objects.get()
    client.force_login(StaffFactory(organisation=OrganisationFactory(region=region)))
    url = reverse("submission_attachment", args=[staff.organisation.bin, period.code, attachment.pk])
    assert client.get(url).status_code == 404
    client.force_login(staff)  # the positive control: the organisation's own staff get the file
    assert b"".join(client.get(url).streaming_content) == PDF


def test_a_file_id_under_another_organisations_url_is_404(client, staff, period, catalogue, region):
    client.force_login(staff)
    _upload(client, staff, period, [SimpleUploadedFile("a.pdf", PDF)])
    other = StaffFactory(organisation=OrganisationFactory(region=region))
    client.force_login(other)
    url = reverse("submission_attachment", args=[other.organisation.bin, period.code, Attachment.objects.get().pk])
    assert client.get(url).status_code == 404
    # The positive control: the same id under its own organisation's address is the file.
    client.force_login(staff)
    own = reverse("submission_attachment", args=[staff.organisation.bin, period.code, Attachment.objects.get().pk])
    assert b"".join(client.get(own).streaming_content) == PDF


def test_an_exe_renamed_as_jpg_is_refused_and_nothing_stored(client, staff, period, catalogue):
    client.force_login(staff)
    response = _upload(client, staff, period, [SimpleUploadedFile("photo.jpg", b"MZ\x90\x00" + b"\x00" * 300)])
    assert response.status_code == 400
    assert "photo.jpg" in response.content.decode()
    assert not Attachment.objects.exists() and not Submission.objects.exists()


def test_an_eleven_megabyte_file_is_refused(client, staff, period, catalogue):
    client.force_login(staff)
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (11 * 1024 * 1024))
    assert _upload(client, staff, period, [big]).status_code == 400
    assert not Attachment.objects.exists()
    # The positive control: the same file cut to size is stored.
    assert _upload(client, staff, period, [SimpleUploadedFile("big.pdf", PDF + b"0" * 1024)]).status_code == 302
    assert Attachment.objects.get().original_name == "big.pdf"


def test_a_twenty_first_file_is_refused(client, staff, period, catalogue):
    client.force_login(staff)
    _upload(client, staff, period, [SimpleUploadedFile(f"{i}.pdf", PDF) for i in range(MAX_ATTACHMENTS)])
    assert Attachment.objects.count() == MAX_ATTACHMENTS
    version = Submission.objects.get().version
    response = _upload(client, staff, period, [SimpleUploadedFile("21.pdf", PDF)], version=version)
    assert response.status_code == 400
    assert "At most 20 files per submission" in response.content.decode()
    assert Attachment.objects.count() == MAX_ATTACHMENTS


def test_a_coordinator_cannot_upload(client, staff, period, catalogue, region):
    client.force_login(CoordinatorFactory(region=region))
    assert _upload(client, staff, period, [SimpleUploadedFile("a.pdf", PDF)]).status_code == 403
    assert not Attachment.objects.exists()
    client.force_login(staff)  # the positive control: the organisation's staff upload the same file
    assert _upload(client, staff, period, [SimpleUploadedFile("a.pdf", PDF)]).status_code == 302
    assert Attachment.objects.get().original_name == "a.pdf"


def test_files_are_stored_outside_any_public_path(client, staff, period, catalogue, settings):
    client.force_login(staff)
    _upload(client, staff, period, [SimpleUploadedFile("a.pdf", PDF)])
    path = Attachment.objects.get().file.path
    assert path.startswith(str(settings.MEDIA_ROOT))
    assert client.get(f"{settings.MEDIA_URL}{Attachment.objects.get().file.name}").status_code == 404
    # The positive control: the file is served, through the view that checks who asks.
    url = reverse("submission_attachment", args=[staff.organisation.bin, period.code, Attachment.objects.get().pk])
    assert b"".join(client.get(url).streaming_content) == PDF


def test_a_refused_file_shows_the_saved_values_so_saving_again_keeps_them(client, staff, period, catalogue):
    client.force_login(staff)
    url = reverse("submission", args=[staff.organisation.bin, period.code])
    client.post(url, {"action": "save", "version": 0, "children_total": "40"})
    version = Submission.objects.get().version
    response = _upload(client, staff, period, [SimpleUploadedFile("photo.jpg", b"MZ" + b"\x00" * 300)], version)
    assert response.status_code == 400
    assert response.context["form"]["children_total"].value() == 40


KAZAKH_200 = ("Оқушылардың еңбекке баулу сабағындағы жетістіктері туралы есеп " * 4)[:200]


def _content_disposition_name(response) -> str:
    """The file name a browser saves the download under (RFC 5987 `filename*` for non-ASCII names)."""
    header = response["Content-Disposition"]
    assert header.startswith("attachment; ")
    encoded = header.split("filename*=utf-8''", 1)[1]
    return unquote(encoded)


def test_a_two_hundred_letter_kazakh_name_is_stored_short_and_listed_and_downloaded_as_given(
    client, staff, coordinator, period, catalogue
):
    name = KAZAKH_200 + ".pdf"
    assert len(name.encode()) > 255
    client.force_login(staff)
    assert _upload(client, staff, period, [SimpleUploadedFile(name, PDF)]).status_code == 302
    attachment = Attachment.objects.get()
    stored = attachment.file.name.rsplit("/", 1)[-1]
    assert len(stored.encode()) <= MAX_STORED_NAME_BYTES and stored.endswith(".pdf")
    assert attachment.original_name == name
    client.force_login(coordinator)
    page = client.get(reverse("submission", args=[staff.organisation.bin, period.code])).content.decode()
    assert f">{name}</a>" in page
    response = client.get(reverse("submission_attachment", args=[staff.organisation.bin, period.code, attachment.pk]))
    assert _content_disposition_name(response) == name
    assert b"".join(response.streaming_content) == PDF


def test_a_short_name_is_stored_and_downloaded_unchanged(client, staff, period, catalogue):
    client.force_login(staff)
    _upload(client, staff, period, [SimpleUploadedFile("акт_2026.pdf", PDF)])
    attachment = Attachment.objects.get()
    assert attachment.file.name.endswith(f"/{staff.organisation.bin}/{period.code}/акт_2026.pdf")
    response = client.get(reverse("submission_attachment", args=[staff.organisation.bin, period.code, attachment.pk]))
    assert _content_disposition_name(response) == "акт_2026.pdf"


def test_a_removed_file_stays_on_record_in_the_submissions_history(client, staff, period, catalogue):
    client.force_login(staff)
    _upload(client, staff, period, [SimpleUploadedFile("акт.pdf", PDF), SimpleUploadedFile("фото.pdf", PDF)])
    removed = Attachment.objects.get(original_name="фото.pdf")
    url = reverse("submission", args=[staff.organisation.bin, period.code])
    version = Submission.objects.get().version
    response = client.post(url, {"action": "remove_file", "attachment": removed.pk, "version": version})
    assert response.status_code == 302 and not Attachment.objects.filter(pk=removed.pk).exists()
    client.force_login(InstituteFactory())
    page = client.get(reverse("submission_history", args=[staff.organisation.bin, period.code])).content.decode()
    rows = [row for row in page.split("<tr>") if "фото.pdf" in row]
    assert [("Removed" in row, "Attached" in row) for row in rows] == [(True, False), (False, True)]
    assert staff.username in rows[0]  # who removed it
    # The control: the file that stays is on record as attached, and not as removed.
    kept = [row for row in page.split("<tr>") if "акт.pdf" in row]
    assert [("Removed" in row, "Attached" in row) for row in kept] == [(False, True)]
