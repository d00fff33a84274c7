from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from ..models import Status

register = template.Library()

STATUS_CLASSES = {
    Status.DRAFT: "text-bg-secondary",
    Status.SUBMITTED: "text-bg-primary",
    Status.RETURNED: "text-bg-warning",
    Status.ACCEPTED: "text-bg-success",
}


@register.simple_tag
def countdown(period, today=None):
    """'closes in N days', 'due today', 'N days late' or 'locked', for every page that shows a period."""
    today = today or timezone.localdate()
    if period.locked:
        return _("locked")
    days = period.days_to_due(today)
    if days > 0:
        return ngettext("closes in %(days)d day", "closes in %(days)d days", days) % {"days": days}
    if days == 0:
        return _("due today")
    return ngettext("%(days)d day late", "%(days)d days late", -days) % {"days": -days}


@register.inclusion_tag("monitoring/_status_badge.html")
def status_badge(status):
    return {
        "label": Status(status).label if status else _("not started"),
        "css": STATUS_CLASSES.get(status, "text-bg-light border"),
    }


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.simple_tag
def region_sum(sums, period_code, indicator_code, region_code):
    """A sum or average from monitoring.figures.indicator_sums(by="region"), written for a reader."""
    value = sums.get((period_code, indicator_code, region_code)) if sums else None
    if value is None:
        return "—"
    # An average (attendance, minutes per session) keeps one decimal; a count has none.
    decimals = 0 if value == int(value) else 1
    return formats.number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


@register.simple_tag
def status_label(status):
    return Status(status).label if status else "—"


# A date in running text, as official documents write it (DESIGN §8): «2025 жылғы 24 қарашадағы»,
# «от 24 ноября 2025 года». A whole phrase per month, since each language declines the month and
# orders day, month and year its own way.
DATED_REFERENCES = [
    gettext_lazy("of %(day)d January %(year)d"),
    gettext_lazy("of %(day)d February %(year)d"),
    gettext_lazy("of %(day)d March %(year)d"),
    gettext_lazy("of %(day)d April %(year)d"),
    gettext_lazy("of %(day)d May %(year)d"),
    gettext_lazy("of %(day)d June %(year)d"),
    gettext_lazy("of %(day)d July %(year)d"),
    gettext_lazy("of %(day)d August %(year)d"),
    gettext_lazy("of %(day)d September %(year)d"),
    gettext_lazy("of %(day)d October %(year)d"),
    gettext_lazy("of %(day)d November %(year)d"),
    gettext_lazy("of %(day)d December %(year)d"),
]


@register.filter
def dated_reference(value) -> str:
    """A document's date in running text: 'of 24 November 2025' in the active language."""
    return str(DATED_REFERENCES[value.month - 1]) % {"day": value.day, "year": value.year}


# A document's own date, as it stands under a signature or in a letter's register line: «2026 жылғы
# 7 желтоқсан», «7 декабря 2026 года».
OFFICIAL_DATES = [
    pgettext_lazy("official date", "%(day)d January %(year)d"),
    pgettext_lazy("official date", "%(day)d February %(year)d"),
    pgettext_lazy("official date", "%(day)d March %(year)d"),
    pgettext_lazy("official date", "%(day)d April %(year)d"),
    pgettext_lazy("official date", "%(day)d May %(year)d"),
    pgettext_lazy("official date", "%(day)d June %(year)d"),
    pgettext_lazy("official date", "%(day)d July %(year)d"),
    pgettext_lazy("official date", "%(day)d August %(year)d"),
    pgettext_lazy("official date", "%(day)d September %(year)d"),
    pgettext_lazy("official date", "%(day)d October %(year)d"),
    pgettext_lazy("official date", "%(day)d November %(year)d"),
    pgettext_lazy("official date", "%(day)d December %(year)d"),
]


@register.filter
def official_date(value) -> str:
    """A document's own date in words in the active language: «2026 жылғы 7 желтоқсан»."""
    return str(OFFICIAL_DATES[value.month - 1]) % {"day": value.day, "year": value.year}


# A quote names this many of the organisations that wrote it alike, and counts the rest.
AUTHORS_NAMED = 3


@register.simple_tag
def quote_authors(names: list[str]) -> str:
    """'A, B, C and 4 other organisations': who wrote a quoted text."""
    named = ", ".join(names[:AUTHORS_NAMED])
    others = len(names) - AUTHORS_NAMED
    if others <= 0:
        return named
    return ngettext(
        "%(names)s and %(count)d other organisation", "%(names)s and %(count)d other organisations", others
    ) % {"names": named, "count": others}
