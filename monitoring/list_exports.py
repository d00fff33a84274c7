"""The monitoring lists as workbooks: a reviewer's queue (one tab of it), a submission's audit history, the
order's control card. Each is the page's own rows, from the page's own selectors; a list that grows with the
number of organisations is read a chunk at a time."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pilot_portal.xlsx_cells import INTEGER
from pilot_portal.xlsx_table import CHUNK, DATE, DATETIME, Sheet, local

from .models import Status

# The queue's tabs, as their titles read on the page.
QUEUE_TABS = {
    "submitted": gettext_lazy("Waiting for review"),
    "returned": gettext_lazy("Returned"),
    "missing": gettext_lazy("Not handed in yet"),
    "accepted": gettext_lazy("Accepted"),
    "late": gettext_lazy("Of those handed in, late"),
}


def _status_words() -> dict:
    return {value: str(label) for value, label in Status.choices}


def queue_sheet(*, shown: str, period, rows) -> Sheet:
    """One tab of the queue: organisations not handed in (`shown` "missing"), else submissions."""
    title = f"{period.label} · {QUEUE_TABS[shown]}"
    if shown == "missing":
        headers = [
            (_("Organisation"), 48, None),
            (_("BIN"), 14, None),
            (_("Region"), 24, None),
            (_("Director"), 30, None),
            (_("Phone"), 18, None),
            (_("E-mail"), 26, None),
        ]
        lines = (
            [o.name, o.bin, o.region.name, o.director, o.phone, o.email] for o in rows.iterator(chunk_size=CHUNK)
        )
        return Sheet(title, headers, lines)
    headers = [
        (_("Organisation"), 48, None),
        (_("BIN"), 14, None),
        (_("Region"), 24, None),
        (_("Status"), 16, None),
        (_("Late"), 8, None),
        (_("Version"), 9, INTEGER),
        (_("Submitted on"), 17, DATETIME),
        (_("Accepted on"), 17, DATETIME),
    ]
    words = _status_words()
    yes, no = _("yes"), _("no")

    def lines():
        for s in rows.iterator(chunk_size=CHUNK):
            o = s.organisation
            yield [
                o.name,
                o.bin,
                o.region.name,
                words.get(s.status, s.status),
                yes if s.is_late else no,
                s.version,
                local(s.submitted_at),
                local(s.accepted_at),
            ]

    return Sheet(title, headers, lines())


def history_sheets(*, changes, file_events) -> list[Sheet]:
    """The audit history's two tables: every change of a value, every file attached or removed."""
    none = "—"
    values = Sheet(
        _("Changes of values"),
        [
            (_("When"), 17, DATETIME),
            (_("Who"), 34, None),
            (_("Indicator code"), 14, None),
            (_("Indicator"), 44, None),
            (_("Before"), 30, None),
            (_("After"), 30, None),
        ],
        (
            [local(c.at), c.by.person if c.by else none, c.indicator.code, c.indicator.name, c.before, c.after]
            for c in changes
        ),
    )
    attached, removed = _("Attached"), _("Removed")
    files = Sheet(
        _("Files"),
        [(_("When"), 17, DATETIME), (_("Who"), 34, None), (_("File"), 40, None), (_("What happened"), 16, None)],
        ([local(e.at), e.by.person if e.by else none, e.name, removed if e.removed else attached] for e in file_events),
    )
    return [values, files]


def control_card_sheet(statuses) -> Sheet:
    """The order's clauses as the control card shows them: who, by when, the state now and what it rests on."""
    headers = [
        (_("Clause"), 8, None),
        (_("Obligation"), 60, None),
        (_("Responsible"), 30, None),
        (_("Starts on"), 12, DATE),
        (_("Due on"), 12, DATE),
        (_("Status"), 14, None),
        (_("Days left"), 10, INTEGER),
        (_("Summary"), 60, None),
        (_("Records of execution"), 60, None),
    ]

    def lines():
        for s in statuses:
            records = "\n".join(_execution(e) for e in s.executions)
            days_left = s.days_left if s.days_left is not None and s.days_left >= 0 else None
            yield [
                s.clause.number,
                s.clause.text,
                s.clause.responsible,
                s.starts_on,
                s.due_on,
                str(s.state_label),
                days_left,
                s.summary,
                records,
            ]

    return Sheet(_("Control card"), headers, lines())


def _execution(execution) -> str:
    line = f"{execution.done_on:%d.%m.%Y}: {execution.note}"
    if execution.document_number:
        number = _("outgoing number")  # outside the f-string, where makemessages finds it
        line += f" ({number} {execution.document_number})"
    return line
