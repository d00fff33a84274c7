"""Reports with MEDIA_STORAGE_URL set: a worker's compiled files go to the bucket under names that hold
their SHA-256, the version row points at them only once they are whole, and a store that refuses them
fails the compilation visibly, to be compiled again."""

import hashlib

import pytest
from django.urls import reverse

from pilot_portal.storage_config import default_storage_config
from pilots.models import User
from reports.approvals import report_approve
from reports.models import Narrative, Report
from reports.services import report_queue, report_requeue

pytestmark = pytest.mark.django_db


def _quarterly(user) -> Report:
    """The Institute's quarterly report of 2026-Q3 in Russian, compiled with the summary it prints written."""
    Narrative.objects.update_or_create(
        section=Narrative.Section.SUMMARY,
        language="ru",
        period=_q3(),
        region=None,
        defaults={"text": "Итоги квартала.", "updated_by": user},
    )
    report, _created = report_queue(user=user, kind=Report.Kind.QUARTERLY, language="ru", period=_q3())
    report.refresh_from_db()
    return report


def _q3():
    from monitoring.models import Period

    return Period.objects.get(code="2026-Q3")


def _download(response) -> bytes:
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def test_a_compiled_report_is_stored_in_the_bucket_under_its_checksums(institute, object_storage, settings):
    report = _quarterly(institute)
    assert report.status == Report.Status.DONE
    version = report.latest_version
    stored = {
        "pdf": (version.pdf.name, version.pdf_sha256),
        "xlsx": (version.xlsx.name, version.xlsx_sha256),
        "docx": (version.docx.name, version.docx_sha256),
        "values": (version.values_csv.name, version.values_csv_sha256),
    }
    for name, sha in stored.values():
        assert f"/{sha}/" in name
        assert hashlib.sha256(object_storage.read(f"media/{name}")).hexdigest() == sha
    assert sorted(f"media/{name}" for name, _sha in stored.values()) == [
        k for k in object_storage.object_keys() if k.startswith(f"media/reports/{report.pk}/")
    ]
    assert not (settings.MEDIA_ROOT / "reports").exists()


def test_the_reports_files_come_back_from_the_bucket_through_the_checked_view(client, institute, object_storage):
    report = _quarterly(institute)
    version = report.latest_version
    client.force_login(User.objects.get(username="region-kz-71"))  # a region reads no national report
    assert client.get(reverse("report_pdf", args=[report.pk])).status_code == 404
    client.force_login(User.objects.get(username="ministry"))  # the positive control
    pdf = _download(client.get(reverse("report_pdf", args=[report.pk])))
    assert hashlib.sha256(pdf).hexdigest() == version.pdf_sha256
    xlsx = _download(client.get(reverse("report_xlsx", args=[report.pk])))
    assert hashlib.sha256(xlsx).hexdigest() == version.xlsx_sha256


def test_the_director_approves_and_signs_a_report_kept_in_the_bucket(client, institute, object_storage):
    report = _quarterly(institute)
    approval = report_approve(user=User.objects.get(username="director"), report=report)
    signed = object_storage.read(f"media/{approval.signed_pdf.name}")
    assert hashlib.sha256(signed).hexdigest() == approval.signed_sha256
    client.force_login(User.objects.get(username="ministry"))
    assert _download(client.get(reverse("report_pdf", args=[report.pk]))) == signed


def test_a_store_that_refuses_the_files_fails_the_report_visibly_and_it_can_be_compiled_again(
    client, institute, object_storage, settings
):
    reachable = settings.STORAGES["default"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": default_storage_config(object_storage.url.replace(object_storage.endpoint, "http://127.0.0.1:9")),
    }
    report = _quarterly(institute)
    assert report.status == Report.Status.FAILED
    assert not report.versions.exists()
    client.force_login(institute)
    page = client.get(reverse("report_detail", args=[report.pk])).content.decode()
    assert "the file store did not accept its files" in page
    settings.STORAGES = {**settings.STORAGES, "default": reachable}
    report_requeue(user=institute, report=report)
    report.refresh_from_db()
    assert report.status == Report.Status.DONE
    assert report.latest_version.pdf.name.startswith(f"reports/{report.pk}/")
