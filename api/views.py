"""The read API, /api/v1/: each resource reads through the selectors and the policy that the user's pages use.

Out of scope is what it is on the pages: an organisation outside the reader's scope is not in any list, and a
resource whose page the reader may not open (a dashboard's figures for organisation staff) answers 403."""

import csv
from decimal import Decimal

from django.http import Http404, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, renderers, viewsets
from rest_framework import serializers as drf_serializers
from rest_framework.exceptions import NotFound, ParseError, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from monitoring import figures
from monitoring.models import Indicator, Period, Status, Submission, ValidationRule, Value
from pilot_portal.xlsx_cells import as_csv_text
from pilots import policy
from pilots.models import Organisation
from pilots.selectors import organisation_scope, region_scope
from reports.selectors import report_scope

from . import serializers
from .params import Param, read_params

ERRORS = {
    400: OpenApiResponse(description=gettext_lazy("A parameter's value is not understood; the body names it.")),
    401: OpenApiResponse(description=gettext_lazy("No token, or a token that is wrong or revoked.")),
    403: OpenApiResponse(description=gettext_lazy("The reader's role may not read this resource (as on the pages).")),
    404: OpenApiResponse(
        description=gettext_lazy("A region outside the reader's scope, as on the pages: it is not found.")
    ),
    405: OpenApiResponse(description=gettext_lazy("The API is read-only.")),
    429: OpenApiResponse(
        description=gettext_lazy("Too many requests with this token for now; try again after Retry-After.")
    ),
}


def _codes(model, field="code"):
    return lambda: model.objects.order_by(field).values_list(field, flat=True)


REGION = Param("region", gettext_lazy("ISO code of a region, e.g. KZ-71."), known=lambda: _region_codes())
PERIOD = Param("period", gettext_lazy("A reporting period's code, e.g. 2026-Q4."), known=_codes(Period))
OWNERSHIP = Param("ownership", gettext_lazy("state or private."), choices=tuple(Organisation.Ownership.values))
SETTLEMENT = Param("settlement", gettext_lazy("urban or rural."), choices=tuple(Organisation.Settlement.values))
LANGUAGE = Param("language", gettext_lazy("Language of instruction."), choices=tuple(Organisation.Language.values))
IN_PILOT_ON = Param("in_pilot_on", gettext_lazy("In the pilot on this day (YYYY-MM-DD)."), date=True)
INDICATOR = Param("indicator", gettext_lazy("An indicator's code."), known=_codes(Indicator))
STATUS = Param("status", gettext_lazy("The submission's status."), choices=tuple(Status.values))
FORMAT = Param(
    "format",
    gettext_lazy("csv: every row as one CSV file, streamed (with `period`: that period's)."),
    choices=("json", "csv"),
)


def _region_codes():
    from pilots.models import Region

    return Region.objects.order_by("code").values_list("code", flat=True)


def _documented(serializer, params, description):
    """The schema of a list: its parameters, its rows (a page of them), its error answers."""
    return extend_schema(
        parameters=[p.openapi() for p in params],
        description=description,
        responses={200: serializer(many=True), **ERRORS},
    )


def _all_rows(name, serializer):
    """The schema of a figure's answer: every row at once, and `next` always null."""
    return inline_serializer(
        name=name,
        fields={"results": serializer(many=True), "next": drf_serializers.CharField(allow_null=True)},
    )


class FormatChecked:
    """`?format=` names a renderer in DRF, which answers 404 to one it does not know: here it is a 400."""

    def perform_content_negotiation(self, request, force=False):
        try:
            return super().perform_content_negotiation(request, force)
        except (Http404, NotFound):
            asked = request.query_params.get("format", "")
            known = ", ".join(r.format for r in self.get_renderers())
            message = _("Unknown value «%(value)s»; one of: %(allowed)s.") % {"value": asked[:50], "allowed": known}
            raise ParseError({"format": [message]}) from None


def read_scoped(request, params: list[Param]) -> dict:
    """The parameters, checked; a region the reader's pages would not show is not found (404), as on the pages."""
    found = read_params(request, params)
    if "region" in found and not region_scope(user=request.user).filter(code=found["region"]).exists():
        raise NotFound(_("No such region in your scope."))
    return found


class ReadOnly(FormatChecked, mixins.ListModelMixin, viewsets.GenericViewSet):
    params: list[Param] = []

    def list(self, request, *args, **kwargs):
        self.filters = read_scoped(request, self.params)
        return super().list(request, *args, **kwargs)


@extend_schema_view(
    list=_documented(serializers.RegionSerializer, [], gettext_lazy("The regions whose data the reader may see."))
)
class RegionViewSet(ReadOnly):
    serializer_class = serializers.RegionSerializer

    def get_queryset(self):
        return region_scope(user=self.request.user).distinct()


@extend_schema_view(
    list=_documented(
        serializers.OrganisationSerializer,
        [REGION, OWNERSHIP, SETTLEMENT, LANGUAGE, IN_PILOT_ON],
        gettext_lazy("The organisations the reader may see, filtered."),
    )
)
class OrganisationViewSet(ReadOnly):
    serializer_class = serializers.OrganisationSerializer
    params = [REGION, OWNERSHIP, SETTLEMENT, LANGUAGE, IN_PILOT_ON]

    def get_queryset(self):
        qs = organisation_scope(user=self.request.user)
        f = self.filters
        if "region" in f:
            qs = qs.filter(region__code=f["region"])
        for name in ("ownership", "settlement", "language"):
            if name in f:
                qs = qs.filter(**{name: f[name]})
        if "in_pilot_on" in f:
            qs = qs.in_pilot_on(f["in_pilot_on"])
        return qs


@extend_schema_view(
    list=_documented(
        serializers.PeriodSerializer, [], gettext_lazy("The reporting periods (quarters) and their deadlines.")
    )
)
class PeriodViewSet(ReadOnly):
    serializer_class = serializers.PeriodSerializer
    queryset = Period.objects.all()


@extend_schema_view(
    list=_documented(
        serializers.IndicatorSerializer,
        [PERIOD],
        gettext_lazy("The indicator catalogue, with the rules that check each indicator."),
    )
)
class IndicatorViewSet(ReadOnly):
    serializer_class = serializers.IndicatorSerializer
    params = [PERIOD]

    def get_queryset(self):
        qs = Indicator.objects.select_related("section").prefetch_related("periods")
        if "period" in self.filters:
            qs = qs.filter(periods__code=self.filters["period"])
        return qs

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "rules": list(ValidationRule.objects.filter(active=True))}


def _submissions(user):
    return Submission.objects.filter(organisation__in=organisation_scope(user=user))


@extend_schema_view(
    list=_documented(
        serializers.SubmissionSerializer,
        [PERIOD, REGION, STATUS],
        gettext_lazy("Each organisation's submission for each period, with its status."),
    )
)
class SubmissionViewSet(ReadOnly):
    serializer_class = serializers.SubmissionSerializer
    params = [PERIOD, REGION, STATUS]

    def get_queryset(self):
        qs = _submissions(self.request.user).select_related("organisation__region", "period")
        f = self.filters
        if "period" in f:
            qs = qs.filter(period__code=f["period"])
        if "region" in f:
            qs = qs.filter(organisation__region__code=f["region"])
        if "status" in f:
            qs = qs.filter(status=f["status"])
        return qs


class CsvRenderer(renderers.BaseRenderer):
    """Chosen by `?format=csv`; the values view streams the file itself, row by row."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        raise NotImplementedError("the values view streams its CSV itself; errors are rendered as JSON")


VALUE_COLUMNS = ["organisation", "region", "period", "indicator", "value", "unit_kk", "unit_ru", "status"]


class _Echo:
    def write(self, value):
        return value


@extend_schema_view(
    list=extend_schema(
        parameters=[p.openapi() for p in (PERIOD, REGION, INDICATOR, STATUS, FORMAT)],
        description=gettext_lazy(
            "Every value of the submissions the reader may see, in long form. With `format=csv`, every row as one "
            "CSV file (UTF-8 with a byte order mark, a header row of codes), streamed; with `period`, that period's."
        ),
        responses={
            (200, "application/json"): serializers.ValueSerializer(many=True),
            (200, "text/csv"): OpenApiTypes.STR,
            **ERRORS,
        },
    )
)
class ValueViewSet(ReadOnly):
    serializer_class = serializers.ValueSerializer
    params = [PERIOD, REGION, INDICATOR, STATUS, FORMAT]
    renderer_classes = [renderers.JSONRenderer, CsvRenderer]

    def get_queryset(self):
        qs = Value.objects.filter(submission__in=_submissions(self.request.user)).select_related(
            "submission__organisation__region", "submission__period", "indicator"
        )
        f = self.filters
        if "period" in f:
            qs = qs.filter(submission__period__code=f["period"])
        if "region" in f:
            qs = qs.filter(submission__organisation__region__code=f["region"])
        if "indicator" in f:
            qs = qs.filter(indicator__code=f["indicator"])
        if "status" in f:
            qs = qs.filter(submission__status=f["status"])
        return qs

    def list(self, request, *args, **kwargs):
        self.filters = read_scoped(request, self.params)
        if self.filters.get("format") != "csv":
            return super().list(request, *args, **kwargs)
        self.paginator.get_page_size(request)  # a CSV has no pages, but a wrong page_size is still a 400
        return self._csv()

    def finalize_response(self, request, response, *args, **kwargs):
        # An error answering `format=csv` (a bad parameter, no token) is JSON like every other error.
        renderer = getattr(request, "accepted_renderer", None)
        if isinstance(response, Response) and renderer is not None and renderer.format == "csv":
            request.accepted_renderer, request.accepted_media_type = renderers.JSONRenderer(), "application/json"
        return super().finalize_response(request, response, *args, **kwargs)

    def _csv(self):
        numeric = serializers.NUMERIC_TYPES
        rows = (
            self.get_queryset()
            .order_by("pk")
            .values_list(
                "submission__organisation__bin",
                "submission__organisation__region__code",
                "submission__period__code",
                "indicator__code",
                "indicator__type",
                "number",
                "text",
                "indicator__unit_kk",
                "indicator__unit_ru",
                "submission__status",
            )
            .iterator(chunk_size=5000)
        )
        writer = csv.writer(_Echo())

        def lines():
            yield "\ufeff" + writer.writerow(VALUE_COLUMNS)  # the mark tells Excel the file is UTF-8
            for bin_, region, period, code, kind, number, text, unit_kk, unit_ru, status in rows:
                value = _number(number) if kind in numeric else as_csv_text(text)
                yield writer.writerow([bin_, region, period, code, value, unit_kk, unit_ru, status])

        period = self.filters.get("period", "all")
        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        stamp = timezone.localdate().strftime("%Y-%m-%d")
        response["Content-Disposition"] = f'attachment; filename="values-{period}-{stamp}.csv"'
        return response


def _number(number: Decimal | None) -> str:
    # A decimal point, as CSV readers expect whatever the reader's locale; trailing zeros dropped.
    if number is None:
        return ""
    text = format(number.normalize(), "f")
    return text


def _dashboard_reader(user):
    if not policy.can_read_dashboards(user):
        raise PermissionDenied(_("Organisation staff read their own organisation's data, not a region's figures."))


class FigureList(FormatChecked, APIView):
    """A figure's rows, all at once (there are at most regions × periods): `next` is always null."""

    params: list[Param] = []

    def get(self, request):
        _dashboard_reader(request.user)
        rows = self.rows(request, read_scoped(request, self.params))
        return Response({"results": self.serializer_class(rows, many=True).data, "next": None})


@extend_schema_view(
    get=extend_schema(
        operation_id="completeness_list",
        parameters=[p.openapi() for p in (PERIOD, OWNERSHIP, SETTLEMENT, LANGUAGE)],
        description=gettext_lazy("Completeness and timeliness by region and period, as the dashboards compute them."),
        responses={200: _all_rows("CompletenessRows", serializers.CompletenessSerializer), **ERRORS},
    )
)
class CompletenessView(FigureList):
    serializer_class = serializers.CompletenessSerializer
    params = [PERIOD, OWNERSHIP, SETTLEMENT, LANGUAGE]

    def rows(self, request, f):
        periods = figures.periods_started(today=timezone.localdate())
        if "period" in f:
            periods = [p for p in periods if p.code == f["period"]]
        filters = figures.FigureFilters(**{k: f[k] for k in ("ownership", "settlement", "language") if k in f})
        regions, _total = figures.completeness_by_region(user=request.user, filters=filters, periods=periods)
        return [
            {
                "region": row.key,
                "period": p.code,
                "expected": row.cells[p.code].expected,
                "submitted": row.cells[p.code].submitted,
                "on_time": row.cells[p.code].on_time,
                "late": row.cells[p.code].late,
                "completeness": row.cells[p.code].completeness,
                "timeliness": row.cells[p.code].timeliness,
            }
            for row in regions
            for p in periods
        ]


@extend_schema_view(
    get=extend_schema(
        operation_id="stages_list",
        parameters=[p.openapi() for p in (OWNERSHIP, SETTLEMENT, LANGUAGE)],
        description=gettext_lazy("The share of the algorithm's activities done, by region and stage, today."),
        responses={200: _all_rows("StageRows", serializers.StageProgressSerializer), **ERRORS},
    )
)
class StageView(FigureList):
    serializer_class = serializers.StageProgressSerializer
    params = [OWNERSHIP, SETTLEMENT, LANGUAGE]

    def rows(self, request, f):
        filters = figures.FigureFilters(**{k: f[k] for k in ("ownership", "settlement", "language") if k in f})
        stages, regions, _total = figures.stage_progress_by_region(user=request.user, filters=filters)
        return [
            {
                "region": row.key,
                "stage": stage.position,
                "name_kk": stage.name_kk,
                "name_ru": stage.name_ru,
                "percent": row.percents[stage.position],
            }
            for row in regions
            for stage in stages
        ]


@extend_schema_view(
    list=_documented(
        serializers.ReportSerializer,
        [PERIOD, REGION],
        gettext_lazy("The compiled reports the reader may see, with each version's files."),
    )
)
class ReportViewSet(ReadOnly):
    serializer_class = serializers.ReportSerializer
    params = [PERIOD, REGION]

    def get_queryset(self):
        qs = report_scope(user=self.request.user).prefetch_related("versions")
        if "period" in self.filters:
            qs = qs.filter(period__code=self.filters["period"])
        if "region" in self.filters:
            qs = qs.filter(region__code=self.filters["region"])
        return qs
