"""DOCX: paragraphs and tables in document order (python-docx)."""

from __future__ import annotations

import io
import zipfile

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table

from ingest.errors import DocumentError
from ingest.normalize import normalize_text
from ingest.readers.types import ExtractedDocument, Page


def read_docx(data: bytes, password: str | None = None) -> ExtractedDocument:
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DocumentError(f"not a readable DOCX file (damaged, or not Word 2007+): {exc}") from exc
    blocks: list[str] = []
    heading: str | None = None
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            for row in item.rows:
                cells = list(dict.fromkeys(cell.text.strip() for cell in row.cells))  # merged cells repeat
                blocks.append(" | ".join(c for c in cells if c))
        else:
            text = item.text.strip()
            if text and heading is None and (item.style.name or "").lower().startswith(("title", "heading")):
                heading = text
            blocks.append(text)
    title = (document.core_properties.title or "").strip() or heading
    text = normalize_text("\n\n".join(block for block in blocks if block))
    return ExtractedDocument(pages=[Page(None, text)], title=title or None)
