from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from pilot_portal.xlsx_table import download, write_workbook

from ..exports import organisations_sheet
from ..filters import LIST_FILTERS, FilterForm
from ..selectors import (
    organisation_algorithm_progress,
    organisation_can_edit_progress,
    organisation_can_manage_membership,
    organisation_get,
    organisation_list,
    region_scope,
)

PAGE_SIZE = 25


def _listed(request):
    form = FilterForm(request.GET, names=LIST_FILTERS, regions=region_scope(user=request.user))
    return form, organisation_list(user=request.user, filters=form.filters())


@login_required
def organisation_list_view(request):
    """The organisations the user may see, searchable and filterable, a page at a time."""
    form, organisations = _listed(request)
    page = Paginator(organisations, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "pilots/organisation_list.html",
        {
            "form": form,
            "page": page,
            "ignored_filters": form.ignored(),
            "query": query.urlencode(),
        },
    )


@login_required
def organisation_list_export(request):
    """Every organisation the list shows with its filters, not a page of them, as XLSX."""
    form, organisations = _listed(request)
    moment = formats.date_format(timezone.localtime(), "SHORT_DATETIME_FORMAT")
    described = [_("Data as of %(moment)s") % {"moment": moment}]
    described += [str(item) for item in form.described(form.filters(), names=LIST_FILTERS)]
    sheet = organisations_sheet(organisations)
    handle = write_workbook([sheet], title=sheet.title, description="; ".join(described))
    return download(handle, "organisations")


@login_required
def organisation_detail_view(request, bin):
    """One organisation's card: details, its pilot membership, its progress on the algorithm.

    A TemplateResponse, rendered late: programme.views.organisations adds the monitoring periods."""
    organisation = organisation_get(user=request.user, bin=bin)
    stages = organisation_algorithm_progress(organisation=organisation)
    done = sum(s.done for s in stages)
    total = sum(s.total for s in stages)
    return TemplateResponse(
        request,
        "pilots/organisation_detail.html",
        {
            "organisation": organisation,
            "today": timezone.localdate(),
            "stages": stages,
            "done": done,
            "total": total,
            "percent": round(100 * done / total) if total else 0,
            "can_edit": organisation_can_edit_progress(user=request.user, organisation=organisation),
            "can_manage_membership": organisation_can_manage_membership(user=request.user),
            "membership_changes": organisation.membership_changes.select_related(
                "replaced_by", "replaces", "recorded_by"
            ),
        },
    )
