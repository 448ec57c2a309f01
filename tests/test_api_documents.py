"""The document view: documents rendered as safe HTML with the cited passage marked, over HTTP and on disk."""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import urlsplit

import docx
import httpx
import pytest
from bs4 import BeautifulSoup
from fixture_corpus import PAGE_WORDS

from search_api.document_render import render_document
from search_api.passage_marking import mark_passage

UNSAFE_TAGS = {"script", "style", "img", "iframe", "svg", "object", "embed", "form", "link", "meta"}


def unsafe_parts(markup: str) -> list[str]:
    """Elements and attributes of `markup` that could run code or load something (text does not count)."""
    found = []
    for element in BeautifulSoup(markup, "html.parser").find_all(True):
        if element.name in UNSAFE_TAGS:
            found.append(element.name)
        for name, value in element.attrs.items():
            if name.startswith("on") or name == "style" or "javascript:" in str(value).lower():
                found.append(f"{element.name}[{name}]")
    return found


def test_markdown_is_rendered_without_its_script(tmp_path: Path) -> None:
    path = tmp_path / "notat.md"
    path.write_text(
        "# Notat\n\nTekst med **fed** skrift.\n\n<script>alert(1)</script>\n\n"
        '<img src=x onerror="alert(2)">\n\n[link](javascript:alert(3)) og [web](https://rn.dk)\n\n'
        "| Mål | Resultat |\n|---|---|\n| Selvstændig måling | 18 af 24 |\n",
        encoding="utf-8",
    )
    rendered = render_document(path)
    assert unsafe_parts(rendered) == []
    assert "<h2>Notat</h2>" in rendered  # the view's own h1 names the document
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered  # shown as text, as Markdown without HTML
    assert "<strong>fed</strong>" in rendered
    assert "<td>Selvstændig måling</td>" in rendered
    assert 'href="https://rn.dk"' in rendered


def test_docx_is_rendered_as_headings_paragraphs_and_tables(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("Evaluering", level=1)
    document.add_paragraph("Forløbet omfattede 24 borgere med KOL.")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Selvstændig måling", "18 af 24"
    out = io.BytesIO()
    document.save(out)
    path = tmp_path / "evaluering.docx"
    path.write_bytes(out.getvalue())
    rendered = render_document(path)
    assert "<h2>Evaluering</h2>" in rendered
    assert "<p>Forløbet omfattede 24 borgere med KOL.</p>" in rendered
    assert re.search(r"<td>(<p>)?Selvstændig måling", rendered)
    assert unsafe_parts(rendered) == []


def test_html_keeps_its_text_and_loses_scripts_handlers_and_styles(tmp_path: Path) -> None:
    path = tmp_path / "side.html"
    path.write_text(
        "<html><head><title>Titel</title><style>p{color:red}</style><script>var x=1</script></head><body>"
        '<p onclick="steal()">Borgere måler <b>iltmætning</b>.</p><img src=x onerror="alert(1)">'
        '<a href="javascript:alert(1)">klik</a><svg onload="alert(1)"><text>svg</text></svg>'
        '<iframe src="https://evil.example"></iframe></body></html>',
        encoding="utf-8",
    )
    rendered = render_document(path)
    assert unsafe_parts(rendered) == []
    assert "var x" not in rendered and "color:red" not in rendered and "Titel" not in rendered
    assert "Borgere måler <b>iltmætning</b>." in rendered


def test_a_changed_file_is_rendered_again(tmp_path: Path) -> None:
    path = tmp_path / "notat.md"
    path.write_text("Første udgave", encoding="utf-8")
    assert "Første" in render_document(path)
    path.write_text("Anden udgave, længere", encoding="utf-8")
    assert "Anden" in render_document(path)


@pytest.mark.parametrize(
    ("passage", "marked"),
    [
        ("Borgere med KOL lærer", ["Borgere med ", "KOL", " lærer"]),  # across inline markup
        ("412 · Ad hoc-videokontakter", ["412", "Ad hoc-videokontakter"]),  # a flattened table row
        ("projektet\n\nBorgere  med", ["projektet", "Borgere med"]),  # other whitespace, across blocks
    ],
)
def test_a_passage_is_found_despite_markup_and_whitespace(passage: str, marked: list[str]) -> None:
    markup = (
        "<h2>Om &amp; projektet</h2><p>Borgere med <strong>KOL</strong> lærer at bruge tablet.</p>"
        "<table><tr><td>412</td><td>Ad hoc-videokontakter</td></tr></table>"
    )
    result, found = mark_passage(markup, passage)
    assert found
    assert re.findall(r"<mark[^>]*>(.*?)</mark>", result) == marked
    assert result.count('id="passage"') == 1
    assert re.sub(r"</?mark[^>]*>", "", result) == markup  # nothing else changed


def test_a_passage_differing_in_a_word_is_still_marked_and_an_absent_one_is_not() -> None:
    text = " ".join(f"ord{i}" for i in range(60))
    markup = f"<p>{text}</p>"
    changed = text.replace("ord30", "andet")
    result, found = mark_passage(markup, changed)
    assert found and "ord0" in re.search(r"<mark[^>]*>(.*?)</mark>", result).group(1)
    assert mark_passage(markup, "et helt andet uddrag, der ikke står i teksten")[1] is False


def test_search_passages_link_to_the_document_view_marking_them(api: httpx.Client) -> None:
    hit = api.get("/search", params={"q": "videokonsultation plejehjem", "mode": "lexical"}).json()[
        "results"
    ][0]
    passage = hit["passages"][0]
    assert passage["document"] == "beskrivelse.md"
    assert passage["url"] == "/initiatives/video-plejehjem-aalborg/documents/beskrivelse.md"
    assert passage["view_url"].startswith("/initiatives/video-plejehjem-aalborg/view/beskrivelse.md?passage=")
    assert passage["view_url"].endswith("#passage")
    page = api.get(passage["view_url"].split("#")[0])
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    body = page.text
    assert '<mark id="passage"' in body
    assert "Uddraget fra søgningen er markeret" in body
    assert unsafe_parts(body.split("<body", 1)[1]) == []
    assert "&lt;script&gt;" in body  # the Markdown's script is shown as text
    assert "Videokonsultationer mellem plejehjem og almen praksis" in body  # the initiative's header
    assert 'href="../../../?initiative=video-plejehjem-aalborg"' in body
    assert 'href="../../../static/style.css"' in body


def test_docx_and_html_documents_open_rendered(api: httpx.Client) -> None:
    record = api.get("/initiatives/kol-digitale-kompetencer").json()
    views = {doc["file"]: doc["view_url"] for doc in record["documents"]}
    assert views == {
        "evaluering.docx": "/initiatives/kol-digitale-kompetencer/view/evaluering.docx",
        "side.html": "/initiatives/kol-digitale-kompetencer/view/side.html",
    }
    docx_page = api.get(views["evaluering.docx"], params={"passage": "Selvstændig måling 18 af 24"})
    assert docx_page.status_code == 200
    assert re.search(r'<mark id="passage"[^>]*>Selvstændig måling</mark>', docx_page.text)
    assert "Hent originalen (DOCX)" in docx_page.text
    html_page = api.get(views["side.html"]).text
    assert "sporingskode" not in html_page and unsafe_parts(html_page.split("<body", 1)[1]) == []
    assert "iltmætning" in html_page
    assert "markeret" not in html_page  # no passage asked for, none marked


def test_a_passage_not_in_the_document_is_said_so(api: httpx.Client) -> None:
    page = api.get(
        "/initiatives/video-plejehjem-aalborg/view/beskrivelse.md", params={"passage": "helt andre ord her"}
    )
    assert page.status_code == 200
    assert "kunne ikke findes i dokumentet" in page.text and "<mark" not in page.text


def test_a_pdf_has_no_view_and_goes_to_the_original(api: httpx.Client) -> None:
    response = api.get(
        "/initiatives/hjemmeindlaeggelse-thisted/view/projektbeskrivelse.pdf", follow_redirects=False
    )
    assert response.status_code == 307
    target = urlsplit(response.headers["location"]).path
    assert target.endswith("/initiatives/hjemmeindlaeggelse-thisted/documents/projektbeskrivelse.pdf")
    hit = api.get("/search", params={"q": PAGE_WORDS[2], "mode": "lexical"}).json()["results"][0]
    pdf_passages = [p for p in hit["passages"] if p["document"].endswith(".pdf")]
    assert pdf_passages and all(p["view_url"] is None for p in pdf_passages)


@pytest.mark.parametrize(
    "path",
    [
        "/initiatives/findes-ikke/view/notat.md",
        "/initiatives/video-plejehjem-aalborg/view/ukendt.md",
        "/initiatives/video-plejehjem-aalborg/view/..%2F..%2Fetc%2Fpasswd",
        "/initiatives/video-plejehjem-aalborg/view/../kol-digitale-kompetencer/side.html",
    ],
)
def test_only_the_initiatives_own_documents_are_shown(api: httpx.Client, path: str) -> None:
    response = api.get(path)
    assert response.status_code == 404
    assert "findes ikke" in response.json()["detail"]


def test_a_result_names_its_contact(api: httpx.Client) -> None:
    hit = api.get("/search", params={"q": "videokonsultation plejehjem", "mode": "lexical"}).json()[
        "results"
    ][0]
    assert hit["contact_name"] == "Lene Holm"


def _first_hit(api: httpx.Client, query: str) -> dict:
    return api.get("/search", params={"q": query, "mode": "lexical"}).json()["results"][0]


@pytest.mark.parametrize("query", ["plejehjem", "borgere", "video læge", "demens"])
def test_no_result_quotes_the_same_text_twice(api: httpx.Client, query: str) -> None:
    results = api.get("/search", params={"q": query, "limit": 50}).json()["results"]
    assert results
    for hit in results:
        texts = [" ".join(re.sub(r"</?mark>|…", "", p["snippet"]).split()) for p in hit["passages"]]
        for i, text in enumerate(texts):
            assert not any(text in other for j, other in enumerate(texts) if j != i), hit["id"]
