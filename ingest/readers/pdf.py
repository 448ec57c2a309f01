"""PDF: pypdf, page by page, with the empty password and the metadata's password for encrypted files."""

from __future__ import annotations

import io
import logging
import re

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError, PyPdfError

from ingest.errors import DocumentError
from ingest.normalize import normalize_text
from ingest.readers.types import ExtractedDocument, Page

# pypdf logs every repaired xref at WARNING; the outcome is reported per document instead.
logging.getLogger("pypdf").setLevel(logging.ERROR)

# A text layer holds at least one word; scans without OCR have none (or stray marks).
_WORD = re.compile(r"\w{2,}")
# Producers write file names or placeholders into /Title; such a title says nothing.
_NO_TITLE = re.compile(r"^(untitled|microsoft word|document\d*$)|\.(pdf|docx?|txt|rtf|odt|indd|tex)$", re.I)


def read_pdf(data: bytes, password: str | None = None) -> ExtractedDocument:
    """Pages of a PDF; encrypted files are opened with '' and then `password`."""
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise DocumentError("not a PDF file (no %PDF header)")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            _decrypt(reader, password)
        page_count = len(reader.pages)
    except DocumentError:
        raise
    except DependencyError as exc:
        raise DocumentError(f"unsupported PDF feature: {exc}") from exc
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, RecursionError, OSError) as exc:
        raise DocumentError(f"damaged PDF, cannot be opened: {exc}") from exc

    pages: list[Page] = []
    notes: list[str] = []
    for number in range(1, page_count + 1):
        try:
            text = reader.pages[number - 1].extract_text() or ""
        except Exception as exc:  # pypdf raises many kinds on broken content streams; skip the page only
            notes.append(f"page {number} could not be read: {type(exc).__name__}")
            continue
        pages.append(Page(number, normalize_text(text)))

    if not any(_WORD.search(page.text) for page in pages):
        if notes and len(notes) == page_count:
            raise DocumentError("damaged PDF: no page could be read")
        raise DocumentError("no text: needs OCR (the PDF has no text layer)")
    return ExtractedDocument(pages=pages, title=_title(reader), notes=notes)


def _decrypt(reader: PdfReader, password: str | None) -> None:
    for candidate in ("", password):
        if candidate is None:
            continue
        try:
            if reader.decrypt(candidate):
                return
        except FileNotDecryptedError:
            continue
        except DependencyError as exc:
            raise DocumentError(f"encrypted PDF needs a missing library: {exc}") from exc
    if password:
        raise DocumentError("encrypted PDF: the password in the metadata does not open it")
    raise DocumentError(
        "encrypted PDF: needs a password (add `password:` to the document in initiative.yaml)"
    )


def _title(reader: PdfReader) -> str | None:
    try:
        title = reader.metadata.title if reader.metadata else None
    except Exception:  # unreadable metadata must not cost the document
        return None
    title = normalize_text(str(title)) if title else ""
    return title if len(title) >= 3 and not _NO_TITLE.search(title) else None
