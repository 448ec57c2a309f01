"""Plain text, in whatever encoding it came: UTF-8 (with or without BOM), UTF-16 with BOM, or detected."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from ingest.errors import DocumentError
from ingest.normalize import normalize_text
from ingest.readers.types import ExtractedDocument, Page

LEGACY_ENCODING = "cp1252"
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def decode_text(data: bytes) -> str:
    """Bytes to str, refusing binary data and text whose encoding cannot be told."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise DocumentError(f"unreadable encoding: starts with a {encoding} mark but is not") from exc
    if b"\x00" in data:
        raise DocumentError("unreadable encoding: binary data, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    matches = from_bytes(data)
    best = matches.best()
    if best is None or best.chaos > 0.2:
        raise DocumentError("unreadable encoding: not UTF-8 and no other encoding fits")
    # Legacy Scandinavian and English text is Windows-1252. A short text often fits several code pages
    # equally well, and the detector's tie-break would read "på" as "pĺ" (Windows-1250): prefer 1252.
    legacy = next((match for match in matches if match.encoding == LEGACY_ENCODING), None)
    return str(legacy if legacy is not None and legacy.chaos <= best.chaos else best)


def read_text(data: bytes, password: str | None = None) -> ExtractedDocument:
    text = normalize_text(decode_text(data))
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return ExtractedDocument(pages=[Page(None, text)], title=first_line[:150] or None)
