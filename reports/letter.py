"""The cover letter (ілеспе хат / сопроводительное письмо) that sends an approved, signed report to the
Ministry's Department of Preschool Education: its words, as PDF and as DOCX (DESIGN, «From compiled to
sent»).

The letter is worded in the report's language, whoever sends it. The letterhead is bilingual, as a
Kazakh state body's is: the Institute's name in Kazakh and in Russian side by side, whatever the
letter's language. Nothing the data does not hold is printed: no street address, no telephone."""

import datetime
import io
import re
from dataclasses import dataclass
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from monitoring.templatetags.monitoring_tags import official_date
from pilots import policy
from pilots.models import Clause
from pilots.orders import order_current

from .approvals import bare_number, director_position
from .citation import report_citation
from .models import Approval, Report

# One whole sentence per kind: each language declines the sub-clause, the order and what is sent its own way.
SENDS = {
    Report.Kind.FINAL: gettext_lazy(
        "Under sub-clause 2) of clause 3 of the order %(date)s %(number)s %(title)s, we send the analytical "
        "report on the results of the pilot project."
    ),
    Report.Kind.QUARTERLY: gettext_lazy(
        "Under sub-clause 1) of clause 3 of the order %(date)s %(number)s %(title)s, we send the report on "
        "monitoring the implementation of the pilot project for %(quarter)s."
    ),
    Report.Kind.REGIONAL: gettext_lazy(
        "Under clause 4 of the order %(date)s %(number)s %(title)s, we send the regional report on the "
        "implementation of the pilot project for %(quarter)s (%(region)s)."
    ),
}


@dataclass(frozen=True)
class Letterhead:
    """One language's half of the bilingual letterhead."""

    language: str
    name: str  # the Institute's full name, as its charter gives it
    city: str


@dataclass(frozen=True)
class Attachment:
    position: int
    description: str
    name: str  # the file's name as the recipient receives it
    details: str  # pages and size, in words
    sha256: str


@dataclass(frozen=True)
class LetterContent:
    """Everything the letter prints, already worded in its language; both renderers print only this."""

    language: str
    title: str  # the document's title in the PDF's and the DOCX's properties
    letterheads: tuple[Letterhead, Letterhead]  # Kazakh, Russian
    number: str  # «№ 01-12/345»
    date: datetime.date
    date_words: str  # «2026 жылғы 7 желтоқсан», «7 декабря 2026 года»
    subject: str  # the heading to the text: «Есепті жолдау туралы»
    addressee: tuple[str, ...]  # lines
    paragraphs: tuple[str, ...]
    attachments_heading: str
    attachments: tuple[Attachment, ...]
    signatory_position: str
    signatory_name: str
    executor: str  # «Орындаушы: …», or empty


# --- what the letter says -------------------------------------------------------------------------


def letter_content(
    *,
    report: Report,
    approval: Approval,
    number: str,
    date: datetime.date,
    addressee: str,
    signatory_name: str,
    signatory_position: str,
    executor: str = "",
) -> LetterContent:
    """The letter that sends `approval`'s signed version of `report`, worded in the report's language."""
    with translation.override(report.language):
        version = approval.version
        return LetterContent(
            language=report.language,
            title=_("Cover letter № %(number)s") % {"number": bare_number(number)},
            letterheads=(_letterhead("kk"), _letterhead("ru")),
            number=f"№\u00a0{bare_number(number)}",
            date=date,
            date_words=official_date(date),
            subject=_("On sending the report"),
            addressee=tuple(line.strip() for line in addressee.splitlines() if line.strip()),
            paragraphs=tuple(_paragraphs(report, approval)),
            attachments_heading=pgettext("letter", "Attachment:"),
            attachments=(
                Attachment(
                    position=1,
                    description=_("Report, PDF signed with the Institute's electronic digital signature"),
                    name=signed_pdf_name(approval.version),
                    details=", ".join(
                        part for part in (_pages(version.pdf_pages), _size(approval.signed_size)) if part
                    ),
                    sha256=approval.signed_sha256,
                ),
                Attachment(
                    position=2,
                    description=_("Workbook with the report's figures (XLSX)"),
                    name=xlsx_name(approval.version),
                    details=_size(version.xlsx_size),
                    sha256=version.xlsx_sha256,
                ),
            ),
            signatory_position=signatory_position.strip(),
            signatory_name=signatory_name.strip(),
            executor=_("Executor: %(name)s") % {"name": executor.strip()} if executor.strip() else "",
        )


def signed_pdf_name(version) -> str:
    """The signed PDF's name as the recipient gets it, by mail or download (the stored name carries a
    checksum): the version is in it, so that a corrected version's file is never taken for the first."""
    return f"{version.report.file_stem()}-v{version.number}-signed.pdf"


def xlsx_name(version) -> str:
    return f"{version.report.file_stem()}-v{version.number}.xlsx"


def _letterhead(language: str) -> Letterhead:
    with translation.override(language):
        return Letterhead(
            language=language,
            name=_(
                "Republican state institution “Institute of Early Childhood Development” of the Ministry of "
                "Enlightenment of the Republic of Kazakhstan"
            ),
            city=pgettext("letterhead", "Astana"),
        )


def _paragraphs(report: Report, approval: Approval) -> list[str]:
    order = order_current()
    citation = report_citation(order, report.kind)
    sends = str(SENDS[report.kind]) % {
        "date": citation.date if citation else "",
        "number": citation.number if citation else "",
        "title": citation.title if citation else "",
        "quarter": report.period.document_label if report.period_id else "",
        "region": report.region.name if report.region_id else "",
    }
    # An order not in the portal leaves gaps, which close up; a no-break space (after «№») stays.
    first = re.sub(r" {2,}", " ", sends).strip()
    if citation is not None and citation.signed_by:
        first += " " + _("The order was signed by the %(issuer)s.") % {"issuer": citation.signed_by}
    approver = " ".join(part for part in (approval.approver_position, approval.approver_name) if part)
    paragraphs = [
        first,
        _(
            "The report is approved (approved by: %(approver)s; date of approval: %(date)s); its PDF is signed "
            "with the Institute's electronic digital signature (EDS)."
        )
        % {"approver": approver, "date": official_date(timezone.localdate(approval.approved_at))},
    ]
    if approval.demonstration:
        paragraphs.append(_("Demonstration signature: a test certificate, without legal force."))
    paragraphs.append(
        _(
            "Each attached file is listed with its SHA-256 checksum, by which the file received can be checked "
            "to be the one sent, unchanged."
        )
    )
    return paragraphs


def _pages(count: int) -> str:
    if not count:  # versions compiled before pages were counted
        return ""
    return ngettext("%(count)d page", "%(count)d pages", count) % {"count": count}


def _size(size: int) -> str:
    """The exact size: a checksum's companion, which a rounded figure could not confirm."""
    grouped = formats.number_format(size, decimal_pos=0, use_l10n=True, force_grouping=True)
    return ngettext("%(size)s byte", "%(size)s bytes", size) % {"size": grouped}


# --- prefilled from the data ----------------------------------------------------------------------

# «Мектепке дейінгі білім беру департаменті (М.Е. Адамова)»: the body, and the person in brackets.
BODY_AND_PERSON = re.compile(r"^\s*(?P<body>.+?)\s*\((?P<person>[^()]+)\)\s*$")


def default_addressee(language: str) -> str:
    """The Department of Preschool Education of the Ministry, as the order's clause 5 names it, with its
    head's name on a second line as the order prints it (in the nominative, which needs no declension).

    Without that clause the Department is still the addressee (clause 3.1 reports to it), named from the
    catalogue, without a person."""
    with translation.override(language):
        department, person = _("Department of Preschool Education"), ""
        order = order_current()
        clause = order.clauses.filter(kind=Clause.Kind.NOTIFICATION).first() if order else None
        responsible = clause.responsible.strip() if clause else ""
        if responsible:
            match = BODY_AND_PERSON.match(responsible)
            department, person = (match["body"], match["person"].strip()) if match else (responsible, "")
        body = _("%(department)s of the Ministry of Enlightenment of the Republic of Kazakhstan") % {
            "department": department
        }
        return "\n".join(line for line in (body, person) if line)


def default_signatory(language: str) -> tuple[str, str]:
    """(name, position) of the Institute's active director, in `language`; empty strings without one.

    A director whose account has no name yet gives the position alone: the sender types the name."""
    director = policy.active_director()
    if director is None:
        return "", ""
    with translation.override(language):
        position = director_position()
    return initials_and_surname(director.first_name, director.last_name), position


def initials_and_surname(first_name: str, last_name: str) -> str:
    """«А. Б. Surname» from «Айгүл Бекқызы» and «Surname»; the surname alone without a first name; empty
    without a surname (initials alone name nobody)."""
    last = " ".join((last_name or "").split())
    if not last:
        return ""
    initials = " ".join(f"{part[0].upper()}." for part in (first_name or "").replace(".", " ").split())
    return f"{initials} {last}".strip()


# --- PDF ------------------------------------------------------------------------------------------


def render_letter_pdf(content: LetterContent) -> bytes:
    from weasyprint import HTML

    with translation.override(content.language):
        paragraphs = [_numbers_kept_whole(text) for text in content.paragraphs]
        html = render_to_string("reports/letter/letter.html", {"c": content, "paragraphs": paragraphs})
    return HTML(string=html, base_url=str(Path(__file__).parent)).write_pdf()


# «№ ___» and «№ 01-12/345»: Pango breaks a line after a no-break space before «_» and at a number's hyphen.
NUMBERED = re.compile(r"№\u00a0\S+")


def _numbers_kept_whole(text: str) -> str:
    escaped = conditional_escape(text)
    return mark_safe(NUMBERED.sub(lambda match: f'<span class="nowrap">{match[0]}</span>', escaped))


# --- DOCX -----------------------------------------------------------------------------------------

SERIF = "Times New Roman"
MONO = "Courier New"


def render_letter_docx(content: LetterContent) -> bytes:
    """The same letter for the office that registers it in Word: the same words in the same order, in
    Word's own styles (Normal, Title-less: a letter has no heading styles), A4 with the letter's margins."""
    from docx import Document
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Mm, Pt

    document = Document()
    properties = document.core_properties
    properties.title = content.title
    properties.author = content.letterheads[0 if content.language == "kk" else 1].name
    properties.language = content.language
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.right_margin, section.left_margin = Mm(10), Mm(30)

    normal = document.styles["Normal"]
    normal.font.name = SERIF
    normal.font.size = Pt(13)
    _east_asian_font(normal, SERIF)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)
    width = Mm(170)

    # The letterhead: Kazakh left, Russian right, a rule under both.
    head = document.add_table(rows=1, cols=2)
    head.alignment = WD_TABLE_ALIGNMENT.CENTER
    head.autofit = False
    for cell, side in zip(head.rows[0].cells, content.letterheads, strict=True):
        cell.width = width // 2
        name = cell.paragraphs[0]
        name.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = name.add_run(side.name.upper())
        run.bold, run.font.size = True, Pt(9)
        _language(run, side.language)
        city = cell.add_paragraph()
        city.alignment = WD_ALIGN_PARAGRAPH.CENTER
        city.paragraph_format.space_before = Pt(3)
        city_run = city.add_run(side.city)
        city_run.font.size = Pt(9)
        _language(city_run, side.language)
    rule = document.add_paragraph()
    _bottom_rule(rule)
    rule.paragraph_format.space_after = Pt(10)

    # The register (date, then number: a long number never pushes into the addressee) and the heading to
    # the text left, the addressee right.
    top = document.add_table(rows=1, cols=2)
    top.autofit = False
    left, right = top.rows[0].cells
    left.width, right.width = Mm(85), Mm(85)
    register = left.paragraphs[0]
    register.add_run(content.date_words)
    left.add_paragraph().add_run(content.number)
    subject = left.add_paragraph()
    subject.paragraph_format.space_before = Pt(12)
    subject.add_run(content.subject).italic = True
    for index, line in enumerate(content.addressee):
        paragraph = right.paragraphs[0] if index == 0 else right.add_paragraph()
        paragraph.add_run(line).bold = True

    for index, text in enumerate(content.paragraphs):
        paragraph = document.add_paragraph(text)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        paragraph.paragraph_format.first_line_indent = Cm(1.25)
        paragraph.paragraph_format.space_before = Pt(24 if index == 0 else 6)
    if content.paragraphs:
        document.paragraphs[-1].paragraph_format.space_after = Pt(6)

    heading = document.add_paragraph()
    heading.paragraph_format.space_before = Pt(12)
    heading.add_run(content.attachments_heading).bold = True
    for attachment in content.attachments:
        item = document.add_paragraph()
        item.paragraph_format.left_indent = Cm(0.6)
        item.paragraph_format.first_line_indent = Cm(-0.6)
        item.paragraph_format.space_before = Pt(4)
        details = f", {attachment.details}" if attachment.details else ""
        item.add_run(f"{attachment.position}. {attachment.description}{details}:")
        file_line = document.add_paragraph()
        file_line.paragraph_format.left_indent = Cm(0.6)
        file_line.add_run(attachment.name).bold = True
        checksum = document.add_paragraph()
        checksum.paragraph_format.left_indent = Cm(0.6)
        checksum.add_run("SHA-256: ").font.size = Pt(10)
        digits = checksum.add_run(attachment.sha256)
        digits.font.name, digits.font.size = MONO, Pt(9.5)

    document.add_paragraph().paragraph_format.space_after = Pt(18)
    signature = document.add_table(rows=1, cols=2)
    signature.autofit = False
    position, name = signature.rows[0].cells
    position.width, name.width = Mm(100), Mm(70)
    position.paragraphs[0].add_run(content.signatory_position).bold = True
    name.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    name.paragraphs[0].add_run(content.signatory_name).bold = True
    for cell in (position, name):
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM  # the name level with the position's last line

    if content.executor:
        footer = section.footer.paragraphs[0]
        footer.add_run(content.executor).font.size = Pt(8)

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _language(run, language: str) -> None:
    """Marks a run's language, so Word checks Kazakh spelling as Kazakh and Russian as Russian."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = run._element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), {"kk": "kk-KZ", "ru": "ru-RU"}.get(language, language))
    properties.append(lang)


def _east_asian_font(style, name: str) -> None:
    """python-docx sets the ASCII font only; Cyrillic text takes the high-ANSI font, set here too."""
    from docx.oxml.ns import qn

    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), name)


def _bottom_rule(paragraph) -> None:
    """A double rule under the letterhead, as a paragraph border (Word has no other rule that stays put)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "double"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "1F3F77")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)
