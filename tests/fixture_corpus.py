"""The test fixture corpus: text files committed under tests/fixtures/corpus, binary files generated here.

Generated: a three-page PDF (with a word hyphenated across a line break), a DOCX with a table, an encrypted
PDF whose password is in the metadata, and the bad files ingestion must survive (zero bytes, truncated,
image-only, encrypted without password, unsupported format, binary "text", and a cp1252 text that must be
read correctly).
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import docx
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

FIXTURE_TEXTS = Path(__file__).parent / "fixtures" / "corpus"

# Words that occur on exactly one page of the generated PDF, to check page numbers.
PAGE_WORDS = {1: "baggrundsanalysen", 2: "infusionspumpe", 3: "budgetrammen"}

# What ingesting the fixture corpus must report as failed, by file name.
EXPECTED_FAILURES = {
    "tom.pdf": "empty file",
    "afkortet.pdf": "damaged PDF",
    "scannet.pdf": "no text: needs OCR",
    "laast.pdf": "encrypted PDF",
    "regneark.xlsx": "unsupported format",
    "binaer.txt": "unreadable encoding",
}


def pdf_bytes(pages: list[list[str]], title: str | None = None) -> bytes:
    """A text PDF: one list of lines per page."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    if title:
        pdf.setTitle(title)
    for lines in pages:
        y = 800
        for line in lines:
            pdf.drawString(72, y, line)
            y -= 16
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def image_only_pdf() -> bytes:
    """A 'scan': a page with a drawn picture and no text layer."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    for row in range(40):
        pdf.rect(72, 780 - row * 18, 300 + (row * 37) % 150, 8, fill=1, stroke=0)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def encrypted_pdf(text: str, password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes([[text]]))))
    writer.encrypt(user_password=password, owner_password=password + "-ejer", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def evaluation_docx() -> bytes:
    document = docx.Document()
    document.core_properties.title = "Evaluering af digitale sundhedskompetencer"
    document.add_heading("Evaluering af digitale sundhedskompetencer", level=1)
    document.add_paragraph("Forløbet omfattede 24 borgere med KOL på tre plejecentre i Hjørring.")
    table = document.add_table(rows=3, cols=2)
    for row, (label, value) in enumerate([("Mål", "Resultat"), ("Selvstændig måling", "18 af 24"),
                                          ("Videoopkald uden hjælp", "15 af 24")]):  # fmt: skip
        table.cell(row, 0).text, table.cell(row, 1).text = label, value
    document.add_paragraph("Konklusionen er, at undervisning i små hold virker.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def project_description_pdf() -> bytes:
    return pdf_bytes(
        [
            ["Projektbeskrivelse: Sygehusindlæggelse i eget hjem",
             f"Baggrund: {PAGE_WORDS[1]} viser mange korte indlæggelser af ældre.",
             "Patienterne er ofte skrøbelige, og transport er en belastning."],
            ["Akutteamet og behandlingsansvaret",
             f"Kommunens akutsygeplejersker bruger en {PAGE_WORDS[2]} til intravenøs behand-",
             "ling i hjemmet. Lægen på hospitalet har ansvaret."],
            ["Økonomi",
             f"{PAGE_WORDS[3].capitalize()} er 1,2 mio. kr. årligt; æøå ÆØÅ skal bevares."],
        ],
        title="Projektbeskrivelse: Sygehusindlæggelse i eget hjem",
    )  # fmt: skip


def build_fixture_corpus(target: Path) -> Path:
    """Copy the committed texts to `target` and add the generated files; returns `target`."""
    shutil.copytree(FIXTURE_TEXTS, target, dirs_exist_ok=True)
    (target / "hjemmeindlaeggelse-thisted" / "projektbeskrivelse.pdf").write_bytes(project_description_pdf())
    (target / "kol-digitale-kompetencer" / "evaluering.docx").write_bytes(evaluation_docx())
    (target / "demens-gps" / "krypteret.pdf").write_bytes(
        encrypted_pdf("Fortroligt bilag om GPS-enhedernes batteritid.", "hemmelig")
    )
    problems = target / "problemfiler"
    good_pdf = pdf_bytes([["Et dokument der bliver afkortet midt i filen."] * 30])
    (problems / "tom.pdf").write_bytes(b"")
    (problems / "afkortet.pdf").write_bytes(good_pdf[:300])
    (problems / "scannet.pdf").write_bytes(image_only_pdf())
    (problems / "laast.pdf").write_bytes(encrypted_pdf("Ingen kender adgangskoden.", "ukendt"))
    (problems / "regneark.xlsx").write_bytes(b"PK\x03\x04 not really a spreadsheet")
    (problems / "binaer.txt").write_bytes(bytes(range(256)) * 4)
    (problems / "latin1-notat.txt").write_bytes(
        "Notat fra plejehjemmet på Østergade: søvnløshed og ængstelse blandt beboerne.\n".encode("cp1252")
    )
    return target
