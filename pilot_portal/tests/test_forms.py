"""A service's refusal lands on the form: each field's error beside its field with its code, the rest above."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from pilot_portal.forms import errors_onto_form


class NoteForm(forms.Form):
    note = forms.CharField(required=False)


def _bound():
    form = NoteForm({"note": "x"})
    assert form.is_valid()
    return form


def test_a_fields_error_lands_beside_the_field_with_its_code():
    form = _bound()
    errors_onto_form(form, ValidationError({"note": ValidationError("Say more.", code="too_short")}))
    assert form.errors == {"note": ["Say more."]}
    assert form.has_error("note", code="too_short")


def test_an_error_about_no_field_of_this_form_lands_above_it():
    form = _bound()
    errors_onto_form(form, ValidationError({"region": ValidationError("Not yours.", code="scope")}))
    assert form.non_field_errors() == ["Not yours."]
    assert not form.has_error("note")  # the control below: the field itself stays clean


def test_an_error_without_fields_lands_above_the_form():
    form = _bound()
    errors_onto_form(form, ValidationError("The report was sent already.", code="sent"))
    assert form.non_field_errors() == ["The report was sent already."] and form.has_error(NON_FIELD_ERRORS, code="sent")
