"""The index manifest: which model, chunking and language built the index, and its current version.

It lives in the Chroma collection's own metadata, so an API process next to a Chroma server reads the same
manifest as the ingestion that wrote it.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from pydantic import BaseModel

from initiative_index.errors import IndexMismatchError
from initiative_index.settings import Settings

MANIFEST_KEY = "overblik_manifest"
MANIFEST_SCHEMA = 1


class Manifest(BaseModel):
    """What an index is made of; `index_version` changes whenever an ingestion changes the index."""

    schema_version: int = MANIFEST_SCHEMA
    embedding_model: str
    embedding_dimension: int
    document_prompt: str
    chunk_size: int
    chunk_overlap: int
    language: str
    index_version: str
    ingested_at: datetime | None = None
    # True while an ingestion is writing: a crashed run leaves it set, so the next run bumps the version.
    dirty: bool = False

    def check_model(self, model: str, dimension: int | None, document_prompt: str | None) -> None:
        """Fail with advice when the configured model is not the one that built the index."""
        problems = []
        if model != self.embedding_model:
            problems.append(f"model {self.embedding_model!r} (configured: {model!r})")
        if dimension is not None and dimension != self.embedding_dimension:
            problems.append(f"dimension {self.embedding_dimension} (configured model: {dimension})")
        if document_prompt is not None and document_prompt != self.document_prompt:
            problems.append(f"document prompt {self.document_prompt!r} (configured: {document_prompt!r})")
        if problems:
            raise IndexMismatchError(
                "The index was built with "
                + ", ".join(problems)
                + ". Either set OVERBLIK_EMBEDDING_BACKEND / "
                "OVERBLIK_EMBEDDING_MODEL / OVERBLIK_DOCUMENT_PROMPT to what built it, or rebuild the index "
                "with the new model: `overblik ingest --rebuild PATH...`."
            )


def new_index_version() -> str:
    """A fresh, sortable version id: UTC time plus randomness so two runs never collide."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ") + "-" + secrets.token_hex(3)


def manifest_for(settings: Settings, model: str, dimension: int, document_prompt: str) -> Manifest:
    """A manifest for a new, empty index built with these settings."""
    return Manifest(
        embedding_model=model,
        embedding_dimension=dimension,
        document_prompt=document_prompt,
        chunk_size=settings.chunk_size,
        chunk_overlap=settings.chunk_overlap,
        language=settings.language,
        index_version=new_index_version(),
    )
