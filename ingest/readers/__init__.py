"""Readers turn one file into pages of text and, where the file says so, a title.

Each reader raises `DocumentError` with a reason an operator can act on; it never lets a library's own
exception escape, so one bad file cannot stop a run.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ingest.errors import DocumentError
from ingest.readers.docx import read_docx
from ingest.readers.html import read_html
from ingest.readers.markdown import read_markdown
from ingest.readers.pdf import read_pdf
from ingest.readers.text import read_text
from ingest.readers.types import ExtractedDocument, Page

__all__ = ["READERS", "ExtractedDocument", "Page", "read_document"]

Reader = Callable[[bytes, str | None], ExtractedDocument]

READERS: dict[str, Reader] = {
    ".pdf": read_pdf,
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".txt": read_text,
    ".text": read_text,
    ".html": read_html,
    ".htm": read_html,
    ".docx": read_docx,
}


def read_document(path: Path, data: bytes, password: str | None = None) -> ExtractedDocument:
    """Extract `data` (the bytes of `path`) with the reader its suffix names."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise DocumentError(f"unsupported format {path.suffix or '(no suffix)'!r}")
    if not data:
        raise DocumentError("empty file (0 bytes)")
    document = reader(data, password)
    if not any(page.text.strip() for page in document.pages):
        raise DocumentError("no text found in the document")
    return document
