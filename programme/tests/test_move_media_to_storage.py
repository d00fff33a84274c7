"""`move_media_to_storage`: an installation that began on the local disk moves its files into the bucket
under the same names, each verified; a second run copies nothing."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from pilots.tests.factories import ActivityProgressFactory

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _run(*args) -> str:
    out = io.StringIO()
    call_command("move_media_to_storage", *args, stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture
def local_evidence(settings):
    """Two evidence files stored on the local disk, before object storage was configured."""
    first = ActivityProgressFactory(evidence=ContentFile(PNG, name="бұйрық.png"), evidence_name="бұйрық.png")
    second = ActivityProgressFactory(evidence=ContentFile(PNG + b"2", name="act.png"), evidence_name="act.png")
    assert (settings.MEDIA_ROOT / first.evidence.name).is_file()
    return {first.evidence.name: PNG, second.evidence.name: PNG + b"2"}


def test_without_object_storage_the_command_refuses_and_says_what_to_set(local_evidence):
    with pytest.raises(CommandError, match="MEDIA_STORAGE_URL is not set"):
        _run()


def test_a_dry_run_lists_the_files_and_copies_nothing(local_evidence, request):
    bucket = request.getfixturevalue("object_storage")
    out = _run("--dry-run")
    assert "would copy: 2" in out
    assert all(f"would copy: {name}" in out for name in local_evidence)
    assert bucket.object_keys() == []


def test_the_files_are_copied_under_their_names_and_read_back_through_the_portal(local_evidence, request):
    bucket = request.getfixturevalue("object_storage")
    out = _run()
    assert "copied: 2; already there: 0; missing locally: 0; failed: 0" in out
    assert {key.removeprefix("media/"): bucket.read(key) for key in bucket.object_keys()} == local_evidence
    from pilots.models import ActivityProgress

    for progress in ActivityProgress.objects.all():  # the rows, unchanged, now read from the bucket
        with progress.evidence.open("rb") as handle:
            assert handle.read() == local_evidence[progress.evidence.name]


def test_a_second_run_copies_nothing(local_evidence, request):
    request.getfixturevalue("object_storage")
    _run()
    assert "copied: 0; already there: 2; missing locally: 0; failed: 0" in _run()


def test_a_different_object_under_the_same_name_is_replaced_by_the_local_file(local_evidence, request):
    bucket = request.getfixturevalue("object_storage")
    _run()
    name = sorted(local_evidence)[0]
    bucket.client.put_object(Bucket=bucket.name, Key=f"media/{name}", Body=b"half")
    assert "copied: 1; already there: 1" in _run()
    assert bucket.read(f"media/{name}") == local_evidence[name]


def test_a_row_whose_local_file_is_gone_is_reported_not_invented(local_evidence, request, settings):
    name = sorted(local_evidence)[0]
    (settings.MEDIA_ROOT / name).unlink()
    bucket = request.getfixturevalue("object_storage")
    out = _run()
    assert f"missing locally: {name}" in out
    assert "copied: 1; already there: 0; missing locally: 1" in out
    assert bucket.object_keys() == [f"media/{sorted(local_evidence)[1]}"]
