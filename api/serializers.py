"""What each resource's rows hold, in codes (not words in one language): a BI tool joins on codes."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from monitoring.models import Indicator, Period, Submission
from pilots.models import Organisation, Region
from reports.models import Report

# The indicator types whose value is a number (Indicator.Type): the rest are a text or a choice's code.
NUMERIC_TYPES = {t for t in Indicator.Type.values if t not in (Indicator.Type.TEXT, Indicator.Type.CHOICE)}


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name_kk", "name_ru", "name_en"]


class OrganisationSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region.code")

    class Meta:
        model = Organisation
        fields = [
            "bin",
            "name_kk",
            "name_ru",
            "name_en",
            "region",
            "district_kk",
            "district_ru",
            "ownership",
            "settlement",
            "language",
            "groups",
            "children",
            "in_pilot_from",
            "in_pilot_until",
        ]


class PeriodSerializer(serializers.ModelSerializer):
    class Meta:
        model = Period
        fields = ["code", "year", "quarter", "starts_on", "ends_on", "due_on", "review_due_on", "locked"]


class RuleSerializer(serializers.Serializer):
    code = serializers.CharField()
    kind = serializers.CharField()
    indicators = serializers.ListField(child=serializers.CharField())
    target = serializers.CharField(allow_blank=True)
    factor = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True)
    message_kk = serializers.CharField()
    message_ru = serializers.CharField()
    message_en = serializers.CharField(allow_blank=True)


class IndicatorSerializer(serializers.ModelSerializer):
    section = serializers.CharField(source="section.code")
    periods = serializers.SerializerMethodField()
    rules = serializers.SerializerMethodField()

    class Meta:
        model = Indicator
        fields = [
            "code",
            "section",
            "position",
            "name_kk",
            "name_ru",
            "name_en",
            "unit_kk",
            "unit_ru",
            "unit_en",
            "type",
            "min_value",
            "max_value",
            "choices",
            "required",
            "aggregation",
            "figure_role",
            "periods",
            "rules",
        ]

    def get_periods(self, indicator) -> list[str]:
        return [p.code for p in indicator.periods.all()]

    def get_rules(self, indicator) -> list[dict]:
        """The active rules that check this indicator (read once per page: the view's context)."""
        rules = self.context.get("rules", [])
        return RuleSerializer(
            [r for r in rules if indicator.code in r.indicators or indicator.code == r.target], many=True
        ).data


class SubmissionSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.bin")
    region = serializers.CharField(source="organisation.region.code")
    period = serializers.CharField(source="period.code")

    class Meta:
        model = Submission
        fields = [
            "organisation",
            "region",
            "period",
            "status",
            "version",
            "is_late",
            "first_submitted_at",
            "submitted_at",
            "accepted_at",
        ]


@extend_schema_field({"oneOf": [{"type": "number"}, {"type": "string"}], "nullable": True})
class ValueField(serializers.Field):
    """A number for a numeric indicator, the text for a text or a choice, null when not filled."""

    def to_representation(self, value):
        return value

    def get_attribute(self, instance):
        if instance.indicator.type in NUMERIC_TYPES:
            return None if instance.number is None else float(instance.number)
        return instance.text or None


class ValueSerializer(serializers.Serializer):
    """One value of one submission, in long form."""

    organisation = serializers.CharField(source="submission.organisation.bin")
    region = serializers.CharField(source="submission.organisation.region.code")
    period = serializers.CharField(source="submission.period.code")
    indicator = serializers.CharField(source="indicator.code")
    value = ValueField()
    unit_kk = serializers.CharField(source="indicator.unit_kk", allow_blank=True)
    unit_ru = serializers.CharField(source="indicator.unit_ru", allow_blank=True)
    status = serializers.CharField(source="submission.status")


class CompletenessSerializer(serializers.Serializer):
    region = serializers.CharField()
    period = serializers.CharField()
    expected = serializers.IntegerField()
    submitted = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    completeness = serializers.FloatField(allow_null=True)
    timeliness = serializers.FloatField(allow_null=True)


class StageProgressSerializer(serializers.Serializer):
    region = serializers.CharField()
    stage = serializers.IntegerField()
    name_kk = serializers.CharField()
    name_ru = serializers.CharField()
    percent = serializers.FloatField(allow_null=True)


class ReportVersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    snapshot_at = serializers.DateTimeField()
    compiled_at = serializers.DateTimeField()
    pdf_sha256 = serializers.CharField()
    xlsx_sha256 = serializers.CharField()
    docx_sha256 = serializers.CharField(allow_blank=True)
    values_csv_sha256 = serializers.CharField(allow_blank=True)
    links = serializers.DictField(child=serializers.URLField())


class ReportSerializer(serializers.ModelSerializer):
    period = serializers.CharField(source="period.code", allow_null=True, default=None)
    region = serializers.CharField(source="region.code", allow_null=True, default=None)
    versions = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "id",
            "kind",
            "period",
            "region",
            "language",
            "status",
            "requested_at",
            "finished_at",
            "sent_at",
            "versions",
        ]

    def get_versions(self, report) -> list[dict]:
        from django.urls import reverse

        request = self.context["request"]

        def link(name, version):
            return request.build_absolute_uri(reverse(name, kwargs={"report_id": report.pk, "number": version.number}))

        rows = []
        for v in report.versions.all():
            links = {"pdf": link("report_version_pdf", v), "xlsx": link("report_version_xlsx", v)}
            if v.docx:
                links["docx"] = link("report_version_docx", v)
            if v.values_csv:
                links["values"] = link("report_version_values", v)
            rows.append({
                "number": v.number,
                "snapshot_at": v.snapshot_at,
                "compiled_at": v.compiled_at,
                "pdf_sha256": v.pdf_sha256,
                "xlsx_sha256": v.xlsx_sha256,
                "docx_sha256": v.docx_sha256,
                "values_csv_sha256": v.values_csv_sha256,
                "links": links,
            })
        return ReportVersionSerializer(rows, many=True).data
