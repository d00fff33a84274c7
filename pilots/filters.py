"""The one filter stack: the organisations list, the dashboards, their exports and the figures narrow
organisations with `OrganisationFilter`, read from the address by `FilterForm`.

A value that is not understood is dropped and named on the page (`FilterForm.ignored`, shown by
templates/includes/ignored_filters.html), never an error page. A filter never widens the user's
scope: `OrganisationFilter.apply` narrows a scope the caller has already chosen."""

from dataclasses import asdict, dataclass
from urllib.parse import urlencode

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from .models import Organisation, Region
from .models.organisations import in_pilot_on_q


@dataclass(frozen=True)
class OrganisationFilter:
    """What organisations may be narrowed by; empty means all. `period` chooses a dashboard's quarter
    and narrows no organisation."""

    q: str = ""
    region: str = ""
    ownership: str = ""
    settlement: str = ""
    language: str = ""
    in_pilot: str = ""
    period: str = ""
    # National totals beside a region's figures: aggregates only (pilots.selectors.national_aggregate_scope).
    national: bool = False

    def apply(self, qs: QuerySet[Organisation]) -> QuerySet[Organisation]:
        """The organisations of `qs` that pass every filter set."""
        if self.q:
            term = self.q.strip()
            qs = qs.filter(
                Q(bin__startswith=term)
                | Q(name_kk__icontains=term)
                | Q(name_ru__icontains=term)
                | Q(name_en__icontains=term)
            )
        if self.region:
            qs = qs.filter(region__code=self.region)
        if self.ownership:
            qs = qs.filter(ownership=self.ownership)
        if self.settlement:
            qs = qs.filter(settlement=self.settlement)
        if self.language:
            qs = qs.filter(language=self.language)
        if self.in_pilot == "yes":
            qs = qs.filter(in_pilot_on_q(timezone.localdate()))
        elif self.in_pilot == "no":
            qs = qs.filter(in_pilot_until__lt=timezone.localdate())
        return qs

    def querystring(self) -> str:
        """The filters set, as the address carries them."""
        return urlencode({k: v for k, v in asdict(self).items() if v and k != "national"})

    def nationwide(self) -> "OrganisationFilter":
        """The same filters without the region, for the national figure beside a region's."""
        return OrganisationFilter(
            ownership=self.ownership,
            settlement=self.settlement,
            language=self.language,
            period=self.period,
            national=True,
        )


def _all(choices) -> list:
    return [("", _("all")), *choices]


class FilterForm(forms.Form):
    """The filters a page offers (`names`, in the page's order), read from the address.

    A regional dashboard passes `fixed_region`: its region field is not offered and the page shows
    its own region whatever the address asks."""

    q = forms.CharField(label=_("Name or BIN"), required=False, max_length=100)
    period = forms.ChoiceField(label=_("Quarter"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    ownership = forms.ChoiceField(label=_("Ownership"), required=False, choices=_all(Organisation.Ownership.choices))
    settlement = forms.ChoiceField(label=_("Settlement"), required=False, choices=_all(Organisation.Settlement.choices))
    language = forms.ChoiceField(
        label=_("Language of instruction"), required=False, choices=_all(Organisation.Language.choices)
    )
    in_pilot = forms.ChoiceField(
        label=_("In the pilot"),
        required=False,
        choices=_all([("yes", _("in the pilot now")), ("no", _("left the pilot"))]),
    )

    def __init__(
        self,
        data,
        *,
        names: tuple[str, ...],
        regions,
        periods=(),
        fixed_region: Region | None = None,
        **kwargs,
    ):
        # An address without a query string is an unbound form: nothing to report, the defaults apply.
        super().__init__(data or None, **kwargs)
        if fixed_region is not None:
            names = tuple(n for n in names if n != "region")
        self.fields = {name: self.fields[name] for name in names}
        if "period" in self.fields:
            self.fields["period"].choices = [("", _("latest"))] + [(p.code, p.label) for p in periods]
        if "region" in self.fields:
            self.fields["region"].choices = _all((r.code, f"{r.code} · {r.name}") for r in regions)
        self.fixed_region = fixed_region

    def filters(self) -> OrganisationFilter:
        """The valid filters; invalid ones are left out (see `ignored`)."""
        data = {}
        if self.is_bound:
            self.is_valid()
            data = {name: self.cleaned_data.get(name, "") for name in self.fields if name not in self.errors}
        if self.fixed_region is not None:
            data["region"] = self.fixed_region.code
        return OrganisationFilter(**data)

    def ignored(self) -> list[str]:
        """Each filter whose value was not understood, with the value asked: «Ownership: «martian»»."""
        if not self.is_bound:
            return []
        notes = [f"{self.fields[name].label}: «{Truncator(self.data.get(name)).chars(40)}»" for name in self.errors]
        asked = self.data.get("region")
        if self.fixed_region is not None and asked and asked != self.fixed_region.code:
            # A regional page shows its own region whatever the address asks.
            word = _("Region")
            notes.append(f"{word}: «{Truncator(asked).chars(40)}»")
        return notes

    def described(self, filters: OrganisationFilter, names=("period", "ownership", "settlement", "language")):
        """The filters in force, as a reader names them: "Ownership: private"."""
        words = []
        for name in names:
            value = getattr(filters, name)
            if value and name in self.fields:
                choices = getattr(self.fields[name], "choices", None)
                label = dict(choices).get(value, value) if choices is not None else f"«{value}»"
                words.append(f"{self.fields[name].label}: {label}")
        return words


LIST_FILTERS = ("q", "region", "ownership", "settlement", "language", "in_pilot")
DASHBOARD_FILTERS = ("period", "region", "ownership", "settlement", "language")
