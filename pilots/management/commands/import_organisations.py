from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pilots.importer import organisations_import_file


class Command(BaseCommand):
    help = (
        "Import the list of organisations (Appendix 2) from an XLSX file: all rows or none. "
        "Every bad row is printed with its row number and reason, and the command fails."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .xlsx file, laid out as the template of the upload page.")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report; write nothing.")

    def handle(self, *args, file, dry_run=False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        with path.open("rb") as handle:
            # An operator on the server runs this; the history rows record no portal user.
            result = organisations_import_file(file=handle, user=None, dry_run=dry_run)
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(_("Warning: %(warning)s") % {"warning": warning}))
        if result.errors:
            for error in result.errors:
                self.stderr.write(self.style.ERROR(str(error)))
            raise CommandError(
                ngettext(
                    "%(count)d problem in %(path)s; nothing was imported.",
                    "%(count)d problems in %(path)s; nothing was imported.",
                    len(result.errors),
                )
                % {"count": len(result.errors), "path": path}
            )
        counts = {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
        if dry_run:
            message = _(
                "The file is correct. Importing it would create %(created)d and update %(updated)d organisations "
                "(%(unchanged)d unchanged). Nothing was written (--dry-run)."
            )
        else:
            message = _("Imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
        self.stdout.write(self.style.SUCCESS(message % counts))
