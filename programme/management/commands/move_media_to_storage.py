"""Copy the files of an installation that started on the local disk into the configured object storage."""

import hashlib

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import models

BLOCK = 1 << 20


def stored_names() -> list[str]:
    """Every file name a row of the portal points at, the history's rows included (an older version's
    evidence stays readable from the audit trail)."""
    names = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                rows = model._default_manager.exclude(**{field.name: ""}).exclude(**{f"{field.name}__isnull": True})
                names.update(rows.values_list(field.name, flat=True).iterator(chunk_size=2000))
    return sorted(names)


def _digest(storage, name: str) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with storage.open(name, "rb") as handle:
        for block in iter(lambda: handle.read(BLOCK), b""):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


class Command(BaseCommand):
    help = (
        "Copy every stored file from the local MEDIA_ROOT into the storage MEDIA_STORAGE_URL names, under the "
        "same names, verifying each by size and SHA-256. Files already there whole are skipped: safe to run twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list what would be copied, copy nothing")
        parser.add_argument("--source", default=str(settings.MEDIA_ROOT), help="the local folder (MEDIA_ROOT)")

    def handle(self, *args, dry_run, source, verbosity, **options):
        target = default_storage
        if not settings.MEDIA_STORAGE_URL:
            raise CommandError(
                "MEDIA_STORAGE_URL is not set: the portal reads its files from MEDIA_ROOT already. Set it (and "
                "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) to the bucket to move them into, then run this again."
            )
        local = FileSystemStorage(location=source)
        counts = {"copied": 0, "already there": 0, "missing locally": 0, "failed": 0}
        names = stored_names()
        self.stdout.write(
            f"{len(names)} file(s) named by the database; source {source}; target {settings.MEDIA_STORAGE_URL}"
        )
        for number, name in enumerate(names, 1):
            outcome = self._move(local, target, name, dry_run=dry_run)
            counts[outcome] += 1
            if outcome != "already there" or verbosity > 1:
                self.stdout.write(f"{'would copy' if dry_run and outcome == 'copied' else outcome}: {name}")
            if number % 500 == 0:
                self.stdout.write(f"… {number} of {len(names)}")
        label = "would copy" if dry_run else "copied"
        self.stdout.write(
            f"{label}: {counts['copied']}; already there: {counts['already there']}; "
            f"missing locally: {counts['missing locally']}; failed: {counts['failed']}"
        )
        if counts["failed"]:
            raise CommandError(f"{counts['failed']} file(s) did not verify after copying; run the command again.")

    def _move(self, local, target, name: str, *, dry_run: bool) -> str:
        if not local.exists(name):
            return "missing locally"
        sha, size = _digest(local, name)
        if target.exists(name) and target.size(name) == size and _digest(target, name)[0] == sha:
            return "already there"
        if dry_run:
            return "copied"
        if target.exists(name):
            target.delete(name)  # a partial or different copy under this name: the row means the local file
        with local.open(name, "rb") as handle:
            stored = target.save(name, File(handle, name=name))
        if stored != name or target.size(name) != size or _digest(target, name)[0] != sha:
            self.stderr.write(f"failed: {name} (stored as {stored}; size or SHA-256 differs)")
            return "failed"
        return "copied"
