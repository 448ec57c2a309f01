"""An initiative's record, its original documents, and similar initiatives elsewhere."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import FileResponse

from search_api.dependencies import get_engine
from search_api.engine import SearchEngine, document_url, summary_fields
from search_api.models import DocumentInfo, ErrorResponse, InitiativeDetail, SimilarResponse

router = APIRouter(prefix="/initiatives", tags=["initiatives"])
NOT_FOUND = {404: {"model": ErrorResponse}, 503: {"model": ErrorResponse}}


def _record(engine: SearchEngine, initiative_id: str) -> dict:
    record = engine.records.get(initiative_id)
    if record is None:
        raise HTTPException(404, detail=f"Initiativet '{initiative_id}' findes ikke.")
    return record


@router.get("/{initiative_id}", response_model=InitiativeDetail, responses=NOT_FOUND, summary="Et initiativ")
def initiative(initiative_id: str, engine: Annotated[SearchEngine, Depends(get_engine)]) -> InitiativeDetail:
    """All metadata of an initiative, and its documents with links to the originals."""
    record = _record(engine, initiative_id)
    chunk_counts: dict[str, int] = {}
    position = engine.snapshot.initiative_position[initiative_id]
    for row in engine.snapshot.live_rows_of(position):
        name = engine.snapshot.metadatas[row]["doc_name"]
        chunk_counts[name] = chunk_counts.get(name, 0) + 1
    documents = [
        DocumentInfo(
            file=doc["file"],
            title=doc.get("title"),
            kind=doc.get("kind"),
            url=document_url(initiative_id, doc["file"]),
            chunks=chunk_counts.get(doc["file"], 0),
        )
        for doc in record.get("documents", [])
    ]
    return InitiativeDetail(
        **summary_fields(record),
        contact=record.get("contact"),
        documents=documents,
        similar_url=f"/initiatives/{quote(initiative_id)}/similar",
    )


@router.get(
    "/{initiative_id}/documents/{name:path}",
    response_class=FileResponse,
    responses={404: {"model": ErrorResponse}},
    summary="Et originalt dokument",
)
def document(
    initiative_id: str, name: str, engine: Annotated[SearchEngine, Depends(get_engine)]
) -> FileResponse:
    """The original file. Only documents the index lists for the initiative are served, from its folder."""
    record = _record(engine, initiative_id)
    missing = HTTPException(404, detail=f"Dokumentet '{name}' findes ikke for dette initiativ.")
    if name not in {doc["file"] for doc in record.get("documents", [])}:
        raise missing
    base = Path(engine.snapshot.base_dirs.get(initiative_id, "")).resolve()
    path = (base / name).resolve()
    if not base.is_dir() or not path.is_relative_to(base) or not path.is_file():
        raise missing
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if media_type.startswith("text/"):
        media_type += "; charset=utf-8"
    return FileResponse(path, media_type=media_type, content_disposition_type="inline", filename=path.name)


@router.get(
    "/{initiative_id}/similar", response_model=SimilarResponse, responses=NOT_FOUND, summary="Lignende"
)
def similar(
    initiative_id: str,
    engine: Annotated[SearchEngine, Depends(get_engine)],
    limit: Annotated[int, Query(ge=1, le=50)] = 5,
) -> SimilarResponse:
    """The initiatives most similar in content, each marked if it is in another sector or organisation."""
    _record(engine, initiative_id)
    return SimilarResponse(initiative_id=initiative_id, results=engine.similar(initiative_id, limit))
