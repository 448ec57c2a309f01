"""An initiative's record, its original documents, and similar initiatives elsewhere."""

from __future__ import annotations

import mimetypes
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse

from search_api.dependencies import get_engine
from search_api.document_files import document_path, initiative_record
from search_api.engine import SearchEngine, document_url, summary_fields, view_url
from search_api.models import DocumentInfo, ErrorResponse, InitiativeDetail, SimilarResponse

router = APIRouter(prefix="/initiatives", tags=["initiatives"])
NOT_FOUND = {404: {"model": ErrorResponse}, 503: {"model": ErrorResponse}}


@router.get("/{initiative_id}", response_model=InitiativeDetail, responses=NOT_FOUND, summary="Et initiativ")
def initiative(initiative_id: str, engine: Annotated[SearchEngine, Depends(get_engine)]) -> InitiativeDetail:
    """All metadata of an initiative, and its documents with links to the originals."""
    record = initiative_record(engine, initiative_id)
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
            view_url=view_url(initiative_id, doc["file"]),
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
    path = document_path(engine, initiative_id, name)
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
    initiative_record(engine, initiative_id)
    return SimilarResponse(initiative_id=initiative_id, results=engine.similar(initiative_id, limit))
