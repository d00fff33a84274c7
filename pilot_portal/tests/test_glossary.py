"""Every catalogue entry keeps docs/glossary.md: a listed English word is never rendered by its forbidden word."""

import gettext
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "docs" / "glossary.md"
LANGUAGES = ("kk", "ru")


@dataclass(frozen=True)
class Term:
    english: str
    forbidden: dict[str, re.Pattern | None]
    unless: str

    def applies_to(self, msgid: str) -> bool:
        if not re.search(rf"\b{re.escape(self.english)}", msgid, re.IGNORECASE):
            return False
        return not (self.unless and re.search(rf"\b{re.escape(self.unless)}", msgid, re.IGNORECASE))


def _pattern(cell: str) -> re.Pattern | None:
    cell = cell.strip().strip("`")
    return re.compile(cell, re.IGNORECASE) if cell else None


def glossary_terms() -> list[Term]:
    text = GLOSSARY.read_text(encoding="utf-8")
    table = text.split("<!-- glossary:start -->")[1].split("<!-- glossary:end -->")[0]
    rows = [line for line in table.strip().splitlines()[2:] if line.startswith("|")]
    terms = []
    for row in rows:
        cells = [cell.strip() for cell in row.strip().strip("|").split("|")]
        english, _kk, _ru, not_kk, not_ru, unless = cells
        terms.append(Term(english, {"kk": _pattern(not_kk), "ru": _pattern(not_ru)}, unless))
    return terms


def catalogue(language: str) -> dict[str, list[str]]:
    """msgid -> its translations (every plural form), read from the compiled catalogue the portal serves."""
    path = ROOT / "locale" / language / "LC_MESSAGES" / "django.mo"
    with path.open("rb") as handle:
        entries = gettext.GNUTranslations(handle)._catalog
    found: dict[str, list[str]] = {}
    for key, text in entries.items():
        msgid = key[0] if isinstance(key, tuple) else key
        msgid = msgid.split("\x04", 1)[-1]
        if msgid:
            found.setdefault(msgid, []).append(text)
    return found


def violations(term: Term, language: str, entries: dict[str, list[str]]) -> list[str]:
    pattern = term.forbidden[language]
    if pattern is None:
        return []
    return [
        f"{msgid!r} -> {text!r}"
        for msgid, texts in entries.items()
        if term.applies_to(msgid)
        for text in texts
        if pattern.search(text)
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_catalogue_entry_uses_a_forbidden_rendering_of_a_glossary_term(language):
    entries = catalogue(language)
    found = [line for term in glossary_terms() for line in violations(term, language, entries)]
    assert found == [], "\n".join(found)


def test_every_glossary_term_names_words_the_catalogue_uses():
    entries = catalogue("kk")
    unused = [term.english for term in glossary_terms() if not any(term.applies_to(msgid) for msgid in entries)]
    assert glossary_terms(), "the glossary table was not found"
    assert unused == []


def test_a_draft_saved_as_the_project_is_caught():
    # The control for the check above: the wording the review removed is flagged again if it comes back.
    draft = next(term for term in glossary_terms() if term.english == "draft")
    entries = {"Save draft": ["Жоба ретінде сақтау"], "Pilot programme": ["Пилоттық жоба"]}
    assert violations(draft, "kk", entries) == ["'Save draft' -> 'Жоба ретінде сақтау'"]


def test_a_submission_called_a_report_is_caught_unless_the_msgid_names_a_report():
    submission = next(term for term in glossary_terms() if term.english == "submission")
    entries = {
        "%(n)s submission waits for your review": ["Вашей проверки ожидает %(n)s отчёт"],
        "The report's submission to the Department": ["Направление отчёта в Департамент"],
    }
    assert violations(submission, "ru", entries) == [
        "'%(n)s submission waits for your review' -> 'Вашей проверки ожидает %(n)s отчёт'"
    ]
