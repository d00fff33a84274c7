"""The portal's stored files as its views and services meet them, whichever storage holds them: a checked
download, a storage that cannot be reached, the health check's answer.

Callers check who may read a file first (the selectors); this module only sends it. Nothing here, nor
anywhere else, opens a path under MEDIA_ROOT: everything goes through Django's storage API, so the same
code serves the local disk and the bucket (pilot_portal/storage_config.py).
"""

import contextlib
import logging
import mimetypes
import os

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

# What a storage raises when it cannot be reached or refuses: the disk (OSError) or S3 (botocore).
# FileNotFoundError is an OSError too; callers that mean "no such file" catch it first.
STORAGE_ERRORS = (OSError, BotoCoreError, ClientError)


class _Body:
    """An object's body as FileResponse reads it: in blocks, closed when the response is done."""

    def __init__(self, body):
        self._body = body

    def read(self, size=-1):
        return self._body.read(size if size and size > 0 else None)

    def close(self):
        self._body.close()


def stored_file_response(request, field, *, filename: str, content_type: str | None = None):
    """Send a file the user may read (the caller has checked): streamed from the storage, or, with
    MEDIA_PRESIGNED_SECONDS set and object storage, a redirect to a short-lived link to it.

    A row whose file is missing answers 404 with a log line; a storage that cannot be reached, 503."""
    if not field:
        raise Http404("No file.")
    storage = field.storage
    content_type = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    try:
        if settings.MEDIA_PRESIGNED_SECONDS and hasattr(storage, "presigned_download_url"):
            if not storage.exists(field.name):
                raise FileNotFoundError(field.name)
            return HttpResponseRedirect(
                storage.presigned_download_url(
                    field.name, filename=filename, content_type=content_type, seconds=settings.MEDIA_PRESIGNED_SECONDS
                )
            )
        if hasattr(storage, "stream"):
            body, length = storage.stream(field.name)
            response = FileResponse(_Body(body), as_attachment=True, filename=filename, content_type=content_type)
            response.block_size = 1 << 16  # each read is a read from the network, not the disk
            response["Content-Length"] = str(length)
            return response
        handle = storage.open(field.name, "rb")
    except FileNotFoundError:
        log.error("Stored file missing: %s (%s %s)", field.name, type(field.instance).__name__, field.instance.pk)
        raise Http404("The file is missing.") from None
    except STORAGE_ERRORS:
        log.exception("File storage unreachable while reading %s", field.name)
        return storage_unavailable_page(request)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)


def storage_unavailable_page(request):
    return render(request, "503_storage.html", status=503)


def storage_unavailable_error() -> ValidationError:
    return ValidationError(
        _(
            "The file store cannot be reached just now, so your file was not saved and nothing else was changed. "
            "Try again in a few minutes; if it keeps failing, tell the portal's administrator."
        ),
        code="storage_unavailable",
    )


@contextlib.contextmanager
def storage_guard():
    """Around a write that stores files: a storage that fails becomes a message for the person, and the
    exception leaves the surrounding transaction, so nothing of the write is recorded."""
    try:
        yield
    except FileNotFoundError:
        raise
    except STORAGE_ERRORS as error:
        log.exception("File storage unreachable while saving")
        raise storage_unavailable_error() from error


def storage_state(*, timeout: float = 2.0) -> str:
    """For /healthz/: "ok" when the storage answers (the bucket with these credentials, or a writable
    folder), else "unreachable"."""
    storage = default_storage
    try:
        if hasattr(storage, "check"):
            return "ok" if storage.check(timeout=timeout) else "unreachable"
        location = storage.location
        os.makedirs(location, exist_ok=True)
        return "ok" if os.access(location, os.W_OK) else "unreachable"
    except STORAGE_ERRORS:
        log.warning("File storage unreachable (health check)", exc_info=True)
        return "unreachable"


def stored_location(field) -> str:
    """Where a stored file is, for an operator: a path on this machine, or s3://bucket/key."""
    storage = field.storage
    if hasattr(storage, "location_of"):
        return storage.location_of(field.name)
    return storage.path(field.name)
