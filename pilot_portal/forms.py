"""What every form of the portal shares."""

from django.core.exceptions import ValidationError


def errors_onto_form(form, error: ValidationError) -> None:
    """A service's refusal shown where the user looks: each field's errors beside that field, codes kept, and
    whatever concerns no field of this form above it."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        for item in errors:
            form.add_error(field if field in form.fields else None, item)
