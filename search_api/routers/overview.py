"""GET /overview (the landscape of a filtered or searched set) and GET /export.csv (its initiatives)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from initiative_index.filters import SearchFilters
from search_api.dependencies import get_engine, get_overview_engine
from search_api.engine import SearchEngine
from search_api.export import initiatives_csv
from search_api.models import OverviewResponse, SearchMode, SearchRequest, SortOrder
from search_api.overview import build_overview
from search_api.routers.params import ERRORS, filter_params, refuse_unknown

router = APIRouter(tags=["overview"])
QUERY_DESCRIPTION = "Valgfri søgning: overblikket over de initiativer, søgningen matcher."


def _request(
    query: str | None, mode: SearchMode, filters: SearchFilters, sort: SortOrder = "relevance"
) -> SearchRequest:
    try:
        return SearchRequest(query=query, mode=mode, filters=filters, sort=sort)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from None


@router.get("/overview", response_model=OverviewResponse, responses=ERRORS, summary="Overblik")
def overview(
    request: Request,
    engine: Annotated[SearchEngine, Depends(get_overview_engine)],
    filters: Annotated[SearchFilters, Depends(filter_params)],
    q: Annotated[str | None, Query(description=QUERY_DESCRIPTION, examples=["video"])] = None,
    mode: Annotated[SearchMode, Query()] = "hybrid",
    overlaps: Annotated[int, Query(ge=0, le=200, description="At most this many 'same idea' pairs.")] = 25,
) -> Response:
    """Themes (with sectors, clusters and documented effect), themes × sectors / municipalities /
    organisations, the same idea elsewhere, a 2-D map and the effective initiatives, of every initiative the
    filters allow (and, with `q`, the query matches). The same filters as /search."""
    refuse_unknown(request, ("q", "mode", "overlaps"))
    result = build_overview(engine, _request(q, mode, filters), overlaps)
    if q is not None:
        request.state.query = result.query
    request.state.result_count = result.total
    return Response(content=result.model_dump_json(), media_type="application/json")


@router.get(
    "/export.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}, **ERRORS},
    summary="Eksportér som CSV",
)
def export_csv(
    request: Request,
    engine: Annotated[SearchEngine, Depends(get_engine)],
    filters: Annotated[SearchFilters, Depends(filter_params)],
    q: Annotated[str | None, Query(description=QUERY_DESCRIPTION)] = None,
    mode: Annotated[SearchMode, Query()] = "hybrid",
    sort: Annotated[SortOrder, Query()] = "relevance",
) -> Response:
    """Every initiative of a search or overview (same parameters) with all its metadata, theme and effect,
    as CSV for Excel (UTF-8 with BOM, semicolon-separated)."""
    refuse_unknown(request, ("q", "mode", "sort"))
    ids = engine.matching_ids(_request(q, mode, filters, sort))
    secondary = engine.landscape.secondary_of
    labels = engine.theme_labels
    records = [
        {**engine.records[i], "secondary_themes": [labels.get(t, t) for t in secondary.get(i, [])]}
        for i in ids
    ]
    request.state.result_count = len(records)
    base = str(request.base_url)
    return Response(
        content=initiatives_csv(records, base).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="overblik-initiativer.csv"'},
    )
