from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from ..importer import (
    COLUMNS,
    MAX_IMPORT_BYTES,
    organisations_import_file,
    template_workbook,
    user_can_import,
)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class OrganisationImportForm(forms.Form):
    """The Appendix 2 upload; the button pressed says whether to check only or to import."""

    CHECK, IMPORT = "check", "import"

    file = forms.FileField(
        label=_("Spreadsheet (.xlsx)"),
        help_text=_("An Excel workbook of at most 10 MB, laid out as the template."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + XLSX_CONTENT_TYPE}),
    )
    # Without a recognised button (Enter pressed in some browsers, a script) the safe choice is to check only.
    action = forms.ChoiceField(
        choices=[(CHECK, _("Check only")), (IMPORT, _("Import"))], required=False, widget=forms.HiddenInput
    )

    @property
    def dry_run(self) -> bool:
        return self.cleaned_data.get("action") != self.IMPORT


def _require_importer(user) -> None:
    # The page's existence is no secret (it is in the contract), so a plain 403 reveals nothing.
    if not user_can_import(user=user):
        raise PermissionDenied


@login_required
def import_view(request):
    """Upload the list of organisations (Appendix 2): check it, or import it all or nothing."""
    _require_importer(request.user)
    form = OrganisationImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = organisations_import_file(file=form.cleaned_data["file"], user=request.user, dry_run=form.dry_run)
    return render(
        request,
        "pilots/organisation_import.html",
        {"form": form, "result": result, "columns": COLUMNS, "max_bytes": MAX_IMPORT_BYTES},
    )


@login_required
def template_view(request):
    """The empty Appendix 2 template, with its instructions sheet."""
    _require_importer(request.user)
    response = HttpResponse(template_workbook(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="organisations-template.xlsx"'
    return response
