"""Where an initiative's original document is on disk, and how it may be sent to a browser.

The index says which files belong to an initiative and in which folder (its card's `base_dir`), but the
index is data, not configuration: anyone who can write to the Chroma store could point `base_dir` at `/`.
So a path is served only if it resolves (symlinks followed) inside one of the document roots fixed in the
settings at serve time, besides being listed for the initiative.

A document comes from the API's own origin, where the search page lives: a file a browser would execute
(HTML, SVG, XML, scripts, anything unknown) must never run there. Every document gets
`Content-Security-Policy: sandbox` (a unique origin, no scripts) and `nosniff`; executable types are also
sent as attachments, so they are downloaded, not opened.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from fastapi import HTTPException

from initiative_index.settings import Settings
from search_api.access import Access
from search_api.engine import SearchEngine

# Shown inline: a browser displays these without running anything of theirs in the page's origin.
INLINE_TYPES = frozenset(
    {
        "application/pdf",
        "text/plain",
        "text/markdown",
        "text/csv",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
    }
)
# Typed as plain text so a browser shows the source instead of guessing (or rendering) it.
AS_PLAIN_TEXT = frozenset({"text/markdown", "text/csv", "text/x-markdown"})
DOCUMENT_CSP = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'"


def document_path(
    roots: list[Path], base_dir: str, name: str, listed: set[str] | frozenset[str]
) -> Path | None:
    """The file to serve for document `name` of an initiative stored from `base_dir`, or None (a 404).

    None unless `name` is one of the initiative's `listed` documents, the file exists, and its resolved
    path lies inside the initiative's folder and inside one of the document `roots`."""
    if name not in listed or not base_dir:
        return None
    trusted = [root.resolve() for root in roots if root.is_dir()]
    base = Path(base_dir).resolve()
    path = (base / name).resolve()
    if not base.is_dir() or not path.is_relative_to(base) or not path.is_file():
        return None
    if not any(path.is_relative_to(root) for root in trusted):
        return None
    return path


def document_headers(path: Path) -> tuple[str, str, dict[str, str]]:
    """(media type, content disposition type, extra headers) for sending `path` to a browser."""
    guessed = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if path.suffix.lower() in (".md", ".markdown"):
        guessed = "text/markdown"
    inline = guessed in INLINE_TYPES
    media_type = "text/plain" if guessed in AS_PLAIN_TEXT else guessed
    if not inline:
        # Never hand a browser HTML, SVG, XML or script from this origin to render: download it instead.
        media_type = "application/octet-stream"
    if media_type.startswith("text/"):
        media_type += "; charset=utf-8"
    headers = {"Content-Security-Policy": DOCUMENT_CSP, "X-Content-Type-Options": "nosniff"}
    return media_type, "inline" if inline else "attachment", headers


def initiative_record(engine: SearchEngine, initiative_id: str, access: Access) -> dict:
    """The initiative's record, or a Danish 404 (also for an internal initiative asked for without a key:
    its existence is not told either)."""
    record = engine.records.get(initiative_id)
    if record is None or not access.visible(record):
        raise HTTPException(404, detail=f"Initiativet '{initiative_id}' findes ikke.")
    return record


def checked_document_path(
    engine: SearchEngine, settings: Settings, access: Access, initiative_id: str, name: str
) -> Path:
    """The path of document `name` of an initiative this request may see, or a Danish 404: the one check
    both the original download and the rendered document view go through."""
    record = initiative_record(engine, initiative_id, access)
    listed = {doc["file"] for doc in record.get("documents", [])}
    base_dir = engine.snapshot.base_dirs.get(initiative_id, "")
    path = document_path(settings.document_roots, base_dir, name, listed)
    if path is None:
        raise HTTPException(404, detail=f"Dokumentet '{name}' findes ikke for dette initiativ.")
    return path
