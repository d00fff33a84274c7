"""No report workbook carries a formula: narratives that begin like one are accepted, then every kind compiled."""

import pytest

from monitoring.models import Period, Status, Submission
from monitoring.selectors import form_indicators, submission_get, submission_values
from monitoring.services import submission_accept, submission_reopen, submission_save
from pilot_portal.tests.workbooks import FORMULA_LIKE_TEXTS, formulas_in, text_cells
from pilot_portal.xlsx_cells import as_text
from pilots.models import Region, User
from reports.models import Report
from reports.services import report_queue

pytestmark = pytest.mark.django_db

# The demo catalogue's kinds of text (Indicator.FigureRole.NARRATIVE).
NARRATIVE_CODES = ("achievements", "difficulties", "proposals", "best_practice")
# What an organisation might type; each is one narrative of its own.
DANGEROUS = FORMULA_LIKE_TEXTS


def _type_and_accept(institute, coordinator, texts: list[str]) -> None:
    """Reopen accepted Q3 submissions of Astana, type `texts` into their narratives, submit and accept them."""
    submissions = list(
        Submission.objects.filter(
            period__code="2026-Q3", organisation__region__code="KZ-71", status=Status.ACCEPTED
        ).select_related("organisation")[: -(-len(texts) // len(NARRATIVE_CODES))]
    )
    pending = list(texts)
    for submission in submissions:
        bin_ = submission.organisation.bin
        submission_reopen(
            user=institute, context=submission_get(user=institute, bin=bin_, period_code="2026-Q3"), comment="typo"
        )
        staff = User.objects.get(role=User.Role.ORGANISATION, organisation=submission.organisation)
        context = submission_get(user=staff, bin=bin_, period_code="2026-Q3")
        values, explanations = submission_values(submission=context.submission)
        for code in NARRATIVE_CODES:
            if pending:
                values[code] = pending.pop(0)
        submission_save(
            user=staff,
            context=context,
            indicators=form_indicators(period=context.period, submission=context.submission),
            values=values,
            explanations=explanations,
            version=context.submission.version,
            submit=True,
        )
        context = submission_get(user=coordinator, bin=bin_, period_code="2026-Q3")
        submission_accept(user=coordinator, context=context, version=context.submission.version)
    assert not pending


def _compiled(user, kind: str) -> Report:
    arguments = {
        Report.Kind.QUARTERLY: {"period": Period.objects.get(code="2026-Q3"), "language": "ru"},
        Report.Kind.REGIONAL: {
            "period": Period.objects.get(code="2026-Q3"),
            "region": Region.objects.get(code="KZ-71"),
            "language": "kk",
        },
        Report.Kind.FINAL: {"language": "kk"},
    }
    assert set(arguments) == set(Report.Kind), "a new kind of report must be compiled here too"
    report, _created = report_queue(user=user, kind=kind, **arguments[kind])
    report.refresh_from_db()
    assert report.status == Report.Status.DONE, report.error
    return report


def test_narratives_that_begin_like_formulas_reach_every_report_workbook_as_text(institute, astana_coordinator):
    _type_and_accept(institute, astana_coordinator, DANGEROUS)
    for kind in Report.Kind:
        path = _compiled(institute, kind).latest_version.xlsx.path
        assert formulas_in(path) == [], kind
        texts = text_cells(path)
        # The positive control: each narrative is there, as typed, in a string cell.
        assert {text: texts.get(as_text(text)) for text in DANGEROUS} == {text: ["s"] for text in DANGEROUS}, kind
