from django import forms
from django.utils.translation import gettext_lazy as _

from monitoring.models import Period
from pilots.models import Region, User

from .models import Narrative, Report


class ReportRequestForm(forms.Form):
    """What to compile. Unknown quarters and regions are refused with a message, never a 500."""

    kind = forms.ChoiceField(label=_("Report"), choices=Report.Kind.choices)
    period = forms.ChoiceField(label=_("Quarter"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    language = forms.ChoiceField(label=_("Language of the report"), choices=Report.Language.choices)

    def __init__(self, *args, user: User, periods, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [("", "—")] + [(p.code, p.label) for p in periods]
        self.fields["region"].choices = [("", "—")] + [(r.code, f"{r.code} · {r.name}") for r in regions]
        if user.role == User.Role.REGION:
            self.fields["kind"].choices = [(Report.Kind.REGIONAL, Report.Kind.REGIONAL.label)]
        self.fields["language"].initial = user.language if user.language in Report.Language.values else "kk"

    def clean_period(self):
        code = self.cleaned_data.get("period")
        return Period.objects.filter(code=code).first() if code else None

    def clean_region(self):
        code = self.cleaned_data.get("region")
        return Region.objects.filter(code=code).first() if code else None


class NarrativeForm(forms.Form):
    conclusions_kk = forms.CharField(
        label=_("Conclusions (Kazakh)"), required=False, widget=forms.Textarea(attrs={"rows": 10})
    )
    recommendations_kk = forms.CharField(
        label=_("Recommendations (Kazakh)"), required=False, widget=forms.Textarea(attrs={"rows": 10})
    )
    conclusions_ru = forms.CharField(
        label=_("Conclusions (Russian)"), required=False, widget=forms.Textarea(attrs={"rows": 10})
    )
    recommendations_ru = forms.CharField(
        label=_("Recommendations (Russian)"), required=False, widget=forms.Textarea(attrs={"rows": 10})
    )

    def pairs(self):
        """(section, language, text) for every field."""
        for name, value in self.cleaned_data.items():
            section, language = name.rsplit("_", 1)
            yield section, language, value

    @staticmethod
    def initial_from(narratives: list[Narrative]) -> dict:
        return {f"{n.section}_{n.language}": n.text for n in narratives}
