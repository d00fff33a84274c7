"""Every dashboard table as an XLSX file: styled header, frozen header, filters, number formats, widths.

Workbooks are written by pilot_portal.xlsx_table: write-only mode, a temporary file streamed from disk."""

from collections.abc import Callable

from django.utils.translation import gettext as _

from pilot_portal.xlsx_cells import DECIMAL, INTEGER, PERCENT, number_format
from pilot_portal.xlsx_table import Formatted, Sheet, write_workbook

from .figures import DIMENSIONS


def _completeness(data):
    # gettext calls stay outside f-strings, where makemessages can find them.
    expected, submitted, on_time = _("expected"), _("submitted"), _("on time")
    completeness, timeliness = _("completeness, %"), _("timeliness, %")
    headers = [(_("Region"), 28, None)]
    for p in data["periods"]:
        headers += [
            (f"{p.label}: {expected}", 12, INTEGER),
            (f"{p.label}: {submitted}", 12, INTEGER),
            (f"{p.label}: {completeness}", 14, PERCENT),
            (f"{p.label}: {on_time}", 12, INTEGER),
            (f"{p.label}: {timeliness}", 14, PERCENT),
        ]

    def rows():
        national = [data["national_completeness"]] if data.get("national_completeness") else []
        for row in [*data["completeness_rows"], data["completeness_total"], *national]:
            line = [row.label]
            for p in data["periods"]:
                c = row.cells[p.code]
                line += [c.expected, c.submitted, c.completeness, c.on_time, c.timeliness]
            yield line

    return headers, rows()


def _totals(data):
    change = _("change")
    headers = [(_("Indicator"), 40, None), (_("Unit"), 10, None)]
    for p in data["periods"]:
        headers += [(p.label, 12, INTEGER), (f"{p.label}: {change}", 12, INTEGER)]
    national = data.get("national_totals")
    if national:
        word = _("National")
        headers += [(f"{word}: {p.label}", 14, INTEGER) for p in data["periods"]]

    def rows():
        yield from _base_rows(data)
        for row in data["totals"]:
            line = [row.label, row.unit]
            for p in data["periods"]:
                line += [row.values[p.code], row.changes[p.code]]
            if national:
                line += [national[row.code].values[p.code] if row.code in national else None for p in data["periods"]]
            # Each figure in its indicator's format (a percent as a percent), the same as in the report's workbook.
            yield Formatted(line, {index: number_format(row.type) for index in range(2, len(line))})

    return headers, rows()


def _base_rows(data):
    """What each quarter's figures stand on, above them: expected, accepted, whether under review, the change's base."""
    bases = data["bases"]
    width = 2 * len(data["periods"]) + (len(data["periods"]) if data.get("national_totals") else 0)

    def line(label, values):
        cells = [label, ""]
        for p in data["periods"]:
            cells += [values(bases[p.code]), None]
        return cells + [None] * (width - 2 * len(data["periods"]))

    yield line(_("Organisations expected"), lambda b: b.expected)
    yield line(_("Organisations with accepted data"), lambda b: b.accepted)
    yield line(_("Submissions awaiting review"), lambda b: b.awaiting_review)
    yield line(_("Review in progress (no change is computed)"), lambda b: _("yes") if b.review_open else _("no"))
    yield line(
        _("Base of the change: organisations with accepted data in this and the previous quarter"),
        lambda b: None if b.review_open else b.in_both,
    )


def _stages(data):
    headers = [(_("Region"), 28, None)] + [(f"{s.position}. {s.name}, %", 18, PERCENT) for s in data["stages"]]

    def rows():
        national = [data["national_stages"]] if data.get("national_stages") else []
        for row in [*data["stage_rows"], data["stage_total"], *national]:
            yield [row.label] + [row.percents[s.position] for s in data["stages"]]

    return headers, rows()


def _skills(by):
    def table(data):
        assessed = _("assessed")
        change = _("change, percentage points")
        levels = data["skill_scale"].levels
        headers = [(DIMENSIONS[by][1], 28, None), (_("organisations in the cohort"), 14, INTEGER)]
        for moment in (_("baseline"), _("final")):
            headers += [(f"{moment}: {assessed}", 12, INTEGER)]
            headers += [(f"{moment}: {level.short_name}, %", 12, PERCENT) for level in levels]
        headers += [(f"{change}: {level.short_name}", 14, PERCENT) for level in levels]

        def rows():
            for row in data["skills"][by]:
                cells = row.cells
                line = [row.label, row.organisations, row.baseline_assessed]
                line += [c.baseline_share for c in cells]
                line += [row.final_assessed] + [c.final_share for c in cells]
                line += [c.change for c in cells]
                yield line

        return headers, rows()

    return table


def _review_speed(data):
    headers = [(_("Region"), 28, None), (_("Accepted"), 12, INTEGER), (_("Average days to acceptance"), 16, DECIMAL)]
    return headers, ([r.label, r.accepted, r.average_days] for r in data["review_speed"])


def _organisations(data):
    headers = [(_("Organisation"), 48, None), (_("BIN"), 14, None)] + [(p.label, 18, None) for p in data["periods"]]
    late, not_started, not_in_pilot = _("late"), _("not started"), _("not in the pilot")
    # A status's wording, looked up once per status: get_status_display() translates every choice on each
    # call, which was most of the time of writing a matrix of thousands of organisations.
    words = _StatusWords()

    def status(row, period) -> str:
        s = row.statuses[period.code]
        if s is None:
            return not_started if row.expected[period.code] else not_in_pilot
        return f"{words(s)}, {late}" if s.is_late else words(s)

    def rows():
        for row in data["organisation_matrix"]:
            yield [row.organisation.name, row.organisation.bin] + [status(row, p) for p in data["periods"]]

    return headers, rows()


class _StatusWords(dict):
    """A submission's status in words, in the active language, worded once per status."""

    def __call__(self, submission) -> str:
        if submission.status not in self:
            self[submission.status] = str(submission.get_status_display())
        return self[submission.status]


def _not_handed_in(data):
    """The page's list of whom to call: those not handed in, then those handed in late."""
    headers = [
        (_("Quarter"), 12, None),
        (_("Organisation"), 48, None),
        (_("BIN"), 14, None),
        (_("Status"), 22, None),
        (_("Director"), 30, None),
        (_("Phone"), 18, None),
        (_("E-mail"), 26, None),
    ]
    period = data["period"]
    missing = _("not handed in") if data.get("period_overdue") else _("not yet handed in")
    late = _("late")
    words = _StatusWords()

    def rows():
        for o in data["not_handed_in"]:
            yield [period.label, o.name, o.bin, missing, o.director, o.phone, o.email]
        for s in data["late"]:
            o = s.organisation
            yield [period.label, o.name, o.bin, f"{late}, {words(s)}", o.director, o.phone, o.email]

    return headers, rows()


TABLES: dict[str, tuple[Callable, bool]] = {
    # name → (builder, regional dashboards only)
    "completeness": (_completeness, False),
    "totals": (_totals, False),
    "stages": (_stages, False),
    **{f"skills-{by}": (_skills(by), False) for by in DIMENSIONS},
    "review-speed": (_review_speed, False),
    "organisations": (_organisations, True),
    "not-handed-in": (_not_handed_in, True),
}


def table_title(name: str) -> str:
    """The table's name in the reader's language, as the sheet and the document are titled."""
    titles = {
        "completeness": _("Completeness and timeliness"),
        "totals": _("Key totals by quarter"),
        "stages": _("Progress on the algorithm's stages"),
        "review-speed": _("Review speed"),
        "organisations": _("Organisations by quarter"),
        "not-handed-in": _("Whom to call"),
    }
    if name.startswith("skills-"):
        skills = _("Labour skills")  # outside the f-string, where makemessages finds it
        return f"{skills} · {DIMENSIONS[name.removeprefix('skills-')][1]}"
    return titles[name]


def write_table(name: str, data: dict, title: str, description: str = ""):
    """The table as an XLSX file on disk, rewound for reading; the document says what it holds."""
    builder, _regional = TABLES[name]
    headers, rows = builder(data)
    return write_workbook([Sheet(title, headers, rows)], title=title, description=description)
