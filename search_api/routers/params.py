"""Query-string parameters shared by GET /search, /overview and /export.csv: the filters, declared once.

Every filter of initiative_index.vocabulary is a repeatable parameter (values of one field are alternatives);
an unknown parameter is refused with a Danish message listing the known ones, so a typo never silently
widens a search.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from initiative_index.filters import SearchFilters
from initiative_index.vocabulary import FILTER_NAMES, PERIOD_PARAMS
from search_api.access import Access, get_access
from search_api.dependencies import get_engine
from search_api.engine import SearchEngine
from search_api.errors import BadRequest
from search_api.models import ErrorResponse

Values = Annotated[list[str] | None, Query()]
# The answers besides 200 of the endpoints that take these parameters, all with a Danish `detail`.
ERRORS = {code: {"model": ErrorResponse} for code in (400, 401, 413, 422, 503)}


def filter_params(
    sector: Annotated[list[str] | None, Query(examples=[["kommune"]])] = None,
    organisation: Values = None,
    cluster: Values = None,
    status: Values = None,
    target_group: Values = None,
    tag: Values = None,
    evaluation: Values = None,
    effect: Annotated[
        list[str] | None, Query(description="effect=dokumenteret&effect=delvis: 'virksomme initiativer'")
    ] = None,
    theme: Annotated[list[str] | None, Query(description="Theme ids, as /overview gives them.")] = None,
    visibility: Annotated[
        list[str] | None, Query(description="offentlig | intern (intern needs an API key).")
    ] = None,
    period_from: Annotated[date | None, Query()] = None,
    period_to: Annotated[date | None, Query()] = None,
    *,
    access: Annotated[Access, Depends(get_access)],
    engine: Annotated[SearchEngine, Depends(get_engine)],
) -> SearchFilters:
    """The filters of a GET request (repeat a parameter for several values: sector=kommune&sector=region),
    restricted to public initiatives for a request without an API key."""
    given = {
        "sector": sector, "organisation": organisation, "cluster": cluster, "status": status,
        "target_group": target_group, "tag": tag, "evaluation": evaluation, "effect": effect, "theme": theme,
        "visibility": visibility, "period_from": period_from, "period_to": period_to,
    }  # fmt: skip
    try:
        filters = SearchFilters(**{name: value for name, value in given.items() if value})
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from None
    return access.restrict(filters, engine.any_internal)


def refuse_unknown(request: Request, own: tuple[str, ...]) -> None:
    """A 422 with the known parameters when the query string has one this endpoint does not take."""
    known = (*own, *FILTER_NAMES, *PERIOD_PARAMS)
    unknown = sorted(set(request.query_params) - set(known))
    if unknown:
        raise BadRequest(f"Ukendt parameter: '{unknown[0]}'. Mulige: {', '.join(known)}.")
