"""An initiative's record, its original documents, and similar initiatives elsewhere."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse

from initiative_index.settings import Settings
from search_api.access import Access, get_access
from search_api.dependencies import get_engine, get_settings
from search_api.document_files import checked_document_path, document_headers, initiative_record
from search_api.engine import SearchEngine, document_url, summary_fields, view_url
from search_api.models import DocumentInfo, ErrorResponse, InitiativeDetail, SimilarResponse

router = APIRouter(prefix="/initiatives", tags=["initiatives"])
NOT_FOUND = {
    401: {"model": ErrorResponse},
    404: {"model": ErrorResponse},
    422: {"model": ErrorResponse},
    503: {"model": ErrorResponse},
}


@router.get("/{initiative_id}", response_model=InitiativeDetail, responses=NOT_FOUND, summary="Et initiativ")
def initiative(
    initiative_id: str,
    engine: Annotated[SearchEngine, Depends(get_engine)],
    access: Annotated[Access, Depends(get_access)],
) -> InitiativeDetail:
    """All metadata of an initiative, and its documents with links to the originals."""
    record = initiative_record(engine, initiative_id, access)
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
    responses=NOT_FOUND,
    summary="Et originalt dokument",
)
def document(
    initiative_id: str,
    name: str,
    engine: Annotated[SearchEngine, Depends(get_engine)],
    settings: Annotated[Settings, Depends(get_settings)],
    access: Annotated[Access, Depends(get_access)],
) -> FileResponse:
    """The original file, if the index lists it for the initiative and it lies inside a document root.
    Sandboxed (it can run no script in this origin); HTML, SVG and other types a browser would execute
    are sent as downloads."""
    path = checked_document_path(engine, settings, access, initiative_id, name)
    media_type, disposition, headers = document_headers(path)
    return FileResponse(
        path, media_type=media_type, content_disposition_type=disposition, filename=path.name, headers=headers
    )


@router.get(
    "/{initiative_id}/similar", response_model=SimilarResponse, responses=NOT_FOUND, summary="Lignende"
)
def similar(
    initiative_id: str,
    engine: Annotated[SearchEngine, Depends(get_engine)],
    access: Annotated[Access, Depends(get_access)],
    limit: Annotated[int, Query(ge=1, le=50)] = 5,
) -> SimilarResponse:
    """The initiatives most similar in content, each marked if it is in another sector or organisation."""
    initiative_record(engine, initiative_id, access)
    results = engine.similar(initiative_id, limit, access.visible)
    return SimilarResponse(initiative_id=initiative_id, results=results)
