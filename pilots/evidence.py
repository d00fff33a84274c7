"""Checks on uploaded evidence files: size first, then the type read from the content, never the name."""

import filetype
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
# What the content must be, mapped to the extensions a person may have given it.
ALLOWED_EVIDENCE_TYPES = {
    "jpg": {"jpg", "jpeg"},
    "png": {"png"},
    "pdf": {"pdf"},
    "docx": {"docx"},
    "xlsx": {"xlsx"},
}


def validate_evidence_file(upload) -> str:
    """Raise ValidationError unless the upload is a small enough jpg/png/pdf/docx/xlsx; return its type."""
    if upload.size > MAX_EVIDENCE_BYTES:
        raise ValidationError(
            _("This file is larger than %(limit)s, the most a file may be."),
            code="file_too_large",
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(MAX_EVIDENCE_BYTES)},
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.extension not in ALLOWED_EVIDENCE_TYPES:
        raise ValidationError(
            _("Only JPG, PNG, PDF, DOCX and XLSX files are accepted; this file's content is of another type."),
            code="file_type",
        )
    name_ext = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if name_ext not in ALLOWED_EVIDENCE_TYPES[kind.extension]:
        raise ValidationError(
            _("The file's name says .%(name_ext)s but its content is %(kind)s; please rename or re-save it."),
            code="file_type_mismatch",
            params={"name_ext": name_ext or "—", "kind": kind.extension.upper()},
        )
    return kind.extension
