"""What the dashboards and reports sum, kept summed (national-scale issue 12, item 2).

Each row is one cell of the filters' dimensions (pilots.filters.OrganisationFilter: region, ownership,
settlement, language) in one period; the summary holds exactly what monitoring.figures computes from
the values today, cell by cell, so any filter on those dimensions is a sum of cells:

SummedCounts (per period × region × ownership × settlement × language), the submissions' counts:
  - expected: organisations expected in the period (Organisation.objects.expected_in), as
    figures.completeness_by_region and figures.period_bases count them;
  - handed_in / late: handed-in submissions (Submission.objects.handed_in()) of organisations expected
    in the period, and of those the late ones, as completeness_by_region counts them (on time is
    handed_in − late);
  - accepted / awaiting_review: accepted (Submission.objects.counted()) and submitted-not-reviewed
    submissions of the period, of any organisation in the cell, expected or not, as period_bases counts
    them.
SummedValue (per period × indicator × the same four dimensions), the accepted values
(Value.objects.counted(), number not empty), as figures.indicator_sums and key_totals read them:
  - total: the sum of the numbers;
  - organisations: how many numbers were summed, one per organisation (one submission per organisation
    and period), so an averaged indicator is total / organisations.

  - previous_total / previous_organisations (next_…): the same over the numbers whose organisation gave
    the same indicator, accepted, in the quarter before (after) by date: key_totals' like-for-like
    change from one quarter to the next is previous_… of the later against next_… of the earlier.

  - diagnosed_… / cohort_…: the same over the numbers whose organisation is diagnosed (children assessed,
    accepted) in their quarter, and over the skills' matched cohort (diagnosed at both the baseline, the
    first quarter 1, and the final, the last quarter 4), as figures.skills_matched_cohort reads them.
SummedCounts also holds what follows from accepted data across quarters (monitoring.summary_parts):
accepted_with_previous (period_bases.in_both), diagnosed, and the skills' cohort sizes on the baseline's row.

Not summed, because they do not split into cells: the latest accepted quarter, the review speed.

The rows are written only by monitoring.summary (summary_apply, in the transaction of each transition
that changes them) and rebuilt by `manage.py rebuild_summary`, which also checks them. A cell of zeros
may stay as a row or be absent: both mean zero."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from pilots.models import Region

from .catalogue import Indicator
from .periods import Period

DIMENSION_FIELDS = ("region", "ownership", "settlement", "language")


class SummaryCell(models.Model):
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+", verbose_name=_("period"))
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+", verbose_name=_("region"))
    ownership = models.CharField(_("ownership"), max_length=7)
    settlement = models.CharField(_("settlement type"), max_length=5)
    language = models.CharField(_("language of instruction"), max_length=5)

    class Meta:
        abstract = True


class SummedCounts(SummaryCell):
    expected = models.IntegerField(_("expected"), default=0)
    handed_in = models.IntegerField(_("handed in"), default=0)
    late = models.IntegerField(_("late"), default=0)
    accepted = models.IntegerField(_("accepted"), default=0)
    awaiting_review = models.IntegerField(_("awaiting review"), default=0)
    # The reviewer's queue, of the organisations expected in the period: waiting for review, and returned.
    waiting = models.IntegerField(_("waiting for review, of those expected"), default=0)
    returned = models.IntegerField(_("returned, of those expected"), default=0)
    # From accepted data (monitoring.summary_parts): accepted here and in the quarter before; expected and
    # diagnosed (children assessed, accepted) here; and, on the baseline's row only, the skills' population
    # (expected at the baseline or the final) and how many of it are diagnosed at each and at both.
    accepted_with_previous = models.IntegerField(_("accepted, and in the quarter before"), default=0)
    diagnosed = models.IntegerField(_("diagnosed"), default=0)
    cohort_population = models.IntegerField(_("in the pilot at the baseline or the final"), default=0)
    cohort_with_baseline = models.IntegerField(_("diagnosed at the baseline"), default=0)
    cohort_with_final = models.IntegerField(_("diagnosed at the final"), default=0)
    cohort_matched = models.IntegerField(_("diagnosed at both"), default=0)

    class Meta:
        verbose_name = _("summed submission counts")
        verbose_name_plural = _("summed submission counts")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "region", "ownership", "settlement", "language"], name="one_summed_counts_per_cell"
            ),
        ]


class ValueSums(models.Model):
    """What a cell sums of the accepted values of one indicator (see the module's docstring)."""

    # Value.number is max_digits=16; 11,000 organisations' sums need five digits more.
    total = models.DecimalField(_("total"), max_digits=24, decimal_places=2, default=0)
    organisations = models.IntegerField(_("organisations"), default=0)
    # The same over the organisations that gave the indicator, accepted, in the quarter before (after)
    # too: the like-for-like bases of key_totals' change from one quarter to the next.
    previous_total = models.DecimalField(
        _("total, also given the quarter before"), max_digits=24, decimal_places=2, default=0
    )
    previous_organisations = models.IntegerField(_("organisations, also given the quarter before"), default=0)
    next_total = models.DecimalField(
        _("total, also given the quarter after"), max_digits=24, decimal_places=2, default=0
    )
    next_organisations = models.IntegerField(_("organisations, also given the quarter after"), default=0)
    # The same over the organisations diagnosed in this quarter; and over the skills' matched cohort
    # (diagnosed at both the baseline and the final), in those two quarters only.
    diagnosed_total = models.DecimalField(_("total, diagnosed"), max_digits=24, decimal_places=2, default=0)
    diagnosed_organisations = models.IntegerField(_("organisations, diagnosed"), default=0)
    cohort_total = models.DecimalField(_("total, matched cohort"), max_digits=24, decimal_places=2, default=0)
    cohort_organisations = models.IntegerField(_("organisations, matched cohort"), default=0)

    class Meta:
        abstract = True


class SummedValue(SummaryCell, ValueSums):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+", verbose_name=_("indicator"))

    class Meta:
        verbose_name = _("summed value")
        verbose_name_plural = _("summed values")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "indicator", "region", "ownership", "settlement", "language"],
                name="one_summed_value_per_cell",
            ),
        ]


class ProgressCell(models.Model):
    """A cell of the filters' dimensions, for the algorithm's progress (no period: progress is by date)."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+", verbose_name=_("region"))
    ownership = models.CharField(_("ownership"), max_length=7)
    settlement = models.CharField(_("settlement type"), max_length=5)
    language = models.CharField(_("language of instruction"), max_length=5)

    class Meta:
        abstract = True


class SummedOrganisations(ProgressCell):
    """The organisations of a cell, whatever their days in the pilot: figures.stage_progress_by_region takes
    away those not in the pilot on its day, a handful read through their dates' indexes."""

    organisations = models.IntegerField(_("organisations"), default=0)

    class Meta:
        verbose_name = _("summed organisations")
        verbose_name_plural = _("summed organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "ownership", "settlement", "language"], name="one_summed_organisations_per_cell"
            ),
        ]


class SummedActivities(ProgressCell):
    """Activities of the algorithm ticked done with a date, by the organisations of a cell, whatever the
    date and the organisations' days in the pilot: the figure of a day takes away the ticks dated after it
    and those of organisations not in the pilot on it (monitoring.progress_summary)."""

    activity = models.ForeignKey("pilots.Activity", on_delete=models.CASCADE, related_name="+")
    done = models.IntegerField(_("done"), default=0)

    class Meta:
        verbose_name = _("summed activities done")
        verbose_name_plural = _("summed activities done")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "region", "ownership", "settlement", "language"],
                name="one_summed_activity_per_cell",
            ),
        ]


class SummedRegionValue(ValueSums):
    """SummedValue's cells of a region added up (every ownership, settlement and language): what a figure of the
    country or of regions reads, 20 rows a quarter and indicator whatever the number of organisations (against
    240 cells at 11,000). Kept by the same statement of monitoring.summary as the cells it adds up."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+", verbose_name=_("period"))
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+", verbose_name=_("region"))
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+", verbose_name=_("indicator"))

    class Meta:
        verbose_name = _("summed value of a region")
        verbose_name_plural = _("summed values of regions")
        constraints = [
            models.UniqueConstraint(fields=["period", "indicator", "region"], name="one_summed_value_per_region"),
        ]
