"""Tests for corpus/tools/build_documents.py, which renders the sample corpus's PDF/DOCX documents."""

from __future__ import annotations

import importlib.util
import io
import subprocess
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import docx
import pytest
from docx.oxml.ns import qn
from pypdf import PdfReader

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "corpus" / "tools" / "build_documents.py"
TITLE = "Sygehusindlæggelse i eget hjem \u2013 æøå ÆØÅ"

SOURCE = f"""# {TITLE}
<!-- landscape -->

Indledning med **fed tekst** og *kursiv*, tegn som & < > samt 20 °C og “citat”.
Denne linje hører til samme afsnit.

## Baggrund

- Første punkt
- Andet punkt med *kursiv*

1. Trin ét
2. Trin to

### Resultater

| Kommune | Borgere | Bemærkning |
|---|---:|---|
| Thisted Kommune | 120 | En længere bemærkning der skal ombrydes i cellen, hvis den bliver for bred |
| Morsø Kommune | 45 | Øvrige |

<!-- pagebreak -->

## Næste side

Tekst på side to.
"""


def _load_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_documents", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


bd = _load_module()


@pytest.fixture
def corpus(tmp_path: Path) -> tuple[Path, Path]:
    """A sources folder with one PDF (landscape) and one DOCX (portrait) source, and an output folder."""
    folder = tmp_path / "sources" / "eksempel-initiativ"
    folder.mkdir(parents=True)
    (folder / "rapport.pdf.md").write_text(SOURCE, encoding="utf-8")
    (folder / "notat.docx.md").write_text(SOURCE.replace("<!-- landscape -->\n", ""), encoding="utf-8")
    return tmp_path / "sources", tmp_path / "out"


def _build(sources: Path, out: Path, *extra: str) -> int:
    return bd.main(["--sources", str(sources), "--out", str(out), *extra])


def test_pdf_rendering(corpus: tuple[Path, Path]) -> None:
    sources, out = corpus
    assert _build(sources, out) == 0
    reader = PdfReader(out / "eksempel-initiativ" / "rapport.pdf")

    assert len(reader.pages) > 1
    text = "\n".join(page.extract_text() for page in reader.pages)
    for expected in (
        TITLE,
        "æøå",
        "Thisted Kommune",
        "Morsø Kommune",
        "Bemærkning",
        "& < >",
        "20 °C",
        "Side 2",
    ):
        assert expected in text
    assert "**" not in text and "&amp;" not in text
    for page in reader.pages:
        assert page.mediabox.width > page.mediabox.height
    assert reader.metadata is not None and reader.metadata.title == TITLE
    assert "Tekst på side to." in reader.pages[-1].extract_text()


def test_docx_rendering(corpus: tuple[Path, Path]) -> None:
    sources, out = corpus
    assert _build(sources, out) == 0
    document = docx.Document(str(out / "eksempel-initiativ" / "notat.docx"))

    assert document.core_properties.title == TITLE
    assert document.core_properties.author == "Overblik eksempelkorpus"
    styled = [(p.style.name, p.text) for p in document.paragraphs if p.text]
    assert styled[0] == ("Title", TITLE)
    assert ("Heading 1", "Baggrund") in styled
    assert ("Heading 2", "Resultater") in styled
    assert ("Heading 1", "Næste side") in styled
    assert ("List Bullet", "Andet punkt med kursiv") in styled
    assert ("List Number", "Trin to") in styled
    intro = "Indledning med fed tekst og kursiv, tegn som & < > samt 20 °C og “citat”."
    assert ("Normal", f"{intro} Denne linje hører til samme afsnit.") in styled

    [table] = document.tables
    assert [cell.text for cell in table.rows[0].cells] == ["Kommune", "Borgere", "Bemærkning"]
    assert [cell.text for cell in table.rows[2].cells] == ["Morsø Kommune", "45", "Øvrige"]
    assert table.rows[0].cells[0].paragraphs[0].runs[0].bold
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None

    assert document.element.body.findall(f".//{qn('w:br')}[@{qn('w:type')}='page']")
    section = document.sections[0]
    assert section.page_width < section.page_height


def test_renders_are_byte_identical(corpus: tuple[Path, Path]) -> None:
    sources, _ = corpus
    for source in sorted(sources.glob("*/*.md")):
        assert bd.render_file(source) == bd.render_file(source), source.name
    docx_bytes = bd.render_file(sources / "eksempel-initiativ" / "notat.docx.md")
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as archive:
        names = archive.namelist()
        assert names == sorted(names)
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_check_mode_detects_missing_and_stale_output(
    corpus: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    sources, out = corpus
    assert _build(sources, out, "--check") == 1
    assert "missing" in capsys.readouterr().out

    assert _build(sources, out) == 0
    assert _build(sources, out, "--check") == 0

    pdf = out / "eksempel-initiativ" / "rapport.pdf"
    pdf.write_bytes(pdf.read_bytes() + b"\n")
    capsys.readouterr()
    assert _build(sources, out, "--check") == 1
    assert "rapport.pdf" in capsys.readouterr().out


def test_markup_is_escaped_and_unrenderable_characters_are_reported() -> None:
    assert bd._markup("A & B <c> **d & e** *f*") == "A &amp; B &lt;c&gt; <b>d &amp; e</b> <i>f</i>"
    assert bd.plain_text(r"5 * 3 og \*ikke kursiv\*") == "5 * 3 og *ikke kursiv*"
    with pytest.raises(bd.SourceError, match="LATIN SMALL LETTER L WITH STROKE"):
        bd.render_pdf(bd.parse_source("# Titel\n\nŁódź og ł\n", "x.pdf.md"))


def test_numbered_lists_keep_their_start_number() -> None:
    doc = bd.parse_source("# T\n\n1. a\n2. b\n\nTekst.\n\n3. c\n   fortsat\n")
    lists = [block for block in doc.blocks if isinstance(block, bd.ListBlock)]
    assert [(lst.start, lst.items) for lst in lists] == [(1, ["a", "b"]), (3, ["c fortsat"])]


def test_repository_corpus_is_up_to_date() -> None:
    """CI guard: committed corpus/initiatives/*/*.pdf|docx must match a fresh render of corpus/sources."""
    if not bd.find_jobs(bd.DEFAULT_SOURCES):
        pytest.skip("corpus/sources has no *.pdf.md / *.docx.md files")
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, (
        "generated documents are stale; run corpus/tools/build_documents.py\n" + result.stdout + result.stderr
    )
