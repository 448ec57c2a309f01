"""What ingestion writes per initiative: its record, its metadata card, and the metadata of its chunks."""

from __future__ import annotations

import hashlib
from typing import Any

from ingest.discovery import InitiativeSource
from initiative_index.filters import filter_metadata
from initiative_index.schema import Cluster, Visibility
from initiative_index.store import record_to_metadata

NO_METADATA_SUMMARY = "Dokumentet har ingen metadatafil og er indlæst som sit eget initiativ."
CARD_SUFFIX = "#initiative"


def initiative_record(source: InitiativeSource, extracted_title: str | None = None) -> dict[str, Any]:
    """The record the index stores and the API shows; documents are those found on disk."""
    documents = [
        {k: v for k, v in {"file": source.document_name(doc), "title": doc.ref.title if doc.ref else None,
                           "kind": doc.ref.kind if doc.ref else None}.items() if v}
        for doc in source.documents
    ]  # fmt: skip
    if source.initiative is None:
        document = source.documents[0]
        return {
            "id": source.id,
            "title": extracted_title or document.path.stem,
            "summary": NO_METADATA_SUMMARY,
            "organisations": [],
            "sectors": [],
            "cluster": Cluster.INGEN.value,
            "target_groups": [],
            "tags": [],
            "documents": documents,
            "has_metadata": False,
            "visibility": Visibility.OFFENTLIG.value,
        }
    record = source.initiative.public_record()
    record["documents"] = documents
    record["has_metadata"] = True
    return record


def record_hash(record: dict[str, Any]) -> str:
    return _digest(record_to_metadata(record).encode())


def chunk_metadata(
    record: dict[str, Any],
    *,
    source: str,
    kind: str,
    doc_name: str,
    doc_title: str,
    doc_hash: str,
    rec_hash: str,
    doc_chunks: int,
    position: int,
    page_start: int | None,
    page_end: int | None,
    page_breaks: tuple[int, ...] | list[int] = (),
) -> dict[str, Any]:
    """Metadata of one chunk: where it comes from, and the initiative fields filters read."""
    return {
        "initiative_id": record["id"],
        "title": record["title"],
        "kind": kind,
        "source": source,
        "doc_name": doc_name,
        "doc_title": doc_title,
        "doc_hash": doc_hash,
        "record_hash": rec_hash,
        "doc_chunks": doc_chunks,
        "position": position,
        "page_start": page_start or 0,
        "page_end": page_end or 0,
        **({"page_breaks": list(page_breaks)} if page_breaks else {}),  # Chroma refuses empty lists
        **filter_metadata(record),
    }


def chunk_id(source: str, doc_hash: str, position: int) -> str:
    """Deterministic, so a rerun after a crash writes the same ids instead of duplicates."""
    return f"{_digest(source.encode())[:16]}-{doc_hash[:12]}-{position:05d}"


def content_hash(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\x00")
    return digest.hexdigest()


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
