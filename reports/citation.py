"""How a report cites the order: the issuer's office, the number, the date, the title, and the
sub-clause the report answers (DESIGN, «Citing the order»).

Each kind answers its own part of the order: the quarterly report sub-clause 1) of clause 3
(reporting quarterly), the final report sub-clause 2) of clause 3 (the analytical report), the
regional report clause 4 (the regional departments). A whole sentence per kind, since Kazakh and
Russian each order and decline the sub-clause, the clause and the order their own way."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from monitoring.templatetags.monitoring_tags import dated_reference
from pilots.models import Order

from .models import Report

CLAUSES = {
    Report.Kind.FINAL: pgettext_lazy("order citation", "sub-clause 2) of clause 3"),
    Report.Kind.QUARTERLY: pgettext_lazy("order citation", "sub-clause 1) of clause 3"),
    Report.Kind.REGIONAL: pgettext_lazy("order citation", "clause 4"),
}

PREPARED_UNDER = {
    Report.Kind.FINAL: gettext_lazy(
        "Prepared under sub-clause 2) of clause 3 of the order %(date)s %(number)s %(title)s"
    ),
    Report.Kind.QUARTERLY: gettext_lazy(
        "Prepared under sub-clause 1) of clause 3 of the order %(date)s %(number)s %(title)s"
    ),
    Report.Kind.REGIONAL: gettext_lazy("Prepared under clause 4 of the order %(date)s %(number)s %(title)s"),
}


@dataclass(frozen=True)
class Citation:
    """The order as a report cites it, in the active language."""

    prepared_under: str  # the title page's sentence: the sub-clause, the order's date, number and title
    signed_by: str  # the issuer's office and name
    clause: str  # the sub-clause alone, for the running header and the workbook
    date: str  # in words: «2025 жылғы 24 қарашадағы», «от 24 ноября 2025 года»
    number: str  # «№ ___» while unknown
    title: str  # in «»
    basis: str  # what the order implements; empty if not entered
    header: str  # the running header of every page after the first


def report_citation(order: Order | None, kind: str) -> Citation | None:
    if order is None:
        return None
    date, number, title = dated_reference(order.signed_on), order.number_label, order.title_in_quotes
    signed_by = " ".join(part for part in (order.issuer, order.signatory) if part)
    clause = str(CLAUSES[kind])
    # The date in words, as the title page and every official citation give it: «от 24 ноября 2025 года».
    header = _("Order %(date)s %(number)s %(title)s (signed by the %(issuer)s); %(clause)s") % {
        "date": date,
        "number": number,
        "title": title,
        "issuer": signed_by,
        "clause": clause,
    }
    return Citation(
        prepared_under=str(PREPARED_UNDER[kind]) % {"date": date, "number": number, "title": title},
        signed_by=signed_by,
        clause=clause,
        date=date,
        number=number,
        title=title,
        basis=order.basis,
        header=header,
    )
