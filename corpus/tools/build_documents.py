"""Render the sample corpus's PDF and DOCX documents from restricted-Markdown sources.

Every ``corpus/sources/<id>/<stem>.pdf.md`` becomes ``corpus/initiatives/<id>/<stem>.pdf`` and every
``<stem>.docx.md`` becomes ``<stem>.docx`` (see ``corpus/WRITING-GUIDE.md``). Output is deterministic:
rendering the same source twice gives byte-identical files, so generated documents can be committed and
checked in CI.

Usage (paths default to the folders next to this script, so it works from any cwd)::

    .venv/bin/python corpus/tools/build_documents.py              # (re)build everything
    .venv/bin/python corpus/tools/build_documents.py ID [ID ...]  # only these initiative ids
    .venv/bin/python corpus/tools/build_documents.py --check      # exit 1 if committed output is stale
    .venv/bin/python corpus/tools/build_documents.py --sources DIR --out DIR

Supported Markdown: ``# Title`` on the first line (also the PDF /Title and the DOCX core title),
``<!-- landscape -->`` as the first line after the title (landscape A4 for the whole document),
``##``/``###`` headings, paragraphs (consecutive lines are joined), ``- `` bullets, ``1. `` numbered
items, ``**bold**``, ``*italic*`` and ``***both***``, backslash escapes (``\\*``, ``\\|``), pipe tables
(header row, ``|---|`` separator with optional ``:`` alignment) and ``<!-- pagebreak -->``. Other
HTML comments are dropped. Everything else is rendered as literal text.

PDFs use only the PDF standard fonts (Helvetica, with reportlab's automatic Symbol/ZapfDingbats
fallback), so output does not depend on fonts installed on the machine; characters none of those
fonts can show (e.g. ``ł``, emoji) are reported as errors instead of being drawn as boxes.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import os
import re
import sys
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import docx
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Length, Mm, Pt
from docx.text.paragraph import Paragraph as DocxParagraph
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    ListFlowable,
    ListItem,
    PageBreak,
    PageTemplate,
    Paragraph,
    Table,
    TableStyle,
)

CORPUS_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SOURCES = CORPUS_DIR / "sources"
DEFAULT_OUT = CORPUS_DIR / "initiatives"
FORMATS = ("pdf", "docx")

AUTHOR = "Overblik eksempelkorpus"
CREATOR = "corpus/tools/build_documents.py"
LANGUAGE = "da-DK"
FIXED_DATE = dt.datetime(2025, 1, 1, 0, 0, 0)  # naive UTC, used for all document dates
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


class SourceError(Exception):
    """A problem in a source file, reported as ``file:line: message``."""

    def __init__(self, name: str, line: int, message: str) -> None:
        super().__init__(f"{name}:{line}: {message}")


# --------------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    line: int
    level: int  # 2 or 3
    text: str


@dataclass(frozen=True)
class Para:
    line: int
    text: str


@dataclass
class ListBlock:
    line: int
    ordered: bool
    start: int
    items: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TableBlock:
    line: int
    header: list[str]
    rows: list[list[str]]
    align: list[str]  # "left" | "center" | "right" per column


@dataclass(frozen=True)
class PageBreakBlock:
    line: int


Block = Heading | Para | ListBlock | TableBlock | PageBreakBlock


@dataclass(frozen=True)
class SourceDocument:
    name: str
    title: str
    landscape: bool
    blocks: list[Block]


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False


_TITLE_RE = re.compile(r"^#\s+(.+?)\s*$")
_HEADING_RE = re.compile(r"^(#{1,6})\s+(.+?)\s*$")
_BULLET_RE = re.compile(r"^\s*[-*+]\s+(.*)$")
_NUMBERED_RE = re.compile(r"^\s*(\d{1,4})[.)]\s+(.*)$")
_DIRECTIVE_RE = re.compile(r"^<!--\s*([a-z]+)\s*-->$", re.IGNORECASE)
_COMMENT_RE = re.compile(r"<!--.*?-->")
_COMMENT_LINE_RE = re.compile(r"^<!--.*-->$")
_SEPARATOR_CELL_RE = re.compile(r"^:?-+:?$")
_PIPE_SPLIT_RE = re.compile(r"(?<!\\)\|")
_ESCAPABLE = r"\`*_{}[]()<>#+-.!|"
_ESCAPE_BASE = 0xE000  # escaped punctuation is parked in the private-use area while parsing
_INLINE_RE = re.compile(
    r"\*\*\*(?=\S)(?P<bi>.+?)(?<=\S)\*\*\*"
    r"|\*\*(?=\S)(?P<b>.+?)(?<=\S)\*\*"
    r"|(?<!\*)\*(?=[^\s*])(?P<i>.+?)(?<=\S)(?<!\*)\*(?!\*)"
)


def _split_row(line: str) -> list[str]:
    body = line.strip()
    body = body.removeprefix("|")
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    return [cell.strip() for cell in _PIPE_SPLIT_RE.split(body)]


def _is_separator(line: str) -> bool:
    stripped = line.strip()
    if not stripped.startswith("|") or "-" not in stripped:
        return False
    return all(_SEPARATOR_CELL_RE.match(cell.replace(" ", "")) for cell in _split_row(stripped))


def _alignment(cell: str) -> str:
    cell = cell.replace(" ", "")
    if cell.startswith(":") and cell.endswith(":"):
        return "center"
    return "right" if cell.endswith(":") else "left"


def parse_source(text: str, name: str = "<source>") -> SourceDocument:
    """Parse restricted Markdown into a :class:`SourceDocument`."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    numbered = list(enumerate(lines.split("\n"), start=1))
    while numbered and not numbered[0][1].strip():
        numbered.pop(0)
    if not numbered or not (title_match := _TITLE_RE.match(numbered[0][1].strip())):
        first = numbered[0][0] if numbered else 1
        raise SourceError(name, first, "the first line must be the document title ('# Title')")
    title = title_match.group(1)
    body = numbered[1:]

    is_landscape = False
    first_content = next((i for i, (_, raw) in enumerate(body) if raw.strip()), None)
    if first_content is not None:
        directive = _DIRECTIVE_RE.match(body[first_content][1].strip())
        if directive and directive.group(1).lower() == "landscape":
            is_landscape = True
            body = body[first_content + 1 :]

    blocks: list[Block] = []
    current: Para | ListBlock | None = None  # block that may still absorb continuation lines
    after_blank = False
    in_comment = False
    i = 0
    while i < len(body):
        lineno, raw = body[i]
        i += 1
        if in_comment:
            in_comment = "-->" not in raw
            continue
        stripped = raw.strip()
        if stripped.startswith("<!--") and "-->" not in stripped:
            in_comment = True
            continue
        directive = _DIRECTIVE_RE.match(stripped)
        if directive:
            kind = directive.group(1).lower()
            if kind == "pagebreak":
                blocks.append(PageBreakBlock(lineno))
            elif kind == "landscape":
                raise SourceError(name, lineno, "<!-- landscape --> must be the first line after the title")
            current = None
            continue
        if _COMMENT_LINE_RE.match(stripped):
            continue  # other comments are dropped without ending the current block
        raw = _COMMENT_RE.sub("", raw)
        stripped = raw.strip()
        if not stripped:
            after_blank = True
            if isinstance(current, Para):
                current = None
            continue

        if stripped.startswith("#"):
            heading = _HEADING_RE.match(stripped)
            if heading:
                level = min(max(len(heading.group(1)), 2), 3)
                blocks.append(Heading(lineno, level, heading.group(2)))
                current = None
                after_blank = False
                continue

        if stripped.startswith("|") and i < len(body) and _is_separator(body[i][1]):
            header = _split_row(stripped)
            align = [_alignment(cell) for cell in _split_row(body[i][1])]
            align = (align + ["left"] * len(header))[: len(header)]
            i += 1
            rows: list[list[str]] = []
            while i < len(body) and body[i][1].strip().startswith("|"):
                row_no, row_raw = body[i]
                cells = _split_row(row_raw)
                if len(cells) > len(header):
                    raise SourceError(
                        name, row_no, f"table row has {len(cells)} cells but the header has {len(header)}"
                    )
                rows.append(cells + [""] * (len(header) - len(cells)))
                i += 1
            blocks.append(TableBlock(lineno, header, rows, align))
            current = None
            after_blank = False
            continue

        list_match = _BULLET_RE.match(raw) or _NUMBERED_RE.match(raw)
        if list_match:
            ordered = list_match.re is _NUMBERED_RE
            if not (isinstance(current, ListBlock) and current.ordered == ordered):
                current = ListBlock(lineno, ordered, int(list_match.group(1)) if ordered else 1)
                blocks.append(current)
            current.items.append(list_match.group(list_match.re.groups).strip())
            after_blank = False
            continue

        if isinstance(current, ListBlock) and not after_blank:
            current.items[-1] = f"{current.items[-1]} {stripped}".strip()
        elif isinstance(current, Para):
            blocks[-1] = current = Para(current.line, f"{current.text} {stripped}")
        else:
            current = Para(lineno, stripped)
            blocks.append(current)
        after_blank = False
    return SourceDocument(name=name, title=title, landscape=is_landscape, blocks=blocks)


def parse_inline(text: str, bold: bool = False, italic: bool = False) -> list[Run]:
    """Split ``**bold**`` / ``*italic*`` markup into runs; backslash escapes give literal characters."""
    parked = re.sub(
        r"\\([" + re.escape(_ESCAPABLE) + r"])", lambda m: chr(_ESCAPE_BASE + ord(m.group(1))), text
    )
    return _merge_runs(_parse_parked(parked, bold, italic))


def _unpark(text: str) -> str:
    return "".join(
        chr(ord(c) - _ESCAPE_BASE) if _ESCAPE_BASE <= ord(c) < _ESCAPE_BASE + 128 else c for c in text
    )


def _parse_parked(text: str, bold: bool, italic: bool) -> list[Run]:
    runs: list[Run] = []
    pos = 0
    for match in _INLINE_RE.finditer(text):
        if match.start() > pos:
            runs.append(Run(_unpark(text[pos : match.start()]), bold, italic))
        if match.group("bi") is not None:
            runs.extend(_parse_parked(match.group("bi"), True, True))
        elif match.group("b") is not None:
            runs.extend(_parse_parked(match.group("b"), True, italic))
        else:
            runs.extend(_parse_parked(match.group("i"), bold, True))
        pos = match.end()
    if pos < len(text):
        runs.append(Run(_unpark(text[pos:]), bold, italic))
    return runs


def _merge_runs(runs: list[Run]) -> list[Run]:
    merged: list[Run] = []
    for run in runs:
        if merged and (merged[-1].bold, merged[-1].italic) == (run.bold, run.italic):
            merged[-1] = Run(merged[-1].text + run.text, run.bold, run.italic)
        elif run.text:
            merged.append(run)
    return merged


def plain_text(text: str) -> str:
    return "".join(run.text for run in parse_inline(text))


def _block_texts(doc: SourceDocument) -> Iterator[tuple[int, str]]:
    yield 1, doc.title
    for block in doc.blocks:
        if isinstance(block, Heading | Para):
            yield block.line, block.text
        elif isinstance(block, ListBlock):
            yield from ((block.line, item) for item in block.items)
        elif isinstance(block, TableBlock):
            yield from ((block.line, cell) for row in [block.header, *block.rows] for cell in row)


# --------------------------------------------------------------------------------------------------
# PDF (reportlab platypus, standard fonts only)
# --------------------------------------------------------------------------------------------------

_FONT = "Helvetica"
_FONT_BOLD = "Helvetica-Bold"
_PDF_FALLBACK_FONTS = ("Helvetica", "Symbol", "ZapfDingbats")
_ACCENT = colors.HexColor("#1F4E79")
_GRID = colors.HexColor("#9DB3C8")
_ZEBRA = colors.HexColor("#EEF3F8")
_MARGIN = 20 * mm
_ALIGN = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT}


def _pdf_can_render(char: str) -> bool:
    for font_name in _PDF_FALLBACK_FONTS:
        try:
            char.encode(pdfmetrics.getFont(font_name).encName)
        except UnicodeEncodeError:
            continue
        return True
    return False


def _check_pdf_characters(doc: SourceDocument) -> None:
    for line, text in _block_texts(doc):
        bad = sorted({c for c in plain_text(text) if not _pdf_can_render(c)})
        if bad:
            names = ", ".join(f"{c!r} ({unicodedata.name(c, f'U+{ord(c):04X}')})" for c in bad)
            raise SourceError(doc.name, line, f"not renderable with the PDF standard fonts: {names}")


def _markup(text: str) -> str:
    """Reportlab Paragraph markup for inline Markdown, with &, < and > escaped."""
    parts = []
    for run in parse_inline(text):
        chunk = escape(run.text)
        if run.italic:
            chunk = f"<i>{chunk}</i>"
        if run.bold:
            chunk = f"<b>{chunk}</b>"
        parts.append(chunk)
    return "".join(parts)


@dataclass(frozen=True)
class _PdfStyles:
    title: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    body: ParagraphStyle
    item: ParagraphStyle
    cell: ParagraphStyle
    header_cell: ParagraphStyle

    @classmethod
    def create(cls) -> _PdfStyles:
        body = ParagraphStyle("Body", fontName=_FONT, fontSize=10, leading=14, spaceAfter=6)
        heading = ParagraphStyle(
            "Heading", parent=body, fontName=_FONT_BOLD, textColor=_ACCENT, keepWithNext=1
        )
        cell = ParagraphStyle("Cell", parent=body, fontSize=9, leading=11.5, spaceAfter=0)
        return cls(
            title=ParagraphStyle("Title", parent=heading, fontSize=20, leading=25, spaceAfter=14),
            h2=ParagraphStyle("H2", parent=heading, fontSize=14, leading=18, spaceBefore=12, spaceAfter=6),
            h3=ParagraphStyle("H3", parent=heading, fontSize=11.5, leading=15, spaceBefore=9, spaceAfter=4),
            body=body,
            item=ParagraphStyle("Item", parent=body, spaceAfter=2),
            cell=cell,
            header_cell=ParagraphStyle(
                "HeaderCell", parent=cell, fontName=_FONT_BOLD, textColor=colors.white
            ),
        )


def _column_widths(table: TableBlock, available: float, styles: _PdfStyles) -> list[float]:
    """Share ``available`` between columns like an HTML auto table layout.

    Columns whose text fits in a fair share keep their natural width; the wide columns share the
    rest in proportion to their text length, but never get narrower than their longest word.
    """
    padding = 12.0
    natural = [0.0] * len(table.header)
    minimum = [0.0] * len(table.header)
    for row_index, row in enumerate([table.header, *table.rows]):
        style = styles.header_cell if row_index == 0 else styles.cell
        for col, cell in enumerate(row):
            text = plain_text(cell)
            width = pdfmetrics.stringWidth(text, style.fontName, style.fontSize)
            natural[col] = max(natural[col], min(width, available) + padding)
            words = (pdfmetrics.stringWidth(w, style.fontName, style.fontSize) for w in text.split())
            minimum[col] = max(minimum[col], min(max(words, default=0), available / 2) + padding)
    if sum(natural) <= available:
        return [w * available / sum(natural) for w in natural]

    widths: dict[int, float] = {}
    wide = list(range(len(natural)))
    while narrow := [c for c in wide if natural[c] <= (available - sum(widths.values())) / len(wide)]:
        widths.update((c, natural[c]) for c in narrow)
        wide = [c for c in wide if c not in narrow]
    while wide:
        remaining = available - sum(widths.values())
        if sum(minimum[c] for c in wide) > remaining:
            break
        total = sum(natural[c] for c in wide)
        clamped = [c for c in wide if remaining * natural[c] / total < minimum[c]]
        if not clamped:
            widths.update((c, remaining * natural[c] / total) for c in wide)
            return [widths[c] for c in range(len(natural))]
        widths.update((c, minimum[c]) for c in clamped)
        wide = [c for c in wide if c not in clamped]
    # not even the longest words fit next to the narrow columns: share the slack above the minimums
    if sum(minimum) >= available:
        return [w * available / sum(minimum) for w in minimum]
    slack = [n - m for n, m in zip(natural, minimum, strict=True)]
    extra = available - sum(minimum)
    return [m + extra * s / sum(slack) for m, s in zip(minimum, slack, strict=True)]


def _pdf_table(table: TableBlock, available: float, styles: _PdfStyles) -> Table:
    def cell_style(base: ParagraphStyle, col: int) -> ParagraphStyle:
        return ParagraphStyle(
            f"{base.name}-{table.align[col]}", parent=base, alignment=_ALIGN[table.align[col]]
        )

    header_styles = [cell_style(styles.header_cell, c) for c in range(len(table.header))]
    body_styles = [cell_style(styles.cell, c) for c in range(len(table.header))]
    data = [[Paragraph(_markup(text), header_styles[c]) for c, text in enumerate(table.header)]]
    data += [[Paragraph(_markup(text), body_styles[c]) for c, text in enumerate(row)] for row in table.rows]
    result = Table(
        data, colWidths=_column_widths(table, available, styles), repeatRows=1, hAlign="LEFT", spaceAfter=8
    )
    result.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), _ACCENT),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, _ZEBRA]),
                ("GRID", (0, 0), (-1, -1), 0.5, _GRID),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 5),
                ("RIGHTPADDING", (0, 0), (-1, -1), 5),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return result


def _pdf_list(block: ListBlock, styles: _PdfStyles) -> ListFlowable:
    items = [ListItem(Paragraph(_markup(text), styles.item)) for text in block.items]
    indent = 16.0
    if block.ordered:
        widest = f"{block.start + len(block.items) - 1}."
        indent = max(indent, pdfmetrics.stringWidth(widest, _FONT, styles.item.fontSize) + 8)
        options = {"bulletType": "1", "start": block.start, "bulletFormat": "%s.", "bulletFontName": _FONT}
    else:
        # Symbol's bullet extracts as U+2022; Helvetica's would come out as \x7f via WinAnsi 0x7F.
        options = {"bulletType": "bullet", "start": "\u2022", "bulletFontName": "Symbol"}
    return ListFlowable(
        items,
        leftIndent=indent,
        bulletDedent=indent - 3,
        bulletFontSize=styles.item.fontSize,
        spaceBefore=0,
        spaceAfter=6,
        **options,
    )


def _draw_footer(canvas: Canvas, doc: BaseDocTemplate) -> None:
    canvas.saveState()
    canvas.setFont(_FONT, 8.5)
    canvas.setFillColor(colors.HexColor("#555555"))
    canvas.drawCentredString(doc.pagesize[0] / 2, _MARGIN / 2, f"Side {canvas.getPageNumber()}")
    canvas.restoreState()


@contextlib.contextmanager
def _source_date_epoch(epoch: int) -> Iterator[None]:
    """Pin reportlab's document timestamp (it honours SOURCE_DATE_EPOCH) for the duration of a build."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        yield
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


def render_pdf(doc: SourceDocument) -> bytes:
    _check_pdf_characters(doc)
    styles = _PdfStyles.create()
    buffer = io.BytesIO()
    template = BaseDocTemplate(
        buffer,
        pagesize=landscape(A4) if doc.landscape else A4,
        leftMargin=_MARGIN,
        rightMargin=_MARGIN,
        topMargin=_MARGIN,
        bottomMargin=_MARGIN,
        title=plain_text(doc.title),
        author=AUTHOR,
        subject="",
        creator=CREATOR,
        lang=LANGUAGE,
        invariant=1,
        pageCompression=0,  # uncompressed streams: bytes do not depend on the zlib build
    )
    frame = Frame(template.leftMargin, template.bottomMargin, template.width, template.height, id="body")
    # footer drawn at page end so text extraction yields it after the page content
    template.addPageTemplates([PageTemplate(id="page", frames=[frame], onPageEnd=_draw_footer)])
    story: list[Flowable] = [Paragraph(_markup(doc.title), styles.title)]
    for block in doc.blocks:
        if isinstance(block, Heading):
            story.append(Paragraph(_markup(block.text), styles.h2 if block.level == 2 else styles.h3))
        elif isinstance(block, Para):
            story.append(Paragraph(_markup(block.text), styles.body))
        elif isinstance(block, ListBlock):
            story.append(_pdf_list(block, styles))
        elif isinstance(block, TableBlock):
            story.append(_pdf_table(block, template.width, styles))
        else:
            story.append(PageBreak())
    with _source_date_epoch(int(FIXED_DATE.replace(tzinfo=dt.UTC).timestamp())):
        template.build(story)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------------
# DOCX (python-docx)
# --------------------------------------------------------------------------------------------------

_DOCX_HEADER_FILL = "D9E2F3"
_DOCX_ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
}


def _add_runs(paragraph: DocxParagraph, text: str, bold: bool = False) -> None:
    for run in parse_inline(text, bold=bold):
        added = paragraph.add_run(run.text)
        added.bold = run.bold or None
        added.italic = run.italic or None


def _setup_section(section: Section, is_landscape: bool) -> None:
    width, height = Mm(210), Mm(297)
    if is_landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        width, height = height, width
    section.page_width, section.page_height = width, height
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin = section.bottom_margin = Mm(20)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("Side ")
    field_element = OxmlElement("w:fldSimple")
    field_element.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field_element.append(run)
    footer._p.append(field_element)


class _Numbering:
    """Gives each numbered list its own ``w:num`` so numbering restarts (at the list's start value)."""

    def __init__(self, document: DocxDocument) -> None:
        self._numbering = document.part.numbering_part.element
        style_num_id = document.styles["List Number"].element.pPr.numPr.numId.val
        self._abstract_id = self._numbering.num_having_numId(style_num_id).abstractNumId.val

    def new_list(self, start: int) -> int:
        num = self._numbering.add_num(self._abstract_id)
        num.add_lvlOverride(ilvl=0).add_startOverride(start)
        return int(num.numId)


def _docx_table(document: DocxDocument, table: TableBlock, available: Length) -> None:
    result = document.add_table(rows=1 + len(table.rows), cols=len(table.header))
    result.style = document.styles["Table Grid"]
    result.alignment = WD_TABLE_ALIGNMENT.LEFT
    widths = [Pt(w) for w in _column_widths(table, available.pt, _PdfStyles.create())]
    for column, width in zip(result.columns, widths, strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width
    for row_index, (row, cells) in enumerate(zip([table.header, *table.rows], result.rows, strict=True)):
        for col, (text, cell) in enumerate(zip(row, cells.cells, strict=True)):
            paragraph = cell.paragraphs[0]
            paragraph.alignment = _DOCX_ALIGN[table.align[col]]
            _add_runs(paragraph, text, bold=row_index == 0)
            if row_index == 0:
                shading = OxmlElement("w:shd")
                shading.set(qn("w:val"), "clear")
                shading.set(qn("w:color"), "auto")
                shading.set(qn("w:fill"), _DOCX_HEADER_FILL)
                cell._tc.get_or_add_tcPr().append(shading)
    header_row = result.rows[0]._tr.get_or_add_trPr()
    header_row.append(OxmlElement("w:tblHeader"))  # repeat the header row on each page in Word
    document.add_paragraph()  # keeps consecutive tables apart and gives space after the table


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with sorted entries, fixed timestamps and fixed attributes."""
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(output, "w") as target:
        for name in sorted(source.namelist()):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(name), compresslevel=9)
    return output.getvalue()


def render_docx(doc: SourceDocument) -> bytes:
    document = docx.Document()
    _setup_section(document.sections[0], doc.landscape)
    normal = document.styles["Normal"]
    normal.font.size = Pt(10.5)
    numbering = _Numbering(document)
    _add_runs(document.add_paragraph(style="Title"), doc.title)
    for block in doc.blocks:
        if isinstance(block, PageBreakBlock):
            document.add_page_break()
        elif isinstance(block, Heading):
            _add_runs(document.add_paragraph(style=f"Heading {block.level - 1}"), block.text)
        elif isinstance(block, Para):
            _add_runs(document.add_paragraph(style="Normal"), block.text)
        elif isinstance(block, ListBlock):
            num_id = numbering.new_list(block.start) if block.ordered else None
            for item in block.items:
                paragraph = document.add_paragraph(style="List Number" if block.ordered else "List Bullet")
                if num_id is not None:
                    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
                    num_pr.get_or_add_ilvl().val = 0
                    num_pr.get_or_add_numId().val = num_id
                _add_runs(paragraph, item)
        else:
            section = document.sections[0]
            available = Length(section.page_width - section.left_margin - section.right_margin)
            _docx_table(document, block, available)

    props = document.core_properties
    props.title = plain_text(doc.title)
    props.author = props.last_modified_by = AUTHOR
    props.comments = f"Genereret af {CREATOR}"
    props.language = LANGUAGE
    props.created = props.modified = props.last_printed = FIXED_DATE
    props.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    return _normalise_zip(buffer.getvalue())


# --------------------------------------------------------------------------------------------------
# Build / check
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    source: Path
    output: Path  # relative to the output folder: <id>/<stem>.<fmt>

    @property
    def fmt(self) -> str:
        return self.output.suffix.lstrip(".")


def find_jobs(sources: Path, ids: Sequence[str] = ()) -> list[Job]:
    jobs = []
    for fmt in FORMATS:
        for source in sources.glob(f"*/*.{fmt}.md"):
            initiative = source.parent.name
            if ids and initiative not in ids:
                continue
            stem = source.name.removesuffix(f".{fmt}.md")
            jobs.append(Job(source, Path(initiative) / f"{stem}.{fmt}"))
    return sorted(jobs, key=lambda job: job.output.as_posix())


def render_file(source: Path) -> bytes:
    """Render one ``*.pdf.md`` / ``*.docx.md`` source file to document bytes."""
    doc = parse_source(source.read_text(encoding="utf-8"), name=str(source))
    if source.name.endswith(".pdf.md"):
        return render_pdf(doc)
    if source.name.endswith(".docx.md"):
        return render_docx(doc)
    raise ValueError(f"{source}: expected a .pdf.md or .docx.md file")


def _render_all(jobs: Sequence[Job], out: Path) -> tuple[list[Path], list[str]]:
    """Render ``jobs`` into ``out``, rewriting only changed files. Returns (written, errors)."""
    written, errors = [], []
    for job in jobs:
        try:
            data = render_file(job.source)
        except SourceError as error:
            errors.append(str(error))
            continue
        target = out / job.output
        if target.is_file() and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.tmp")
        temporary.write_bytes(data)
        temporary.replace(target)
        written.append(target)
    return written, errors


def _display(path: Path) -> str:
    with contextlib.suppress(ValueError):
        return path.resolve().relative_to(Path.cwd()).as_posix()
    return path.as_posix()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render corpus PDF/DOCX documents from Markdown sources.")
    parser.add_argument("ids", nargs="*", metavar="ID", help="only build these initiative ids")
    parser.add_argument("--sources", type=Path, default=DEFAULT_SOURCES, help="source folder (%(default)s)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (%(default)s)")
    parser.add_argument(
        "--check",
        action="store_true",
        help="render into a temporary folder; exit 1 if any output in --out is missing or differs",
    )
    args = parser.parse_args(argv)
    jobs = find_jobs(args.sources, args.ids)
    if not jobs:
        print(f"no *.pdf.md / *.docx.md sources under {_display(args.sources)}")
        return 0

    if not args.check:
        written, errors = _render_all(jobs, args.out)
        for path in written:
            print(f"wrote {_display(path)}")
        print(f"{len(jobs) - len(errors)} documents rendered, {len(written)} changed, {len(errors)} failed")
        for error in errors:
            print(f"error: {error}", file=sys.stderr)
        return 1 if errors else 0

    with tempfile.TemporaryDirectory(prefix="build_documents-") as tmp:
        fresh = Path(tmp)
        _, errors = _render_all(jobs, fresh)
        problems = []
        for job in jobs:
            committed, rendered = args.out / job.output, fresh / job.output
            if not rendered.is_file():
                continue  # source error, reported below
            if not committed.is_file():
                problems.append(f"missing: {_display(committed)}")
            elif committed.read_bytes() != rendered.read_bytes():
                problems.append(f"stale:   {_display(committed)}")
    for problem in problems:
        print(problem)
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    if problems or errors:
        print(f"{len(problems)} of {len(jobs)} documents out of date; run corpus/tools/build_documents.py")
        return 1
    print(f"all {len(jobs)} documents up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
