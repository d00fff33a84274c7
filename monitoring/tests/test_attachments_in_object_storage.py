"""Evidence files with MEDIA_STORAGE_URL set: stored in the private bucket, never under MEDIA_ROOT, sent
back only through the view that checks scope; a store that does not answer loses nothing typed."""

import logging
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from monitoring.models import Attachment, Submission
from pilots.tests.factories import OrganisationFactory, StaffFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _upload(client, staff, period, name="акт.pdf", version=0):
    url = reverse("submission", args=[staff.organisation.bin, period.code])
    return client.post(url, {"action": "upload", "version": version, "files": [SimpleUploadedFile(name, PDF)]})


def _download_url(staff, period, attachment):
    return reverse("submission_attachment", args=[staff.organisation.bin, period.code, attachment.pk])


def test_an_attachment_goes_to_the_bucket_and_nothing_to_media_root(
    client, staff, period, catalogue, object_storage, settings
):
    client.force_login(staff)
    assert _upload(client, staff, period).status_code == 302
    attachment = Attachment.objects.get()
    key = f"media/{attachment.file.name}"
    assert object_storage.object_keys() == [key]
    assert object_storage.read(key) == PDF
    assert not settings.MEDIA_ROOT.exists() or not any(settings.MEDIA_ROOT.rglob("*.pdf"))


def test_the_download_is_streamed_from_the_bucket_with_the_persons_file_name(
    client, staff, coordinator, period, catalogue, object_storage
):
    client.force_login(staff)
    _upload(client, staff, period)
    client.force_login(coordinator)
    response = client.get(_download_url(staff, period, Attachment.objects.get()))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(PDF))
    assert (
        "attachment" in response["Content-Disposition"] and "%D0%B0%D0%BA%D1%82.pdf" in response["Content-Disposition"]
    )
    assert response["X-Content-Type-Options"] == "nosniff"


def test_another_organisations_staff_get_404_and_no_link_to_the_object(
    client, staff, period, catalogue, region, object_storage, settings
):
    settings.MEDIA_PRESIGNED_SECONDS = 60
    client.force_login(staff)
    _upload(client, staff, period)
    url = _download_url(staff, period, Attachment.objects.get())
    client.force_login(StaffFactory(organisation=OrganisationFactory(region=region)))
    refused = client.get(url)
    assert refused.status_code == 404 and "Location" not in refused
    # The positive control: the organisation's own staff are sent to a link that works, for 60 seconds.
    client.force_login(staff)
    allowed = client.get(url)
    assert allowed.status_code == 302
    link = allowed["Location"]
    assert link.startswith(object_storage.endpoint)
    query = parse_qs(urlsplit(link).query)
    assert query["X-Amz-Expires"] == ["60"]
    assert query["response-content-disposition"][0].startswith("attachment;")
    with urllib.request.urlopen(link, timeout=10) as fetched:
        assert fetched.read() == PDF


def test_the_bucket_itself_does_not_hand_out_the_file_without_a_signature(
    client, staff, period, catalogue, object_storage
):
    client.force_login(staff)
    _upload(client, staff, period)
    key = f"media/{Attachment.objects.get().file.name}"
    acl = object_storage.client.get_object_acl(Bucket=object_storage.name, Key=key)
    public = [g for g in acl["Grants"] if g["Grantee"].get("URI", "").endswith("/AllUsers")]
    assert public == []
    # The positive control: the owner's grant is there, so the list above was read.
    assert any(g["Permission"] == "FULL_CONTROL" for g in acl["Grants"])


def test_an_object_missing_from_the_bucket_is_404_with_a_log_line(
    client, staff, period, catalogue, object_storage, caplog
):
    client.force_login(staff)
    _upload(client, staff, period)
    attachment = Attachment.objects.get()
    url = _download_url(staff, period, attachment)
    assert client.get(url).status_code == 200  # the positive control: there while the object is
    object_storage.delete(f"media/{attachment.file.name}")
    with caplog.at_level(logging.ERROR, logger="pilot_portal.stored_files"):
        assert client.get(url).status_code == 404
    assert attachment.file.name in caplog.text


def test_an_upload_while_the_store_does_not_answer_is_refused_and_nothing_recorded(
    client, staff, period, catalogue, unreachable_storage
):
    client.force_login(staff)
    url = reverse("submission", args=[staff.organisation.bin, period.code])
    client.post(url, {"action": "save", "version": 0, "children_total": "40"})
    version = Submission.objects.get().version
    response = _upload(client, staff, period, version=version)
    assert response.status_code in (302, 400)
    page = client.get(url).content.decode() if response.status_code == 302 else response.content.decode()
    assert "The file store cannot be reached just now, so your file was not saved" in page
    assert not Attachment.objects.exists()
    assert Submission.objects.get().version == version  # the submission was not claimed either
    assert 'value="40"' in page  # what was typed before is still there


def test_a_download_while_the_store_does_not_answer_is_503(
    client, staff, coordinator, period, catalogue, object_storage, settings
):
    client.force_login(staff)
    _upload(client, staff, period)
    url = _download_url(staff, period, Attachment.objects.get())
    assert client.get(url).status_code == 200  # the positive control
    from pilot_portal.storage_config import default_storage_config

    settings.STORAGES = {
        **settings.STORAGES,
        "default": default_storage_config(object_storage.url.replace(object_storage.endpoint, "http://127.0.0.1:9")),
    }
    response = client.get(url)
    assert response.status_code == 503
    assert "The file cannot be fetched just now" in response.content.decode()
