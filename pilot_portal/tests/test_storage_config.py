"""MEDIA_STORAGE_URL read into STORAGES["default"], and the rule that no module reaches past the storage
API to a path under MEDIA_ROOT (which a second machine would not have)."""

import io
import re
import tokenize
from collections import defaultdict
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from pilot_portal.storage_config import LOCAL_BACKEND, S3_BACKEND, default_storage_config

ROOT = Path(settings.BASE_DIR)
# The only modules that may name MEDIA_ROOT: the settings that define it, and the command that moves an
# installation's files from it into the bucket.
MAY_NAME_MEDIA_ROOT = {"pilot_portal/settings.py", "programme/management/commands/move_media_to_storage.py"}
# A stored file's path on this machine: `….file.path`, `….pdf.path`, `storage.path(…)`, `MEDIA_ROOT`.
LOCAL_PATH = re.compile(
    r"MEDIA_ROOT|\.(file|evidence|pdf|xlsx|docx|values_csv|signed_pdf)\.path\b|(?<!\w)default_storage\.path\("
)


def _project_modules() -> list[Path]:
    skipped = {".venv", "node_modules", "tests", "migrations", "scripts", "staticfiles", "media", "test-artifacts"}
    return [
        path
        for path in ROOT.rglob("*.py")
        if not skipped.intersection(path.relative_to(ROOT).parts) and path.name != "conftest.py"
    ]


def _code_lines(source: str) -> dict[int, str]:
    """The code of each line, without its comments and strings (which may well mention MEDIA_ROOT)."""
    lines = defaultdict(str)
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in (tokenize.COMMENT, tokenize.STRING):
            lines[token.start[0]] += token.string
    return lines


def _offending(relative: str, source: str) -> list[str]:
    return [f"{relative}:{number}: {code}" for number, code in _code_lines(source).items() if LOCAL_PATH.search(code)]


def test_no_module_opens_a_path_under_media_root():
    offending = []
    for path in _project_modules():
        relative = str(path.relative_to(ROOT))
        if relative not in MAY_NAME_MEDIA_ROOT:
            offending += _offending(relative, path.read_text())
    assert offending == []


def test_the_check_sees_the_project_and_knows_a_path_under_media_root_when_it_meets_one():
    modules = {str(p.relative_to(ROOT)) for p in _project_modules()}
    assert {"reports/services.py", "monitoring/views/submission.py", "pilot_portal/stored_files.py"} <= modules
    bad = 'shutil.copyfile(version.pdf.path, t)\nd = Path(settings.MEDIA_ROOT) / "reports"\nh = open(a.file.path)\n'
    assert [line.split(":")[1] for line in _offending("x.py", bad)] == ["1", "2", "3"]
    good = 'h = a.file.open("rb")  # not under MEDIA_ROOT\n"""settings.MEDIA_ROOT in a docstring"""\n'
    assert _offending("x.py", good) == []


def test_without_a_url_files_stay_on_the_local_disk():
    assert default_storage_config("") == {"BACKEND": LOCAL_BACKEND}


def test_a_url_names_the_bucket_prefix_endpoint_and_region():
    config = default_storage_config(
        "s3://pilot-files/portal/media?endpoint=https://s3.gov.kz&region=kz-1", presigned_seconds=120
    )
    assert config["BACKEND"] == S3_BACKEND
    options = config["OPTIONS"]
    assert (options["bucket_name"], options["location"]) == ("pilot-files", "portal/media")
    assert (options["endpoint_url"], options["region_name"]) == ("https://s3.gov.kz", "kz-1")
    assert options["addressing_style"] == "path"  # a server of one's own seldom answers bucket host names
    assert options["default_acl"] is None and options["querystring_auth"] is True
    assert options["querystring_expire"] == 120


def test_amazon_itself_needs_no_endpoint_and_keeps_its_own_addressing():
    options = default_storage_config("s3://pilot-files")["OPTIONS"]
    assert (options["endpoint_url"], options["location"], options["addressing_style"]) == (None, "", "auto")


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("https://s3.gov.kz/pilot-files", "must look like s3://bucket/prefix"),
        ("s3:///prefix", "must look like s3://bucket/prefix"),
        ("s3://pilot-files?endpont=https://s3.gov.kz", "unknown parameter(s) endpont"),
        ("s3://pilot-files?endpoint=s3.gov.kz", "the endpoint must be an http(s) address"),
        ("s3://pilot-files?addressing=dns", "addressing is path, virtual or auto"),
    ],
)
def test_a_malformed_url_stops_the_start_with_what_is_wrong(url, says):
    with pytest.raises(ImproperlyConfigured, match=re.escape(says)):
        default_storage_config(url)
