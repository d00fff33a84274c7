"""The report as a DOCX: the working copy analysts edit in Word; the PDF stays the original.

It is written from the PDF's own HTML (pdf.report_html), rendered from the same snapshot with the
same helpers, so the two documents cannot drift apart: every section, heading, table, note and
figure the template prints, in its order and words. The HTML is read into a small tree and each
element becomes its Word counterpart: a chapter a section (landscape where the PDF's page is), a
heading Word's Heading 1/2, a table a real table whose header rows repeat on each page, a chart a
PNG drawn from the same layout as the PDF's SVG (png.py), with its numbered caption.

Tables and paragraphs are written as WordprocessingML text and parsed once each: python-docx's
per-cell objects would cost seconds and much memory on the annex's thousands of rows."""

import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from xml.sax.saxutils import escape

from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_TAB_ALIGNMENT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

from . import png, svg
from .citation import report_citation
from .pdf import LEAD_ROWS, TAIL_ROWS, WHOLE_ROWS, Chart, chart_parts, report_html
from .snapshot import Snapshot

FONT = "Arial"  # in every Word, with every Kazakh letter; close to the PDF's DejaVu Sans in width
BLUE, GREY, RED = "0B4F8A", "555555", "B00020"
HEADER_FILL = "E8EEF5"
BORDER = "9AA5B1"
# The PDF's pages: A4, portrait 22/18/20/22 mm, landscape ("wide") 16/14/16/14 mm.
PORTRAIT = {"width": 210, "height": 297, "top": 22, "right": 18, "bottom": 20, "left": 22}
LANDSCAPE = {"width": 297, "height": 210, "top": 16, "right": 14, "bottom": 16, "left": 14}
CHART_MAX_W, CHART_MAX_H = 180, 150  # mm, as the PDF's CSS caps them
DXA_PER_MM = 56.7
LANGUAGES = {"kk": "kk-KZ", "ru": "ru-RU"}
# The share of the first column and of named columns, in per cent, as the PDF's CSS sets them.
FIRST_COLUMN = {"totals": 52, "indicators": 52, "coverage": 30, "completeness": 22, "skills": 16, "annex": 23}
NAMED_COLUMNS = {"bin": 9, "settlement": 7.5, "language": 7, "ownership": 10, "children": 6.5, "cohort-size": 8}
VOID = {"br", "img", "meta", "link", "hr", "input"}
# Characters XML 1.0 forbids; an organisation's pasted text may carry them.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
SPACES = re.compile(r"\s+")


@dataclass
class Node:
    tag: str
    attrs: dict
    children: list = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)


class _Tree(HTMLParser):
    """The HTML as nested Nodes, text as str; the template closes every element it opens."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def _parse(html: str) -> Node:
    tree = _Tree()
    tree.feed(html)
    tree.close()
    return tree.root


def _find(node: Node, tag: str) -> Node | None:
    for child in node.children:
        if isinstance(child, Node):
            if child.tag == tag:
                return child
            found = _find(child, tag)
            if found is not None:
                return found
    return None


@dataclass
class Run:
    text: str
    bold: bool = False
    note: bool = False  # smaller and grey, as the PDF's .note
    brk: bool = False  # a line break within the paragraph


def write_docx(snapshot: Snapshot, target: Path) -> None:
    """Write the DOCX to `target`, in the report's language."""
    with translation.override(snapshot.report.language):
        parts = chart_parts(snapshot)
        # Each chart stands in the HTML as an empty element naming it; _Writer draws it there as PNG.
        holders = {
            key: [Chart(mark_safe(f'<img data-chart="{key}:{n}">'), part.caption) for n, part in enumerate(charts)]
            for key, charts in parts.items()
        }
        root = _parse(report_html(snapshot, holders))
        _Writer(snapshot, parts).write(root, target)


class _Writer:
    def __init__(self, snapshot: Snapshot, charts: dict):
        self.snapshot = snapshot
        self.report = snapshot.report
        self.charts = charts
        self.document = Document()
        self.body = self.document.element.body
        self.figures = 0
        self.page = PORTRAIT
        self.wide = False
        self.language = LANGUAGES.get(self.report.language, self.report.language)
        self.styles = {
            name: self.document.styles[name].style_id
            for name in (
                "Title",
                "Heading 1",
                "Heading 2",
                "Heading 3",
                "Caption",
                "Quote",
                "TOC Heading",
                "Table Grid",
            )
        }

    # --- the document ------------------------------------------------------------------------------------------------

    def write(self, root: Node, target: Path) -> None:
        self._set_up(root)
        body = _find(root, "body") or root
        for node in body.children:
            if not isinstance(node, Node):
                continue
            if "title-page" in node.classes:
                self._title_page(node)
            elif node.tag == "nav":
                self._contents(node)
            elif node.tag == "section":
                self._chapter(node)
            else:
                self._block(node)
        self.document.save(target)

    def _set_up(self, root: Node) -> None:
        title = _find(root, "title")
        properties = self.document.core_properties
        properties.title = _collapse(title.text()) if title is not None else ""
        properties.language = self.language
        properties.author = _("Institute of Early Childhood Development")
        properties.subject = _("Working copy for editing. The original is the PDF signed by the Institute.")
        styles = self.document.styles
        normal = styles["Normal"]
        normal.font.size = Pt(10)
        normal.paragraph_format.space_after = Pt(4)
        # Word spell-checks each run in the language its style names, and every style here is based on Normal.
        defaults = self.document.styles.element.find(qn("w:docDefaults"))
        for rpr in (normal.element.get_or_add_rPr(), defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))):
            _set_fonts(rpr)
            _set_lang(rpr, self.language)
        for name, size in (("Title", 22), ("Heading 1", 14), ("Heading 2", 11), ("Heading 3", 10)):
            style = styles[name]
            _set_fonts(style.element.get_or_add_rPr())
            style.font.size = Pt(size)
            style.font.color.rgb = None
            _set_colour(style.element.get_or_add_rPr(), BLUE if name != "Heading 3" else "1B1B1B")
        for name, size in (("Table Text", 8), ("Table Text Wide", 7.5)):
            style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = normal
            style.font.size = Pt(size)
            style.paragraph_format.space_before = style.paragraph_format.space_after = Pt(0)
            self.styles[name] = style.style_id
        self._page_setup(self.document.sections[0], PORTRAIT)
        self._header_footer()

    def _page_setup(self, section, page: dict) -> None:
        section.orientation = WD_ORIENT.LANDSCAPE if page is LANDSCAPE else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(page["width"]), Mm(page["height"])
        section.top_margin, section.right_margin = Mm(page["top"]), Mm(page["right"])
        section.bottom_margin, section.left_margin = Mm(page["bottom"]), Mm(page["left"])
        self.page = page

    def _header_footer(self) -> None:
        """As the PDF's pages after the first: the order above, the data's moment and the page number below."""
        section = self.document.sections[0]
        section.different_first_page_header_footer = True
        citation = report_citation(self.snapshot.order, self.report.kind)
        if citation is not None:
            header = section.header.paragraphs[0]
            _small(header.add_run(citation.header), 7)
        footer = section.footer.paragraphs[0]
        footer.paragraph_format.tab_stops.add_tab_stop(
            Mm(PORTRAIT["width"] - PORTRAIT["left"] - PORTRAIT["right"]), WD_TAB_ALIGNMENT.RIGHT
        )
        self.footer = footer  # the data's moment is known once the title page is read

    def _insert(self, xml: str) -> None:
        self.body.sectPr.addprevious(parse_xml(xml))

    # --- the parts of the PDF ------------------------------------------------------------------------------------

    def _title_page(self, node: Node) -> None:
        self._paragraph(
            [Run(_("Working copy for editing. The original is the PDF signed by the Institute."), bold=True)],
            align="center",
            colour=RED,
            border=True,
        )
        for child in node.children:
            if not isinstance(child, Node):
                continue
            classes = child.classes
            if "kind" in classes:
                self._paragraph(_runs(child), style="Title", align="center", before=18)
            elif "citation" in classes or "meta" in classes:
                for index, item in enumerate(_lines(child)):
                    self._paragraph(
                        item, align="justify" if "basis" in classes else "center", size=9, before=12 * (not index)
                    )
            else:
                self._paragraph(
                    _runs(child),
                    align="center",
                    colour=RED if classes & {"draft", "no-data"} else None,
                    bold=bool(classes & {"draft", "no-data"}),
                    size=14 if "pilot" in classes else 11,
                )
            ref = _find_class(child, "snapshot-ref")
            if ref is not None:
                _small(self.footer.add_run(_collapse(ref.text())), 8)
        self.footer.add_run("\t")
        _small(self.footer.add_run(_("page") + " "), 8)
        _field(self.footer, "PAGE", "1")
        _small(self.footer.add_run(" / "), 8)
        _field(self.footer, "NUMPAGES", "1")

    def _contents(self, node: Node) -> None:
        """Word builds the contents from the headings; python-docx cannot count pages, so the field
        holds a line saying how to fill it in, until Word updates it."""
        heading = _find(node, "h2")
        self._page_break()
        self._paragraph(_runs(heading) if heading else [Run(_("Contents"))], style="TOC Heading")
        hint = escape(_("Right-click here and choose “Update Field” to show the contents with page numbers."))
        self._insert(
            f"<w:p {nsdecls('w')}>"
            '<w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
            '<w:r><w:instrText xml:space="preserve"> TOC \\o "1-3" \\h \\z \\u </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            f'<w:r><w:rPr><w:i/><w:color w:val="{GREY}"/></w:rPr><w:t xml:space="preserve">{hint}</w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
        )

    def _chapter(self, node: Node) -> None:
        """A chapter opens a page, as in the PDF; a landscape one a section of its own."""
        wide = "wide" in node.classes
        section = self.document.add_section(WD_SECTION.NEW_PAGE)
        section.different_first_page_header_footer = False  # only the title page goes without them
        self._page_setup(section, LANDSCAPE if wide else PORTRAIT)
        self.wide = wide
        for child in node.children:
            if isinstance(child, Node):
                self._block(child)
            elif child.strip():
                self._paragraph([Run(_collapse(child))])

    def _block(self, node: Node) -> None:
        tag, classes = node.tag, node.classes
        if tag in ("h1", "h2", "h3"):
            style = {"h1": "Title", "h2": "Heading 1", "h3": "Heading 2"}[tag]
            self._paragraph(_runs(node), style=style, keep_next=True)
        elif tag == "table":
            self._table(node)
        elif tag == "figure":
            self._figure(node)
        elif tag == "blockquote":
            self._paragraph(_runs(node), style="Quote")
        elif "figures" in classes:
            self._key_figures(node)
        elif "narrative-text" in classes:
            for line in node.text().strip("\n").split("\n"):
                self._paragraph([Run(_clean(line))])
        elif tag == "p" or not any(isinstance(c, Node) and _is_block(c) for c in node.children):
            runs = _runs(node)
            if any(r.text.strip() for r in runs):
                note = "note" in classes or "base-note" in classes
                self._paragraph(
                    runs,
                    size=8.5 if "note" in classes else None,
                    colour=GREY if note and "base-note" not in classes else None,
                    bold="no-data" in classes,
                )
        else:
            self._container(node)

    def _container(self, node: Node) -> None:
        """A div of blocks and loose text: each run of loose text a paragraph of its own."""
        pending = []
        for child in node.children:
            if isinstance(child, Node) and _is_block(child):
                if any(r.text.strip() for r in pending):
                    self._paragraph(_trim(pending))
                pending = []
                self._block(child)
            else:
                pending.extend(_runs(Node("span", {}, [child])))
        if any(r.text.strip() for r in pending):
            self._paragraph(_trim(pending))

    def _key_figures(self, node: Node) -> None:
        """The PDF's boxes of headline figures, three to a row: the figure large, what it counts below."""
        boxes = [c for c in node.children if isinstance(c, Node) and "figure" in c.classes]
        cells = []
        for box in boxes:
            value = _find_class(box, "value")
            rest = Node("div", {}, [c for c in box.children if c is not value])
            value_runs = (
                f"<w:r>{_rpr(bold=True, size=16, colour=BLUE)}<w:t>{escape(_collapse(value.text()))}</w:t></w:r>"
            )
            label = _runs_xml(_trim(_runs(rest)), size=9)
            cells.append(f"<w:p>{_ppr(after=0)}{value_runs}</w:p><w:p>{_ppr(after=0)}{label}</w:p>")
        columns = 3
        width = self._content_width()
        rows = []
        for start in range(0, len(cells), columns):
            row = cells[start : start + columns]
            row += ["<w:p/>"] * (columns - len(row))
            rows.append(
                "<w:tr><w:trPr><w:cantSplit/></w:trPr>"
                + "".join(
                    f'<w:tc><w:tcPr><w:tcW w:w="{width // columns}" w:type="dxa"/></w:tcPr>{c}</w:tc>' for c in row
                )
                + "</w:tr>"
            )
        self._insert(self._table_xml([width // columns] * columns, "".join(rows), spacing=True))

    def _figure(self, node: Node) -> None:
        holder = _find(node, "img")
        caption = _find(node, "figcaption")
        if holder is None or "data-chart" not in holder.attrs:
            return
        key, index = holder.attrs["data-chart"].split(":")
        part = self.charts[key][int(index)]
        image = png.bar_chart_png(**part.options)
        chart = svg.layout(**part.options)
        width = min(CHART_MAX_W, self.page["width"] - self.page["left"] - self.page["right"])
        height = width * chart.height / chart.width
        if height > CHART_MAX_H:
            width, height = width * CHART_MAX_H / height, CHART_MAX_H
        self.document.add_picture(io.BytesIO(image), width=Mm(width), height=Mm(height))
        picture = Paragraph(self.body.sectPr.getprevious(), self.document._body).paragraph_format
        picture.keep_with_next = True
        picture.space_before = Pt(6)
        self.figures += 1
        # A SEQ field numbers it as Word's own captions do, so a figure an analyst adds renumbers the rest.
        label = escape(_("Figure"))
        text = escape(_collapse(caption.text()) if caption is not None else part.caption)
        self._insert(
            f"<w:p {nsdecls('w')}>{_ppr(style=self.styles['Caption'], after=8)}"
            f'<w:r>{_rpr(bold=True, size=8.5)}<w:t xml:space="preserve">{label} </w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            '<w:r><w:instrText xml:space="preserve"> SEQ Figure \\* ARABIC </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            f"<w:r>{_rpr(bold=True, size=8.5)}<w:t>{self.figures}</w:t></w:r>"
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
            f'<w:r>{_rpr(bold=True, size=8.5)}<w:t xml:space="preserve">. </w:t></w:r>'
            f'<w:r>{_rpr(size=8.5, colour="333333")}<w:t xml:space="preserve">{text}</w:t></w:r></w:p>'
        )

    # --- tables --------------------------------------------------------------------------------------------------

    def _table(self, node: Node) -> None:
        """A real Word table: the thead's rows are header rows, repeated on each page; spans merged."""
        head = _find(node, "thead")
        body = _find(node, "tbody")
        header_rows = _rows(head) if head is not None else []
        body_rows = _rows(body) if body is not None else _rows(node)
        columns = _column_count(header_rows + body_rows[:1])
        widths = self._widths(node.classes, header_rows, columns)
        classes = node.classes
        size = 7.5 if self.wide else 8
        head_size = 7 if "skills" in classes else size
        # The cells' size and spacing come from a paragraph style rather than from each of their runs.
        style = self.styles["Table Text Wide" if self.wide else "Table Text"]
        last = len(body_rows) - 1
        # As the PDF: a short table kept whole, a long one neither starting nor ending on a stub.
        keep = {i for i in range(last) if last < WHOLE_ROWS or i < LEAD_ROWS - 1 or i >= last - TAIL_ROWS + 1}
        pending: dict[int, list[int]] = {}  # grid column → [rows it is still merged down, columns it spans]
        table = parse_xml(self._table_xml(widths, ""))
        self.body.sectPr.addprevious(table)
        # Row by row: the annex's whole text is never held beside its tree.
        for row in header_rows:
            table.append(parse_xml(self._row_xml(row, True, widths, pending, style, size, head_size, keep=True)))
        for index, row in enumerate(body_rows):
            table.append(parse_xml(self._row_xml(row, False, widths, pending, style, size, None, keep=index in keep)))

    def _row_xml(
        self,
        row: list[Node],
        header: bool,
        widths: list[int],
        pending: dict,
        style: str,
        base: float,
        size: float | None,
        keep: bool,
    ) -> str:
        """A row; `keep`: Word keeps it on the page of the next one (its paragraphs keep with the next)."""
        cells = []
        column = 0
        queue = list(row)
        while column < len(widths):
            merged = pending.get(column)
            if merged:
                # A cell merged down from a row above: Word wants an empty continuation cell in its place.
                merged[0] -= 1
                span = merged[1]
                if not merged[0]:
                    del pending[column]
                cells.append(
                    _tc("", widths[column : column + span], merge="continue", fill=HEADER_FILL if header else None)
                )
                column += span
                continue
            if not queue:
                cells.append(_tc("", widths[column : column + 1]))
                column += 1
                continue
            cell = queue.pop(0)
            span = max(1, int(cell.attrs.get("colspan") or 1))
            rowspan = max(1, int(cell.attrs.get("rowspan") or 1))
            if rowspan > 1:
                pending[column] = [rowspan - 1, span]
            classes = cell.classes
            align = "center" if "group" in classes else ("right" if "num" in classes else None)
            ppr = _ppr(style=style, align=align, keep_next=keep)
            size_here = size if size != base else None
            paragraph = f"<w:p>{ppr}{_runs_xml(_trim(_runs(cell)), size=size_here, base=base)}</w:p>"
            cells.append(
                _tc(
                    paragraph,
                    widths[column : column + span],
                    merge="restart" if rowspan > 1 else None,
                    fill=HEADER_FILL if cell.tag == "th" else None,
                )
            )
            column += span
        # A header row repeats atop each page the table runs onto; no row is split across two pages.
        properties = "<w:cantSplit/>" + ("<w:tblHeader/>" if header else "")
        return f"<w:tr {nsdecls('w')}><w:trPr>{properties}</w:trPr>{''.join(cells)}</w:tr>"

    def _table_xml(self, widths: list[int], rows: str, spacing: bool = False) -> str:
        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
        borders = "".join(
            f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="{BORDER}"/>'
            for side in ("top", "left", "bottom", "right", "insideH", "insideV")
        )
        margins = 85 if spacing else 45
        return (
            f"<w:tbl {nsdecls('w')}><w:tblPr>"
            f'<w:tblStyle w:val="{self.styles["Table Grid"]}"/>'
            f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:tblBorders>{borders}</w:tblBorders>'
            '<w:tblLayout w:type="fixed"/>'
            f'<w:tblCellMar><w:top w:w="{margins // 2}" w:type="dxa"/><w:left w:w="{margins}" w:type="dxa"/>'
            f'<w:bottom w:w="{margins // 2}" w:type="dxa"/><w:right w:w="{margins}" w:type="dxa"/></w:tblCellMar>'
            '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" w:noHBand="0"'
            ' w:noVBand="1"/>'
            f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{rows}</w:tbl>"
        )

    def _widths(self, classes: set[str], header_rows: list[list[Node]], columns: int) -> list[int]:
        """Column widths in twentieths of a point, shared out as the PDF's CSS does."""
        total = self._content_width()
        shares: list[float | None] = [None] * columns
        first = next((FIRST_COLUMN[c] for c in classes if c in FIRST_COLUMN), 40)
        if "indicators" in classes and self.wide:
            first = 34
        shares[0] = first
        if header_rows:
            column = 0
            for cell in header_rows[0]:
                span = int(cell.attrs.get("colspan", 1) or 1)
                named = next((NAMED_COLUMNS[c] for c in cell.classes if c in NAMED_COLUMNS), None)
                if span == 1 and named is not None and column < columns:
                    shares[column] = named
                column += span
        rest = [i for i, share in enumerate(shares) if share is None]
        left = max(100 - sum(s for s in shares if s is not None), 0)
        for index in rest:
            shares[index] = left / len(rest)
        if not rest or sum(shares) > 100:
            scale = 100 / sum(shares)
            shares = [s * scale for s in shares]
        return [int(total * share / 100) for share in shares]

    def _content_width(self) -> int:
        return int((self.page["width"] - self.page["left"] - self.page["right"]) * DXA_PER_MM)

    # --- paragraphs ----------------------------------------------------------------------------------------------

    def _paragraph(
        self,
        runs: list[Run],
        *,
        style: str | None = None,
        align: str | None = None,
        size: float | None = None,
        colour: str | None = None,
        bold: bool = False,
        keep_next: bool = False,
        before: float | None = None,
        border: bool = False,
    ) -> None:
        ppr = _ppr(
            style=self.styles[style] if style else None, align=align, keep_next=keep_next, before=before, border=border
        )
        self._insert(f"<w:p {nsdecls('w')}>{ppr}{_runs_xml(_trim(runs), bold=bold, size=size, colour=colour)}</w:p>")

    def _page_break(self) -> None:
        self._insert(f'<w:p {nsdecls("w")}><w:r><w:br w:type="page"/></w:r></w:p>')


# --- XML of runs, paragraphs and cells -------------------------------------------------------------------------------


def _runs(node: Node, bold: bool = False, note: bool = False) -> list[Run]:
    """The inline content of a node as runs, whitespace folded as a browser folds it."""
    runs = []
    bold = bold or node.tag == "th"
    for child in node.children:
        if isinstance(child, str):
            runs.append(Run(_clean(SPACES.sub(" ", child)), bold=bold, note=note))
        elif child.tag == "br":
            runs.append(Run("", brk=True))
        elif child.tag in ("style", "script", "img"):
            continue
        else:
            classes = child.classes
            if "narrative-text" in classes:
                # An organisation's text keeps its line breaks, as the PDF's pre-wrap does.
                for n, line in enumerate(child.text().strip("\n").split("\n")):
                    runs.extend([Run("", brk=True)] * bool(n) + [Run(_clean(line), bold=bold, note=note)])
                continue
            child_note = note or "note" in classes
            if "note" in classes and node.tag == "td" and runs and not runs[-1].brk:
                runs.append(Run("", brk=True))  # the PDF sets a cell's note on a line of its own
            runs.extend(_runs(child, bold=bold or child.tag in ("strong", "b", "th"), note=child_note))
    return runs


def _trim(runs: list[Run]) -> list[Run]:
    """Fold the spaces between runs and drop those at the paragraph's ends and around its line breaks."""
    out = []
    for run in runs:
        text = run.text
        at_start = not out or out[-1].brk
        if at_start or (out and out[-1].text.endswith(" ")):
            text = text.lstrip(" ")
        if run.brk and out:
            out[-1].text = out[-1].text.rstrip(" ")
        if text or run.brk:
            out.append(Run(text, run.bold, run.note, run.brk))
    if out:
        out[-1].text = out[-1].text.rstrip(" ")
    return [r for r in out if r.text or r.brk]


def _lines(node: Node) -> list[list[Run]]:
    """A title-page block of divs and <br>-separated lines, as one list of runs per line."""
    lines, current = [], []
    for child in node.children:
        if isinstance(child, Node) and child.tag == "div":
            if any(r.text.strip() for r in current):
                lines.append(current)
            current = []
            lines.append(_runs(child))
        elif isinstance(child, Node) and child.tag == "br":
            lines.append(current)
            current = []
        else:
            current.extend(_runs(Node("span", {}, [child])))
    if any(r.text.strip() for r in current):
        lines.append(current)
    return [line for line in lines if any(r.text.strip() for r in line)]


def _runs_xml(
    runs: list[Run], bold: bool = False, size: float | None = None, colour: str | None = None, base: float = 10
) -> str:
    """Runs; `size` only where it differs from the paragraph style's (`base`), from which a note is a point less."""
    out = []
    for run in runs:
        if run.brk:
            out.append("<w:r><w:br/></w:r>")
            continue
        rpr = _rpr(
            bold=bold or run.bold,
            size=(size or base) - 1 if run.note else size,
            colour=GREY if run.note and not colour else colour,
        )
        out.append(f'<w:r>{rpr}<w:t xml:space="preserve">{escape(run.text)}</w:t></w:r>')
    return "".join(out)


def _rpr(*, bold: bool = False, size: float | None = None, colour: str | None = None) -> str:
    parts = []
    if bold:
        parts.append("<w:b/>")
    if colour:
        parts.append(f'<w:color w:val="{colour}"/>')
    if size:
        parts.append(f'<w:sz w:val="{round(size * 2)}"/><w:szCs w:val="{round(size * 2)}"/>')
    return f"<w:rPr>{''.join(parts)}</w:rPr>" if parts else ""


def _ppr(
    *,
    style: str | None = None,
    align: str | None = None,
    after: float | None = None,
    before: float | None = None,
    keep_next: bool = False,
    border: bool = False,
) -> str:
    parts = []
    if style:
        parts.append(f'<w:pStyle w:val="{style}"/>')
    if keep_next:
        parts.append("<w:keepNext/>")
    if border:
        parts.append(
            f'<w:pBdr><w:top w:val="single" w:sz="8" w:space="4" w:color="{RED}"/>'
            f'<w:left w:val="single" w:sz="8" w:space="4" w:color="{RED}"/>'
            f'<w:bottom w:val="single" w:sz="8" w:space="4" w:color="{RED}"/>'
            f'<w:right w:val="single" w:sz="8" w:space="4" w:color="{RED}"/></w:pBdr>'
        )
    if after is not None or before is not None:
        spacing = ""
        if before is not None:
            spacing += f' w:before="{round(before * 20)}"'
        if after is not None:
            spacing += f' w:after="{round(after * 20)}"'
        parts.append(f"<w:spacing{spacing}/>")
    if align:
        parts.append(f'<w:jc w:val="{"both" if align == "justify" else align}"/>')
    return f"<w:pPr>{''.join(parts)}</w:pPr>" if parts else ""


def _tc(content: str, widths: list[int], *, merge: str | None = None, fill: str | None = None) -> str:
    parts = [f'<w:tcW w:w="{sum(widths)}" w:type="dxa"/>']
    if len(widths) > 1:
        parts.append(f'<w:gridSpan w:val="{len(widths)}"/>')
    if merge:
        parts.append(f'<w:vMerge w:val="{merge}"/>' if merge == "restart" else "<w:vMerge/>")
    if fill:
        parts.append(f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>')
    return f"<w:tc><w:tcPr>{''.join(parts)}</w:tcPr>{content or '<w:p/>'}</w:tc>"


def _rows(node: Node) -> list[list[Node]]:
    return [
        [cell for cell in row.children if isinstance(cell, Node) and cell.tag in ("td", "th")]
        for row in node.children
        if isinstance(row, Node) and row.tag == "tr"
    ]


def _column_count(rows: list[list[Node]]) -> int:
    """The table's grid: the first row's columns, counting its spans."""
    counts = [sum(int(c.attrs.get("colspan", 1) or 1) for c in row) for row in rows if row]
    return max(counts, default=1)


def _is_block(node: Node) -> bool:
    return node.tag in ("div", "p", "table", "figure", "blockquote", "h1", "h2", "h3", "section", "nav", "ol", "ul")


def _find_class(node: Node, name: str) -> Node | None:
    for child in node.children:
        if isinstance(child, Node):
            if name in child.classes:
                return child
            found = _find_class(child, name)
            if found is not None:
                return found
    return None


def _collapse(text: str) -> str:
    return _clean(SPACES.sub(" ", text).strip())


def _clean(text: str) -> str:
    return FORBIDDEN.sub("", text)


def _set_fonts(rpr) -> None:
    """The font by name for every script, without the theme's, which Word would put first."""
    fonts = rpr.get_or_add_rFonts()
    for name in list(fonts.attrib):
        del fonts.attrib[name]
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FONT)


def _set_lang(rpr, language: str) -> None:
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = rpr.makeelement(qn("w:lang"), {})
        # Word reads a run's properties in the schema's order; these few may only come after w:lang.
        after = next((e for e in rpr if e.tag in {qn("w:eastAsianLayout"), qn("w:specVanish"), qn("w:oMath")}), None)
        if after is None:
            rpr.append(lang)
        else:
            after.addprevious(lang)
    lang.set(qn("w:val"), language)
    lang.set(qn("w:eastAsia"), language)
    lang.set(qn("w:bidi"), "ar-SA")


def _set_colour(rpr, colour: str) -> None:
    element = rpr.get_or_add_color()
    for name in list(element.attrib):
        del element.attrib[name]
    element.set(qn("w:val"), colour)


def _small(run, size: float) -> None:
    run.font.size = Pt(size)
    run.font.color.rgb = None
    _set_colour(run._r.get_or_add_rPr(), GREY)


def _field(paragraph, instruction: str, shown: str) -> None:
    """A simple field (PAGE, NUMPAGES) Word fills in when it lays the page out."""
    paragraph._p.append(
        parse_xml(
            f'<w:fldSimple {nsdecls("w")} w:instr="{instruction}"><w:r><w:rPr><w:color w:val="{GREY}"/>'
            f'<w:sz w:val="16"/></w:rPr><w:t>{shown}</w:t></w:r></w:fldSimple>'
        )
    )
