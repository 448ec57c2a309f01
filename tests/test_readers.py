"""Readers turn each format into clean, normalised text; a file they cannot use fails with a reason."""

from __future__ import annotations

import codecs
import io
import unicodedata
from pathlib import Path

import docx
import pytest
from fixture_corpus import PAGE_WORDS, encrypted_pdf, evaluation_docx, image_only_pdf, pdf_bytes
from fixture_corpus import project_description_pdf as project_pdf

from ingest.errors import DocumentError
from ingest.normalize import normalize_text
from ingest.readers import read_document
from ingest.readers.docx import read_docx
from ingest.readers.html import read_html
from ingest.readers.markdown import read_markdown
from ingest.readers.pdf import read_pdf
from ingest.readers.text import decode_text, read_text

DANISH = "Sårbehandling på plejehjemmet: ængstelse, søvnløshed og Øresund i ÆØÅ"

# -- normalisation ---------------------------------------------------------------------------------


def test_decomposed_letters_are_composed():
    decomposed = unicodedata.normalize("NFD", "på plejehjemmet")
    assert len(decomposed) > len("på plejehjemmet")
    assert normalize_text(decomposed) == "på plejehjemmet"


def test_ligatures_are_expanded():
    assert normalize_text("ﬁnansiering og ﬂeksibel ﬀ") == "finansiering og fleksibel ff"


def test_word_hyphenated_at_a_line_break_is_rejoined():
    assert normalize_text("intravenøs behand-\nling i hjemmet") == "intravenøs behandling i hjemmet"
    assert normalize_text("sår-  \n  behandling") == "sårbehandling"


def test_hyphen_before_a_capitalised_word_is_kept():
    text = normalize_text("borgere med KOL-\nPatienter og hjerte-\nKar")
    assert "KOL-\nPatienter" in text
    assert "hjerte-\nKar" in text


def test_hyphen_after_an_abbreviation_or_number_is_kept_when_the_line_break_goes():
    text = normalize_text("borgere med KOL-\npatienter i 2024-\nperioden og sam-\narbejde")
    assert text == "borgere med KOL-patienter i 2024-perioden og samarbejde"


def test_whitespace_is_collapsed_and_paragraph_breaks_kept():
    text = normalize_text("  Første  afsnit\t med   luft \r\n\r\n\r\n\n Andet\u00a0afsnit  \n fortsat ")
    assert text == "Første afsnit med luft\n\nAndet afsnit\nfortsat"


def test_invisible_characters_and_dot_leaders_are_removed():
    assert normalize_text("behand\u00adling\u200b") == "behandling"
    assert normalize_text("Indledning ............ 3") == "Indledning … 3"


# -- plain text and encodings ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        DANISH.encode("utf-8"),
        codecs.BOM_UTF8 + DANISH.encode("utf-8"),
        DANISH.encode("utf-16"),  # with a byte order mark
        codecs.BOM_UTF16_BE + DANISH.encode("utf-16-be"),
        DANISH.encode("cp1252"),
    ],
    ids=["utf-8", "utf-8 BOM", "utf-16 BOM", "utf-16-be BOM", "cp1252"],
)
def test_text_is_decoded_whatever_its_encoding(data: bytes):
    assert decode_text(data) == DANISH


@pytest.mark.parametrize(
    "sentence",
    ["Pårørende på Østergade", "Sjukhuset i Göteborg och vårdcentralen", "Hjemmesykepleien i Tromsø"],
)
def test_short_legacy_scandinavian_text_is_read_as_windows_1252(sentence: str):
    assert decode_text(sentence.encode("cp1252")) == sentence


def test_binary_data_is_not_text():
    with pytest.raises(DocumentError, match="unreadable encoding: binary data"):
        decode_text(bytes(range(256)) * 4)


def test_text_file_is_titled_by_its_first_line():
    document = read_text("\n\nOm appen\n\nMed Kontakt Læge kan patienten booke tid.\n".encode())
    assert document.title == "Om appen"
    assert document.pages[0].number is None
    assert document.pages[0].text == "Om appen\n\nMed Kontakt Læge kan patienten booke tid."


# -- HTML --------------------------------------------------------------------------------------------

PAGE_CHROME = """<header><a href="/">Forside</a></header>
<nav>Menupunkt Affald</nav><div role="navigation">Brødkrumme</div><aside>Læs også</aside>
<form><button>Søg</button></form><script>var sporing = 1;</script><style>p { color: red }</style>"""


def test_html_main_content_is_kept_and_the_page_chrome_dropped():
    html = f"""<html><head><title>Videokonsultation</title></head><body>{PAGE_CHROME}
    <main><h1>Videokonsultation på plejehjem</h1><p>Lægen ser beboeren via video.</p>
    <table><tr><td>Kommune</td><td>Aalborg</td></tr></table></main>
    <footer>Cookiepolitik</footer></body></html>"""
    document = read_html(html.encode())
    assert document.title == "Videokonsultation"
    text = document.pages[0].text
    assert text == "Videokonsultation på plejehjem\n\nLægen ser beboeren via video.\n\nKommune Aalborg"


def test_html_without_main_drops_site_header_and_footer_but_keeps_article_headers():
    html = f"""<html><body>{PAGE_CHROME}<div><h1>Skærmbesøg</h1><p>Borgeren får besøg.</p>
    <section><header>Afsnittets overskrift</header><p>Mere tekst.</p></section></div>
    <footer>Cookiepolitik</footer></body></html>"""
    document = read_html(html.encode())
    text = document.pages[0].text
    assert document.title == "Skærmbesøg"  # no <title>: the first heading
    assert text == "Skærmbesøg\n\nBorgeren får besøg.\n\nAfsnittets overskrift\n\nMere tekst."


def test_html_danish_letters_survive_a_declared_legacy_encoding():
    html = '<html><head><meta charset="windows-1252"></head><body><p>Pårørende på Østergade</p></body></html>'
    assert read_html(html.encode("cp1252")).pages[0].text == "Pårørende på Østergade"


# -- Markdown ----------------------------------------------------------------------------------------

MARKDOWN = """# Overskrift med **fed** skrift

Et afsnit med *kursiv*, __understreget__, `kode` og et [link](https://eksempel.dk).

- punkt ét
- punkt to

> citat

| Kommune | Borgere |
|---|---:|
| Thisted | 120 |

~~overstreget~~
"""


def test_markdown_leaves_no_markup_and_keeps_table_text():
    document = read_markdown(MARKDOWN.encode())
    text = document.pages[0].text
    assert document.title == "Overskrift med fed skrift"
    for markup in ("#", "*", "__", "`", "[", "](", "https://", "|", "---", ">", "~~"):
        assert markup not in text, markup
    assert "Et afsnit med kursiv, understreget, kode og et link." in text
    for words in ("punkt ét", "citat", "Thisted", "120", "overstreget"):
        assert words in text


def test_markdown_shows_raw_html_as_text_rather_than_running_it():
    text = read_markdown(b"Skriv ikke <script>alert('x')</script> i journalen").pages[0].text
    assert text == "Skriv ikke <script>alert('x')</script> i journalen"


# -- DOCX --------------------------------------------------------------------------------------------


def test_docx_paragraphs_and_table_cells_are_read_in_order():
    document = read_docx(evaluation_docx())
    text = document.pages[0].text
    assert document.title == "Evaluering af digitale sundhedskompetencer"
    assert "Mål | Resultat\n\nSelvstændig måling | 18 af 24\n\nVideoopkald uden hjælp | 15 af 24" in text
    assert text.index("24 borgere med KOL") < text.index("Selvstændig måling") < text.index("Konklusionen")


def test_docx_without_a_title_property_is_titled_by_its_first_heading():
    document = docx.Document()
    document.add_paragraph("Indledende tekst før overskriften.")
    document.add_heading("Plan for skærmbesøg", level=1)
    buffer = io.BytesIO()
    document.save(buffer)
    assert read_docx(buffer.getvalue()).title == "Plan for skærmbesøg"


def test_damaged_docx_fails_with_a_reason():
    with pytest.raises(DocumentError, match="not a readable DOCX"):
        read_docx(b"PK\x03\x04 not a word document")


# -- PDF ---------------------------------------------------------------------------------------------


def test_pdf_pages_are_numbered_and_hold_their_own_words():
    document = read_pdf(project_pdf())
    assert [page.number for page in document.pages] == [1, 2, 3]
    for number, word in PAGE_WORDS.items():
        assert [p.number for p in document.pages if word in p.text.lower()] == [number]
    assert document.title == "Projektbeskrivelse: Sygehusindlæggelse i eget hjem"


def test_pdf_title_that_is_only_a_file_name_is_ignored():
    assert read_pdf(pdf_bytes([["Tekst om akutteamet."]], title="Microsoft Word - notat.docx")).title is None


def test_encrypted_pdf_opens_with_its_password_only():
    data = encrypted_pdf("Fortroligt bilag om batteritid.", "hemmelig")
    assert read_pdf(data, "hemmelig").pages[0].text == "Fortroligt bilag om batteritid."
    with pytest.raises(DocumentError, match="needs a password"):
        read_pdf(data)
    with pytest.raises(DocumentError, match="the password in the metadata does not open it"):
        read_pdf(data, "forkert")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (image_only_pdf(), "no text: needs OCR"),
        (project_pdf()[:300], "damaged PDF"),
        (b"<html>not a pdf</html>", "not a PDF file"),
    ],
    ids=["scan", "truncated", "not a pdf"],
)
def test_unusable_pdf_fails_with_a_reason(data: bytes, reason: str):
    with pytest.raises(DocumentError, match=reason):
        read_pdf(data)


# -- choosing a reader -------------------------------------------------------------------------------


def test_reader_is_chosen_by_suffix_case_insensitively():
    assert read_document(Path("NOTAT.MD"), b"# Notat\n\nTekst.").title == "Notat"


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("regneark.xlsx", b"PK\x03\x04", "unsupported format '.xlsx'"),
        ("tom.pdf", b"", "empty file"),
        ("blank.md", b"\n   \n", "no text found"),
    ],
)
def test_file_without_usable_text_fails_with_a_reason(name: str, data: bytes, reason: str):
    with pytest.raises(DocumentError, match=reason):
        read_document(Path(name), data)
