"""Upload names: what the disk gets, what the person sees, and that no name makes an upload page fail."""

from urllib.parse import quote

import pytest
from django.urls import reverse

from monitoring.models import Attachment
from pilot_portal.uploads import MAX_STORED_NAME_BYTES, display_file_name, stored_file_name
from pilots.models import ActivityProgress
from pilots.tests.factories import ActivityFactory, InstituteFactory

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LONG_KAZAKH = "Ұйымның_еңбекке_баулу_жоспары_" * 7  # 210 letters, about 400 bytes


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("акт.pdf", "акт.pdf"),
        ("Act 2026.PDF", "Act_2026.PDF"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\me\\акт.pdf", "акт.pdf"),
        ("а\x00б.pdf", "аб.pdf"),
        ("...", "file"),
        ("", "file"),
        ("###.pdf", "file.pdf"),
        (".pdf", "file.pdf"),
        ("есеп v1.2 соңғы", "есеп_v1.2_соңғы"),
    ],
)
def test_a_stored_name_is_cleaned_and_keeps_its_extension(name, stored):
    assert stored_file_name(name) == stored


def test_a_long_kazakh_name_is_shortened_in_bytes_and_keeps_its_extension():
    stored = stored_file_name(LONG_KAZAKH + ".pdf")
    assert len(stored.encode()) <= MAX_STORED_NAME_BYTES
    assert stored.endswith(".pdf")
    assert LONG_KAZAKH.startswith(stored.removesuffix(".pdf"))


def test_a_short_name_is_stored_and_shown_unchanged():
    assert stored_file_name("Бұйрық_15-2026.docx") == "Бұйрық_15-2026.docx"
    assert display_file_name("Бұйрық №15 (2026).docx") == "Бұйрық №15 (2026).docx"


def test_a_display_name_too_long_for_its_column_keeps_the_extension_and_marks_the_cut():
    shown = display_file_name("ә" * 300 + ".xlsx", max_length=255)
    assert len(shown) == 255
    assert shown.endswith("….xlsx")
    assert display_file_name("ә" * 250 + ".xlsx", max_length=255) == "ә" * 250 + ".xlsx"


def test_a_display_name_loses_folders_controls_and_direction_overrides():
    assert display_file_name("C:\\docs\\акт\u202efdp.exe") == "актfdp.exe"
    assert display_file_name("акт\tжоба.pdf") == "акт жоба.pdf"
    assert display_file_name("...") == "file"


# --- every upload page, with names a browser or a script may send ----------------------------------------


def _multipart(fields: dict, file_field: str, file_name: str, content: bytes) -> tuple[bytes, str]:
    """A multipart body whose file name reaches Django exactly as given, unlike the test client's (which keeps
    only the part after the last "/"): raw UTF-8 as browsers send it, or RFC 2231 for control characters."""
    boundary = "----forms-boundary"
    if file_name.isprintable():
        escaped = file_name.replace("\\", "\\\\").replace('"', '\\"')
        name_parameter = f'filename="{escaped}"'
    else:
        name_parameter = f"filename*=utf-8''{quote(file_name, safe='')}"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; {name_parameter}\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@pytest.fixture
def upload_pages(db, period, catalogue, staff):
    """(url, user, form fields, file field) of every page that takes a file."""
    activity = ActivityFactory()
    return {
        "attachment": (
            reverse("submission", args=[staff.organisation.bin, period.code]),
            staff,
            {"action": "upload", "version": "0"},
            "files",
        ),
        "evidence": (
            reverse("activity_progress_edit", args=[staff.organisation.bin, activity.code]),
            staff,
            {"done": "on", "done_on": "15.01.2026"},
            "evidence",
        ),
        "import": (reverse("organisation_import"), InstituteFactory(), {"action": "check"}, "file"),
    }


@pytest.mark.parametrize("page", ["attachment", "evidence", "import"])
@pytest.mark.parametrize(
    ("file_name", "size", "shown"),
    [
        ("../../" + LONG_KAZAKH + ".pdf", 0, LONG_KAZAKH + ".pdf"),
        ("a\\b\\..\\" + LONG_KAZAKH + ".pdf", 0, LONG_KAZAKH + ".pdf"),
        ("а\x00б.pdf", 0, "аб.pdf"),
        ("###.pdf", 0, "###.pdf"),
        # Refused: no extension to match the content, or (Django drops it) no name at all.
        ("...", 0, None),
        ("..", 0, None),
        ("\x00\x01", 0, None),
        # Over FILE_UPLOAD_MAX_MEMORY_SIZE, so Django writes it to a temporary file while parsing.
        ("a." + "ә" * 200, 3 * 1024 * 1024, None),
        (LONG_KAZAKH + ".pdf", 3 * 1024 * 1024, LONG_KAZAKH + ".pdf"),
    ],
    ids=[
        "slashes-long-name",
        "backslashes-long-name",
        "nul",
        "symbols-only",
        "only-dots",
        "parent-folder",
        "controls-only",
        "long-extension-large-file",
        "long-name-large-file",
    ],
)
def test_no_file_name_makes_an_upload_page_fail(client, upload_pages, page, file_name, size, shown):
    url, user, fields, file_field = upload_pages[page]
    client.force_login(user)
    client.raise_request_exception = False
    body, content_type = _multipart(fields, file_field, file_name, PDF + b"0" * size)
    response = client.generic("POST", url, body, content_type=content_type)
    assert response.status_code in (200, 302, 400)
    attachments = list(Attachment.objects.all())
    evidence = list(ActivityProgress.objects.exclude(evidence=""))
    # The import page stores no file; the other two store it under their own folder, short, with its name kept.
    expected = [shown] if shown and page != "import" else []
    assert [a.original_name for a in attachments] + [p.evidence_name for p in evidence] == expected
    for stored in [a.file.name for a in attachments] + [p.evidence.name for p in evidence]:
        folder, name = stored.rsplit("/", 1)
        assert folder.startswith(("evidence/submissions/", "evidence/activities/")) and ".." not in folder
        assert 0 < len(name.encode()) <= MAX_STORED_NAME_BYTES


def test_a_long_name_over_the_memory_limit_is_stored_with_its_own_name(client, upload_pages):
    """Positive control of the above: the temporary-file path really stores the file and keeps the name."""
    url, user, fields, file_field = upload_pages["attachment"]
    client.force_login(user)
    body, content_type = _multipart(fields, file_field, LONG_KAZAKH + ".pdf", PDF + b"0" * (3 * 1024 * 1024))
    assert client.generic("POST", url, body, content_type=content_type).status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == LONG_KAZAKH + ".pdf"
    assert attachment.file.size == len(PDF) + 3 * 1024 * 1024


def test_a_file_name_with_folders_is_stored_under_its_last_part_in_the_submissions_folder(client, upload_pages):
    url, user, fields, file_field = upload_pages["attachment"]
    client.force_login(user)
    body, content_type = _multipart(fields, file_field, "../../../etc/акт.pdf", PDF)
    assert client.generic("POST", url, body, content_type=content_type).status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == "акт.pdf"
    assert attachment.file.name.endswith(f"/{user.organisation.bin}/2026-Q4/акт.pdf")
