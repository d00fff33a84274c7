from dataclasses import replace

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from pilots import policy
from pilots.filters import DASHBOARD_FILTERS, FilterForm
from pilots.models import Region
from pilots.selectors import region_scope

from .. import figures
from ..charts import dashboard_charts
from ..dashboards import dashboard_data, table_data
from ..exports import TABLES, table_title, write_table
from ..figures import FigureFilters

# Rows of a regional dashboard's lists on one page (the organisations by quarter, whom to call).
LIST_PAGE = 25


def _region_for(request, code: str) -> Region:
    """The region of a regional dashboard. Organisation staff read no dashboard, whichever: 403 says nothing
    about any region. For everyone else a region out of scope looks exactly like an unknown one: 404."""
    if not policy.can_read_dashboards(request.user):
        raise PermissionDenied
    region = Region.objects.filter(code=code).first()
    if region is None or not policy.can_read_region(request.user, region):
        raise Http404("No such region.")
    return region


def _filters(request, region: Region | None) -> tuple[FilterForm, FigureFilters]:
    periods = figures.periods_started(today=timezone.localdate())
    form = FilterForm(
        request.GET,
        names=DASHBOARD_FILTERS,
        periods=periods,
        regions=region_scope(user=request.user),
        fixed_region=region,
    )
    return form, form.filters()


def _render(request, region: Region | None):
    form, filters = _filters(request, region)
    context = dashboard_data(user=request.user, filters=filters, region=region)
    if "organisation_matrix" in context:
        # A region's lists grow with the region: the page shows a page of each, the XLSX all of them.
        context["matrix_page"] = Paginator(context["organisation_matrix"], LIST_PAGE).get_page(request.GET.get("orgs"))
        context["call_page"] = Paginator(context["whom_to_call"], LIST_PAGE).get_page(request.GET.get("call"))
    context.update(
        form=form,
        filters=filters,
        region=region,
        ignored_filters=form.ignored(),
        query=filters.querystring(),
        # A matrix cell opens its quarter with the page's other filters kept.
        period_queries={p.code: replace(filters, period=p.code).querystring() for p in context["periods"]},
        charts=dashboard_charts(context),
        # The national page's cohort over all regions, as the PDF prints it; a regional page has its national row.
        skills_total=None
        if region
        else figures.skills_total(
            context["skills"].get("region") or [], str(_("All regions")), scale=context["skill_scale"]
        ),
        export_tables=[name for name, (_builder, regional) in TABLES.items() if region or not regional],
    )
    return render(request, "monitoring/dashboard.html", context)


@login_required
def national_dashboard(request):
    """The national picture, for the Institute and the Ministry; a coordinator is sent to their region's."""
    if policy.is_coordinator(request.user):
        return redirect("regional_dashboard", code=request.user.region.code)
    if not policy.can_read_national(request.user):
        raise PermissionDenied
    return _render(request, None)


@login_required
def regional_dashboard(request, code):
    return _render(request, _region_for(request, code))


def _export(request, region: Region | None, table: str):
    if table not in TABLES or (TABLES[table][1] and region is None):
        raise Http404("No such table.")
    form, filters = _filters(request, region)
    data = table_data(table, user=request.user, filters=filters, region=region)
    scope = region.name if region else _("All regions")
    moment = formats.date_format(timezone.localtime(), "SHORT_DATETIME_FORMAT")
    described = [_("%(scope)s; data as of %(moment)s") % {"scope": scope, "moment": moment}]
    described += [str(item) for item in form.described(filters)]
    handle = write_table(table, data, title=table_title(table), description="; ".join(described))
    place = region.code if region else "national"
    stamp = timezone.localdate().strftime("%Y-%m-%d")
    return FileResponse(handle, as_attachment=True, filename=f"{table}-{place}-{stamp}.xlsx")


@login_required
def national_export(request, table):
    """A table of the national dashboard as XLSX, with the page's filters and scope."""
    if not policy.can_read_national(request.user):
        raise PermissionDenied
    return _export(request, None, table)


@login_required
def regional_export(request, code, table):
    return _export(request, _region_for(request, code), table)
