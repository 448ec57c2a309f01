"""GET /search (linkable) and POST /search (JSON body)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from search_api.dependencies import get_engine
from search_api.engine import SearchEngine
from search_api.errors import BadRequest
from search_api.models import ErrorResponse, SearchMode, SearchRequest, SearchResponse

router = APIRouter(tags=["search"])

FILTER_PARAMS = ("sector", "organisation", "cluster", "status", "target_group", "tag")
KNOWN_PARAMS = {"q", "mode", "offset", "limit", "explain", "period_from", "period_to", *FILTER_PARAMS}
ERRORS = {422: {"model": ErrorResponse}, 503: {"model": ErrorResponse}}


def _run(engine: SearchEngine, request: Request, search: SearchRequest) -> Response:
    response = engine.search(search)
    request.state.result_count = len(response.results)
    request.state.query = search.query
    # The engine built a validated model; serialising it in pydantic-core skips FastAPI validating it again
    # (a third of the time spent outside the engine). `response_model` still documents it in /docs.
    return Response(content=response.model_dump_json(), media_type="application/json")


@router.get("/search", response_model=SearchResponse, responses=ERRORS, summary="Søg (linkbar)")
def search_get(
    request: Request,
    engine: Annotated[SearchEngine, Depends(get_engine)],
    q: Annotated[
        str, Query(description="Søgningen, fx 'hjemmebehandling af ældre'.", examples=["KOL plejecenter"])
    ],
    mode: Annotated[SearchMode, Query()] = "hybrid",
    offset: Annotated[int, Query()] = 0,
    limit: Annotated[int, Query()] = 10,
    explain: Annotated[bool, Query()] = False,
    sector: Annotated[list[str] | None, Query(examples=[["kommune"]])] = None,
    organisation: Annotated[list[str] | None, Query()] = None,
    cluster: Annotated[list[str] | None, Query()] = None,
    status: Annotated[list[str] | None, Query()] = None,
    target_group: Annotated[list[str] | None, Query()] = None,
    tag: Annotated[list[str] | None, Query()] = None,
    period_from: Annotated[date | None, Query()] = None,
    period_to: Annotated[date | None, Query()] = None,
) -> Response:
    """Initiatives matching `q`; repeat a filter to allow several values (sector=kommune&sector=region)."""
    unknown = sorted(set(request.query_params) - KNOWN_PARAMS)
    if unknown:
        raise BadRequest(
            f"Ukendt parameter: '{unknown[0]}'. Mulige: q, mode, offset, limit, explain, "
            "sector, organisation, cluster, status, target_group, tag, period_from, period_to."
        )
    given = {
        "sector": sector,
        "organisation": organisation,
        "cluster": cluster,
        "status": status,
        "target_group": target_group,
        "tag": tag,
        "period_from": period_from,
        "period_to": period_to,
    }
    filters = {name: value for name, value in given.items() if value}
    try:
        search = SearchRequest(
            query=q, mode=mode, filters=filters, offset=offset, limit=limit, explain=explain
        )
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from None
    return _run(engine, request, search)


@router.post("/search", response_model=SearchResponse, responses=ERRORS, summary="Søg (JSON)")
def search_post(
    request: Request, body: SearchRequest, engine: Annotated[SearchEngine, Depends(get_engine)]
) -> Response:
    """Initiatives matching the query, with filters, paging and optional explanations."""
    return _run(engine, request, body)
