"""GET /search (linkable) and POST /search (JSON body); without a query, both list (browse) initiatives."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from initiative_index.filters import SearchFilters
from search_api.access import Access, get_access
from search_api.dependencies import get_engine
from search_api.engine import SearchEngine
from search_api.models import SearchMode, SearchRequest, SearchResponse, SortOrder
from search_api.routers.params import ERRORS, filter_params, refuse_unknown

router = APIRouter(tags=["search"])

OWN_PARAMS = ("q", "mode", "offset", "limit", "explain", "sort")


def search_request(
    request: Request,
    filters: Annotated[SearchFilters, Depends(filter_params)],
    q: Annotated[
        str | None,
        Query(
            description="Søgningen, fx 'hjemmebehandling af ældre'; udelad den for at se alle initiativer.",
            examples=["KOL plejecenter"],
        ),
    ] = None,
    mode: Annotated[SearchMode, Query()] = "hybrid",
    offset: Annotated[int, Query()] = 0,
    limit: Annotated[int, Query()] = 10,
    explain: Annotated[bool, Query()] = False,
    sort: Annotated[SortOrder, Query()] = "relevance",
) -> SearchRequest:
    """A search (or a browse, without q) from the query string."""
    refuse_unknown(request, OWN_PARAMS)
    try:
        return SearchRequest(
            query=q, mode=mode, filters=filters, offset=offset, limit=limit, explain=explain, sort=sort
        )
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from None


def _run(engine: SearchEngine, request: Request, search: SearchRequest) -> Response:
    response = engine.search(search)
    request.state.result_count = len(response.results)
    if search.query is not None:
        request.state.query = search.query
    # The engine built a validated model; serialising it in pydantic-core skips FastAPI validating it again
    # (a third of the time spent outside the engine). `response_model` still documents it in /docs.
    return Response(content=response.model_dump_json(), media_type="application/json")


@router.get(
    "/search", response_model=SearchResponse, responses=ERRORS, summary="Søg eller gennemse (linkbar)"
)
def search_get(
    request: Request,
    engine: Annotated[SearchEngine, Depends(get_engine)],
    search: Annotated[SearchRequest, Depends(search_request)],
) -> Response:
    """Initiatives matching `q`; without `q`, every initiative the filters allow (sort=title|newest|status).
    Repeat a filter to allow several values (sector=kommune&sector=region)."""
    return _run(engine, request, search)


@router.post("/search", response_model=SearchResponse, responses=ERRORS, summary="Søg (JSON)")
def search_post(
    request: Request,
    body: SearchRequest,
    engine: Annotated[SearchEngine, Depends(get_engine)],
    access: Annotated[Access, Depends(get_access)],
) -> Response:
    """Initiatives matching the query, with filters, paging, sorting and optional explanations."""
    body = body.model_copy(update={"filters": access.restrict(body.filters, engine.any_internal)})
    return _run(engine, request, body)
