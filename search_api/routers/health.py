"""Liveness, readiness and index statistics."""

from __future__ import annotations

from typing import Annotated

import numpy as np
from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from search_api.access import Access, get_access
from search_api.dependencies import get_engine, get_holder
from search_api.engine import SearchEngine
from search_api.holder import EngineHolder
from search_api.models import ErrorResponse, Stats

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Kører processen?")
def healthz() -> dict:
    """The process is alive (says nothing about the index)."""
    return {"status": "ok"}


@router.get("/readyz", summary="Kan der søges?", responses={503: {"model": ErrorResponse}})
def readyz(holder: Annotated[EngineHolder, Depends(get_holder)]) -> JSONResponse:
    """200 once the index and model are loaded (and, in server mode, Chroma answers); 503 with a reason."""
    problem = holder.problem or holder.check_store()
    if problem:
        return JSONResponse(status_code=503, content={"status": "not ready", "detail": problem})
    return JSONResponse({"status": "ready", "index_version": holder.engine.snapshot.version})


@router.get(
    "/stats",
    response_model=Stats,
    responses={401: {"model": ErrorResponse}, 503: {"model": ErrorResponse}},
    summary="Om indekset",
)
def stats(
    engine: Annotated[SearchEngine, Depends(get_engine)], access: Annotated[Access, Depends(get_access)]
) -> Stats:
    """Counts and provenance of the loaded index (without an API key: of its public initiatives)."""
    snapshot = engine.snapshot
    manifest = snapshot.manifest
    if access.internal or not engine.any_internal:
        initiatives, documents, chunks = len(snapshot.records), snapshot.document_count, snapshot.chunk_count
    else:  # count only what this request may see
        shown = np.fromiter((access.visible(engine.records[i]) for i in snapshot.initiative_ids), dtype=bool)
        rows = snapshot.live_rows()
        rows = rows[shown[snapshot.chunk_initiative[rows]]]
        metadatas = [snapshot.metadatas[row] for row in rows.tolist()]
        sources = {meta["source"] for meta in metadatas if meta.get("kind") == "document"}
        initiatives, documents, chunks = int(shown.sum()), len(sources), len(rows)
    return Stats(
        initiatives=initiatives,
        documents=documents,
        chunks=chunks,
        embedding_model=manifest.embedding_model,
        embedding_engines=manifest.engines(),
        embedding_dimension=manifest.embedding_dimension,
        language=manifest.language,
        index_version=manifest.index_version,
        last_ingested_at=manifest.ingested_at.isoformat() if manifest.ingested_at else None,
        store="server" if engine.settings.server_mode else "embedded",
        search_settings=engine.settings.model_dump(
            include={
                "fusion",
                "lexical_weight",
                "rrf_k",
                "candidates",
                "semantic_threshold",
                "semantic_margin",
            }
        ),
    )
