"""One reading of numbers: the parser itself, and what a person sees and what is stored in the quarterly form."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from monitoring.models import Indicator, Submission, Value
from monitoring.tests.factories import IndicatorFactory
from pilot_portal.numbers import parse_number

NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.mark.parametrize(
    ("text", "whole", "expected"),
    [
        # accepted
        ("12", True, 12),
        ("12", False, Decimal("12")),
        ("  12 ", True, 12),
        ("-12", True, -12),
        ("1 250", True, 1250),
        (f"1{NBSP}250{NBSP}000", True, 1250000),
        (f"1{NNBSP}250", True, 1250),
        ("1 250", False, Decimal("1250")),
        ("22,5", False, Decimal("22.5")),
        ("22.5", False, Decimal("22.5")),
        (f"-1{NBSP}234{NBSP}567,50", False, Decimal("-1234567.50")),
        ("0,5", False, Decimal("0.5")),
        (".5", False, Decimal("0.5")),
        ("-0", True, 0),
        ("", True, None),
        ("   ", False, None),
        # refused, by code
        ("١٢", True, "non_ascii_digits"),
        ("۱۲", False, "non_ascii_digits"),
        ("１２", True, "non_ascii_digits"),
        ("1²", True, "non_ascii_digits"),
        ("1_000", True, "underscore"),
        ("1_000", False, "underscore"),
        ("1e2", True, "exponent"),
        ("1e2", False, "exponent"),
        ("2,5E-3", False, "exponent"),
        ("2,5", True, "not_whole_number"),
        ("12.0", True, "not_whole_number"),
        ("1,000,000", False, "several_decimal_marks"),
        ("1.000.000", True, "several_decimal_marks"),
        ("1.2,5", False, "several_decimal_marks"),
        ("12 5", True, "misplaced_separator"),
        ("1 0000", True, "misplaced_separator"),
        ("1  000", False, "misplaced_separator"),
        ("1 250,5 0", False, "misplaced_separator"),
        ("12 дана", True, "invalid"),
        ("abc", False, "invalid"),
        ("12%", False, "invalid"),
        ("+12", True, "invalid"),
        ("--12", True, "invalid"),
        ("- 12", True, "invalid"),
        ("-", True, "invalid"),
        (",", False, "invalid"),
        ("1\t000", True, "invalid"),
    ],
)
def test_the_parser_reads_each_spelling_or_refuses_it_with_a_code(text, whole, expected):
    if isinstance(expected, str):
        with pytest.raises(ValidationError) as refused:
            parse_number(text, whole=whole)
        assert refused.value.code == expected
        assert refused.value.messages[0]
    else:
        value = parse_number(text, whole=whole)
        assert (value, type(value)) == (expected, type(expected))


# --- the quarterly form -----------------------------------------------------------------------------------


@pytest.fixture
def wide(period, catalogue):
    """Beside the catalogue's children (whole, 0–10 000) and minutes (decimal, 0–120): a large decimal that may be
    negative, and a percentage."""
    return {
        "amount": IndicatorFactory(
            code="amount", type=Indicator.Type.DECIMAL, min_value=None, max_value=Decimal("99999999"), periods=[period]
        ),
        "share": IndicatorFactory(code="share", type=Indicator.Type.PERCENT, periods=[period]),
    }


def _save(client, staff, period, data):
    submission = Submission.objects.filter(organisation=staff.organisation, period=period).first()
    url = reverse("submission", args=[staff.organisation.bin, period.code])
    return client.post(url, {**data, "action": "save", "version": submission.version if submission else 0})


def _stored():
    return {v.indicator.code: v.number for v in Value.objects.all()}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "typed", "code", "message"),
    [
        ("children_total", "١٢", "non_ascii_digits", "Type the number with the digits 0–9."),
        ("avg_minutes", "١٢", "non_ascii_digits", "Type the number with the digits 0–9."),
        ("children_total", "1_000", "underscore", "Separate thousands with a space, not with “_”."),
        ("avg_minutes", "1_000", "underscore", "Separate thousands with a space, not with “_”."),
        ("children_total", "1e2", "exponent", "Write the number out in full, without an exponent (such as 1e2)."),
        ("avg_minutes", "1e2", "exponent", "Write the number out in full, without an exponent (such as 1e2)."),
        (
            "children_total",
            "2,5",
            "not_whole_number",
            "Give a whole number, without a decimal part; separate thousands with a space.",
        ),
        (
            "avg_minutes",
            "1,000,000",
            "several_decimal_marks",
            "Use one decimal mark, a comma or a dot, and separate thousands with a space.",
        ),
        (
            "children_total",
            "12 5",
            "misplaced_separator",
            "Separate thousands with a space in groups of three digits, as in 1 250 000.",
        ),
        (
            "avg_minutes",
            "12 5",
            "misplaced_separator",
            "Separate thousands with a space in groups of three digits, as in 1 250 000.",
        ),
        ("children_total", "12 дана", "invalid", "Type only the number, without letters or units."),
        ("avg_minutes", "12 мин", "invalid", "Type only the number, without letters or units."),
    ],
)
def test_a_refused_spelling_shows_its_reason_beside_the_field_and_nothing_is_written(
    client, staff, period, catalogue, field, typed, code, message
):
    client.force_login(staff)
    response = _save(client, staff, period, {field: typed})
    assert response.status_code == 400
    assert response.context["form"].has_error(field, code=code)
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()
    assert not Value.objects.exists()
    # Positive control: the same field takes the number spelt plainly.
    assert _save(client, staff, period, {field: "12"}).status_code == 302
    assert _stored() == {field: Decimal(12)}


@pytest.mark.django_db
def test_a_number_of_five_thousand_digits_is_refused_as_too_large_not_failed(client, staff, period, catalogue):
    client.force_login(staff)
    response = _save(client, staff, period, {"children_total": "9" * 5000, "avg_minutes": "9" * 5000})
    assert response.status_code == 400
    assert response.context["form"].has_error("children_total", code="max_value")
    assert response.context["form"].has_error("avg_minutes", code="max_value")


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["1250", "1 250", f"1{NBSP}250", f"1{NNBSP}250", " 1 250 "])
def test_a_whole_number_spelling_is_stored_alike_in_whole_number_and_decimal_fields(
    client, staff, period, catalogue, wide, typed
):
    client.force_login(staff)
    assert _save(client, staff, period, {"children_total": typed, "amount": typed}).status_code == 302
    assert _stored() == {"children_total": Decimal(1250), "amount": Decimal(1250)}


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["22,5", "22.5", "22,50"])
def test_a_comma_or_a_dot_is_the_decimal_mark_in_decimal_and_percent_fields(
    client, staff, period, catalogue, wide, typed
):
    client.force_login(staff)
    assert _save(client, staff, period, {"avg_minutes": typed, "amount": typed, "share": typed}).status_code == 302
    assert _stored() == {"avg_minutes": Decimal("22.5"), "amount": Decimal("22.5"), "share": Decimal("22.5")}


@pytest.mark.django_db
def test_a_negative_number_is_stored_where_the_indicator_allows_it_and_refused_where_it_does_not(
    client, staff, period, catalogue, wide
):
    client.force_login(staff)
    response = _save(client, staff, period, {"children_total": "-1 250", "amount": "-1 250,5"})
    assert response.context["form"].has_error("children_total", code="min_value")
    assert "amount" not in response.context["form"].errors
    assert _save(client, staff, period, {"amount": "-1 250,5"}).status_code == 302
    assert _stored() == {"amount": Decimal("-1250.5")}


def _input_values(page: str, codes) -> dict[str, str]:
    return {code: re.search(rf'<input type="text" name="{code}" [^>]*value="([^"]*)"', page).group(1) for code in codes}


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["kk", "ru"])
def test_what_the_form_renders_is_read_back_unchanged(client, staff, period, catalogue, wide, language):
    staff.language = language
    staff.save()
    client.force_login(staff)
    typed = {"children_total": "1 250", "amount": "-1 234 567,5", "share": "99,5", "avg_minutes": "22.5"}
    assert _save(client, staff, period, typed).status_code == 302
    stored = _stored()
    assert stored == {
        "children_total": Decimal(1250),
        "amount": Decimal("-1234567.5"),
        "share": Decimal("99.5"),
        "avg_minutes": Decimal("22.5"),
    }
    response = client.get(reverse("submission", args=[staff.organisation.bin, period.code]))
    on_the_page = _input_values(response.content.decode(), typed)
    # The form's own widget renders in the language's format: no-break spaces between thousands, a decimal comma.
    with translation.override(language):
        widgets = _input_values("".join(str(response.context["form"][code]) for code in typed), typed)
    assert widgets["amount"] == f"-1{NBSP}234{NBSP}567,50"
    assert widgets["children_total"] == f"1{NBSP}250"
    # The page writes each field as its widget does, never the "-1234567.50" a person would have to read anew.
    assert on_the_page == widgets
    for rendered in (on_the_page, widgets):
        assert _save(client, staff, period, rendered).status_code == 302
        assert _stored() == stored


@pytest.mark.django_db
def test_a_comma_between_thousands_is_not_silently_read_as_a_fraction(client, staff, period, catalogue, wide):
    """An English thousand, "1,000", reads as 1.000, which two decimal places refuse rather than store 1."""
    client.force_login(staff)
    response = _save(client, staff, period, {"amount": "1,000"})
    assert response.context["form"].has_error("amount", code="max_decimal_places")
    assert not Value.objects.exists()
    assert _save(client, staff, period, {"amount": "1,00"}).status_code == 302
    assert _stored() == {"amount": Decimal(1)}


@pytest.mark.django_db
def test_a_field_has_a_description_only_when_there_is_one_to_point_to(client, staff, period, catalogue):
    client.force_login(staff)
    page = client.get(reverse("submission", args=[staff.organisation.bin, period.code])).content.decode()
    described = re.findall(r'aria-describedby="([^"]*)"', page)
    assert described  # the control: the form's file input and any field with help text are described
    assert "" not in described
    for ids in described:
        for element_id in ids.split():
            assert f'id="{element_id}"' in page
