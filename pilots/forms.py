from django import forms
from django.utils.translation import gettext_lazy as _

from .evidence import validate_evidence_file


class ActivityProgressForm(forms.Form):
    done = forms.BooleanField(label=_("Done"), required=False)
    done_on = forms.DateField(
        label=_("Date done"),
        required=False,
        help_text=_("dd.mm.yyyy"),
        widget=forms.DateInput(attrs={"placeholder": _("dd.mm.yyyy"), "inputmode": "numeric"}),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.FileField(
        label=_("Evidence"),
        required=False,
        help_text=_("JPG, PNG, PDF, DOCX or XLSX, at most 10 MB."),
    )
    remove_evidence = forms.BooleanField(label=_("Remove the attached file"), required=False)

    def clean_evidence(self):
        upload = self.cleaned_data.get("evidence")
        if upload:
            validate_evidence_file(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("done") and not cleaned.get("done_on") and "done_on" not in self.errors:
            self.add_error(
                "done_on", forms.ValidationError(_("Give the date the activity was done."), code="date_required")
            )
        return cleaned


class LeavePilotForm(forms.Form):
    effective_on = forms.DateField(
        label=_("Leaves the pilot on"),
        help_text=_("dd.mm.yyyy; the organisation counts for the periods up to this date."),
        widget=forms.DateInput(attrs={"placeholder": _("dd.mm.yyyy"), "inputmode": "numeric"}),
    )
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    replaced_by = forms.CharField(
        label=_("Replaced by (BIN)"),
        required=False,
        max_length=12,
        help_text=_("If another organisation takes its place, its BIN; it must already be in the registry."),
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self._organisations = organisations

    def clean_replaced_by(self):
        value = self.cleaned_data["replaced_by"].strip()
        if not value:
            return None
        replacement = self._organisations.filter(bin=value).first()
        if replacement is None:
            raise forms.ValidationError(_("No organisation with this BIN is in the registry."), code="unknown_bin")
        return replacement
