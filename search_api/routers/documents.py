"""The document view: an initiative's document rendered as safe HTML, with the cited passage marked.

GET /initiatives/{id}/view/{name}?passage=<text>#passage shows Markdown, DOCX, HTML and text documents
under the initiative's header, with the passage (as a search result quoted it) in <mark id="passage">, so
the browser opens the page scrolled to it. The page has no scripts. PDFs and other formats are sent to the
original (PDF links carry #page=N).
"""

from __future__ import annotations

import html
import logging
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, RedirectResponse

from initiative_index.settings import Settings
from initiative_index.vocabulary import FIELD_BY_NAME
from search_api.access import Access, get_access
from search_api.dependencies import get_engine, get_settings
from search_api.document_files import checked_document_path
from search_api.document_render import render_document, renders
from search_api.engine import SearchEngine, document_url
from search_api.models import ErrorResponse
from search_api.passage_marking import PASSAGE_ID, mark_passage

router = APIRouter(prefix="/initiatives", tags=["initiatives"])
log = logging.getLogger("overblik.api")
MAX_PASSAGE_CHARS = 2000
# The view is sanitised HTML with the site's stylesheets and no scripts at all; it keeps this policy (the
# security headers middleware leaves a response's own policy alone). Images only from this origin.
VIEW_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
MONTHS = ("jan.", "feb.", "mar.", "apr.", "maj", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "dec.")


@router.get(
    "/{initiative_id}/view/{name:path}",
    response_model=None,
    # The page is HTML; errors are the API's usual JSON (so no HTML response_class for the whole route).
    responses={
        200: {"description": "The document view.", "content": {"text/html": {"schema": {"type": "string"}}}},
        307: {"description": "A PDF or other file: the original."},
        401: {"model": ErrorResponse},
        404: {"model": ErrorResponse},
        422: {"model": ErrorResponse},
    },
    summary="Et dokument vist i browseren",
)
def document_view(
    initiative_id: str,
    name: str,
    engine: Annotated[SearchEngine, Depends(get_engine)],
    settings: Annotated[Settings, Depends(get_settings)],
    access: Annotated[Access, Depends(get_access)],
    passage: Annotated[
        str | None,
        Query(max_length=MAX_PASSAGE_CHARS, description="Text of the cited passage, to mark and scroll to."),
    ] = None,
) -> HTMLResponse | RedirectResponse:
    """The document as HTML under the initiative's header, with the cited passage marked (no scripts)."""
    path = checked_document_path(engine, settings, access, initiative_id, name)
    root = "../" * (3 + name.count("/"))  # from /initiatives/{id}/view/{name} back to the page's root
    original = root + document_url(initiative_id, name).lstrip("/")
    if not renders(name):
        return RedirectResponse(original, status_code=307)
    record = engine.records[initiative_id]
    try:
        body = render_document(path)
    except Exception:  # a damaged file: say so, and offer the original
        log.warning("could not render %s", path, exc_info=True)
        body = None
    found = False
    if body is not None and passage:
        body, found = mark_passage(body, passage)
    page = view_page(record, name, body, root=root, original=original, passage=passage, found=found)
    return HTMLResponse(page, headers={"Content-Security-Policy": VIEW_CSP})


def view_page(
    record: dict, name: str, body: str | None, *, root: str, original: str, passage: str | None, found: bool
) -> str:
    """The whole page: the site's header, the initiative's header, notes on the passage, the document."""
    e = html.escape
    doc = next((d for d in record.get("documents", []) if d["file"] == name), {})
    doc_title = doc.get("title") or Path(name).name
    initiative_href = f"{root}?initiative={quote(record['id'])}"
    notes = []
    if passage and found:
        notes.append(
            f'<p class="document-note">Uddraget fra søgningen er markeret. '
            f'<a href="#{PASSAGE_ID}">Gå til uddraget</a></p>'
        )
    elif passage:
        notes.append('<p class="document-note">Uddraget fra søgningen kunne ikke findes i dokumentet.</p>')
    kind = Path(name).suffix.lstrip(".").upper()
    content = (
        f'<div class="document-body">{body}</div>'
        if body is not None
        else '<p class="state state-error" role="alert">Dokumentet kunne ikke vises. Hent originalen.</p>'
    )
    return f"""<!doctype html>
<html lang="da">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(doc_title)} – {e(record.get("title", ""))} – Overblik</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{root}static/components.css">
<link rel="stylesheet" href="{root}static/style.css">
</head>
<body class="document-page">
<a class="skip-link" href="#document">Gå til dokumentet</a>
<header class="site-header">
<div class="container header-inner">
<p class="brand"><a href="{root}">Overblik</a></p>
<p class="tagline">Sundhedsinitiativer på tværs af sektorer i Nordjylland</p>
</div>
</header>
<main id="main" class="container document-view">
<p class="back"><a href="{e(initiative_href)}"><span aria-hidden="true">← </span>Til initiativet</a></p>
<header class="document-header">
<p class="document-initiative"><a href="{e(initiative_href)}">{e(record.get("title", record["id"]))}</a></p>
<h1>{e(doc_title)}</h1>
{_meta_line(record)}
{_badges(record)}
<p class="document-actions"><a href="{e(original)}" download>Hent originalen ({e(kind)})</a></p>
{"".join(notes)}
</header>
<article id="document" class="document" aria-label="{e(doc_title)}" tabindex="-1">
{content}
</article>
</main>
</body>
</html>
"""


def _meta_line(record: dict) -> str:
    parts = []
    if record.get("organisations"):
        parts.append(f'<span class="orgs">{html.escape(", ".join(record["organisations"]))}</span>')
    period = _period(record.get("start_date"), record.get("end_date"))
    if period:
        parts.append(f'<span class="period"><span class="visually-hidden">Periode: </span>{period}</span>')
    separator = '<span class="sep" aria-hidden="true"> · </span>'
    return f'<p class="meta">{separator.join(parts)}</p>' if parts else ""


def _badges(record: dict) -> str:
    items = [f'<li class="badge badge-sector">{html.escape(FIELD_BY_NAME["sector"].label(s))}</li>'
             for s in record.get("sectors", [])]  # fmt: skip
    if record.get("status"):
        label = html.escape(FIELD_BY_NAME["status"].label(record["status"]))
        items.append(
            f'<li class="badge badge-status"><span class="visually-hidden">Status: </span>{label}</li>'
        )
    if record.get("effect"):
        effect = record["effect"]
        kind = {"dokumenteret": "documented", "delvis": "partial"}.get(effect, "none")
        label = html.escape(FIELD_BY_NAME["effect"].label(effect))
        items.append(f'<li class="badge badge-effect badge-effect-{kind}">{label}</li>')
    return f'<ul class="badges" aria-label="Kendetegn">{"".join(items)}</ul>' if items else ""


def _period(start: str | None, end: str | None) -> str:
    if start and end:
        return f"{_date(start)} – {_date(end)}"
    if start:
        return f"Fra {_date(start)}"
    return f"Til {_date(end)}" if end else ""


def _date(iso: str) -> str:
    """'2021-09-01' as '1. sep. 2021', as the page writes dates."""
    try:
        year, month, day = (int(part) for part in str(iso)[:10].split("-"))
        return f"{day}. {MONTHS[month - 1]} {year}"
    except (ValueError, IndexError):
        return html.escape(str(iso))
