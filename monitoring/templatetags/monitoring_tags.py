from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
