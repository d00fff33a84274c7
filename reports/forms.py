import hashlib
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from monitoring.models import Period
from pilots import policy
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
        if policy.is_coordinator(user):
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


# About six printed pages; a longer text belongs in an annex, not a summary.
SUMMARY_MAX_CHARS = 20000


class SummaryForm(forms.Form):
    """A quarter's summary in both languages; `seen` carries the stamp of the text the page showed."""

    text_kk = forms.CharField(
        label=_("Summary (Kazakh)"),
        required=False,
        max_length=SUMMARY_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 14}),
    )
    text_ru = forms.CharField(
        label=_("Summary (Russian)"),
        required=False,
        max_length=SUMMARY_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 14}),
    )
    seen = forms.CharField(required=False, widget=forms.HiddenInput)
    # A digest of each text as the page showed it: what the writer changed is what differs from it.
    base_kk = forms.CharField(required=False, widget=forms.HiddenInput)
    base_ru = forms.CharField(required=False, widget=forms.HiddenInput)

    def texts(self) -> dict[str, str]:
        return {"kk": self.cleaned_data["text_kk"], "ru": self.cleaned_data["text_ru"]}

    def changed_texts(self) -> dict[str, str]:
        """The languages the writer changed; all of them when the page carried no digest."""
        return {
            language: text
            for language, text in self.texts().items()
            if self.cleaned_data[f"base_{language}"] != text_digest(text)
        }

    @staticmethod
    def initial_from(narratives: list[Narrative]) -> dict:
        texts = {n.language: n.text for n in narratives}
        initial = {f"text_{language}": text for language, text in texts.items()}
        return initial | {f"base_{language}": text_digest(texts.get(language, "")) for language in ("kk", "ru")}


def text_digest(text: str) -> str:
    """The same for a text as saved and as the browser sends it back (CRLF line ends, stripped)."""
    return hashlib.sha256(text.replace("\r\n", "\n").strip().encode()).hexdigest()


# What a document cannot hold (XML refuses them), such as Word's manual line break pasted from a
# letter; tabs and line breaks are fine.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


class SendForm(forms.Form):
    """The cover letter's register line, addressee and signatory; the portal writes the letter itself."""

    number = forms.CharField(
        label=_("Outgoing number"),
        max_length=50,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        help_text=_("As in the Institute's register of outgoing letters, e.g. 01-12/345."),
    )
    date = forms.DateField(
        label=_("Outgoing date"),
        help_text=_("dd.mm.yyyy"),
        widget=forms.DateInput(attrs={"placeholder": _("dd.mm.yyyy"), "inputmode": "numeric", "class": "form-control"}),
        # Also for a day that does not exist, such as 31.02: the same parse refuses both.
        error_messages={"invalid": _("Enter a date that exists, as dd.mm.yyyy, e.g. 07.12.2026.")},
    )
    # Left empty, they are taken from the data as the form prefills them (the Department; the director).
    addressee = forms.CharField(
        label=_("Addressee"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
    signatory_name = forms.CharField(
        label=_("Signatory"), max_length=200, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    signatory_position = forms.CharField(
        label=_("Signatory's position"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def clean(self):
        cleaned = super().clean()
        for name in ("number", "addressee", "signatory_name", "signatory_position"):
            value = cleaned.get(name)
            if value and CONTROL_CHARACTERS.search(value):
                self.add_error(
                    name,
                    forms.ValidationError(
                        _("Remove the invisible control characters (pasted with the text) from this field."),
                        code="control_characters",
                    ),
                )
        return cleaned

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound and not self.is_valid():
            self.mark_invalid()

    def mark_invalid(self):
        """Invalid fields say so to assistive technology, and the first one takes the focus."""
        first = True
        for name in self.fields:
            if name in self.errors:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["class"] = attrs.get("class", "") + " is-invalid"
                if first:
                    attrs["autofocus"] = True
                    first = False


# A report of the national pilot is a few MB; anything far larger is not a copy of one.
VERIFY_MAX_BYTES = 50 * 1024 * 1024


class VerifyForm(forms.Form):
    file = forms.FileField(
        label=_("PDF to check"),
        help_text=_("A copy of a report that this portal signed; at most 50 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf", "class": "form-control"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > VERIFY_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 50 MB: it is not a report of this portal."), code="too_large"
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."), code="empty")
        return upload
