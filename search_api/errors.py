"""Errors as staff see them: a 4xx with one Danish sentence saying what to change, never a 500."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from initiative_index.filters import MAX_VALUE_CHARS, MAX_VALUES, MAX_VALUES_PER_FIELD
from initiative_index.vocabulary import FILTER_NAMES, PERIOD_PARAMS
from search_api.holder import NotReadyError
from search_api.models import MAX_LIMIT, MAX_OFFSET, MAX_QUERY_CHARS

log = logging.getLogger("overblik.api")

FIELD_NAMES = {
    "q": "søgningen",
    "query": "søgningen",
    "mode": "søgetypen",
    "limit": "antal resultater (limit)",
    "offset": "startposition (offset)",
    "explain": "explain",
    "filters": "filtrene",
    "period_from": "periodens start",
    "period_to": "periodens slutning",
    "sort": "sorteringen",
    "overlaps": "antal par (overlaps)",
}


class BadRequest(Exception):
    """A request the API refuses, with the Danish message to show."""

    def __init__(self, message: str, status_code: int = 422, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.headers = headers


def _field(loc: tuple) -> str:
    names = [str(part) for part in loc if part not in ("body", "query", "path") and not isinstance(part, int)]
    if not names:
        return "forespørgslen"
    return FIELD_NAMES.get(names[-1], f"feltet '{'.'.join(names)}'")


def danish_message(error: dict) -> str:
    """One pydantic validation error as a Danish sentence."""
    kind, loc, ctx = error.get("type", ""), tuple(error.get("loc", ())), error.get("ctx") or {}
    field = _field(loc)
    raw = str(ctx.get("error", error.get("msg", "")))
    if "empty_query" in raw or (kind == "missing" and field == "søgningen"):
        return "Skriv et eller flere ord at søge efter."
    if "control_characters" in raw:
        return "Søgningen indeholder kontroltegn, som ikke kan bruges. Fjern dem og prøv igen."
    if "too_many_filter_values" in raw:
        return f"For mange filterværdier: højst {MAX_VALUES} i alt."
    if kind == "string_too_long" and field == "søgningen":
        return f"Søgningen er for lang: højst {ctx.get('max_length', MAX_QUERY_CHARS)} tegn."
    if kind == "string_too_long":
        return f"En værdi i {field} er for lang: højst {ctx.get('max_length', MAX_VALUE_CHARS)} tegn."
    if kind == "too_long":
        return f"For mange værdier i {field}: højst {ctx.get('max_length', MAX_VALUES_PER_FIELD)}."
    if kind == "literal_error" and field == "søgetypen":
        return "Ukendt søgetype. Brug 'hybrid', 'lexical' eller 'semantic'."
    if kind == "literal_error" and field == "sorteringen":
        return "Ukendt sortering. Brug 'relevance', 'title', 'newest' eller 'status'."
    if kind in ("greater_than_equal", "less_than_equal") and "overlaps" in field:
        return "Antal par (overlaps) skal være mellem 0 og 200."
    if kind in ("greater_than_equal", "less_than_equal") and "limit" in field:
        return f"Antal resultater (limit) skal være mellem 1 og {MAX_LIMIT}."
    if kind in ("greater_than_equal", "less_than_equal") and "offset" in field:
        return f"Startposition (offset) skal være mellem 0 og {MAX_OFFSET}."
    if kind == "extra_forbidden":
        return f"Ukendt felt: '{loc[-1]}'. Mulige filtre: {', '.join((*FILTER_NAMES, *PERIOD_PARAMS))}."
    if kind in ("int_parsing", "int_type"):
        return f"{field.capitalize()} skal være et helt tal."
    if kind in ("bool_parsing", "bool_type"):
        return f"{field.capitalize()} skal være true eller false."
    if kind.startswith("date"):
        return f"{field.capitalize()} skal være en dato som ÅÅÅÅ-MM-DD."
    if "period_to is before period_from" in raw:
        return "Periodens slutning ligger før dens start."
    if kind == "missing":
        return f"{field.capitalize()} mangler."
    if kind in ("list_type", "string_type", "model_type", "dict_type", "model_attributes_type"):
        return f"{field.capitalize()} har en forkert form. Se eksemplerne på /docs."
    if kind == "json_invalid":
        return "Forespørgslen er ikke gyldig JSON."
    return f"Ugyldig værdi i {field}."


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        message = danish_message(errors[0]) if errors else "Ugyldig forespørgsel."
        return JSONResponse(status_code=422, content={"detail": message})

    @app.exception_handler(BadRequest)
    async def _bad_request(request: Request, exc: BadRequest) -> JSONResponse:
        return JSONResponse(status_code=exc.status_code, content={"detail": exc.message}, headers=exc.headers)

    @app.exception_handler(NotReadyError)
    async def _not_ready(request: Request, exc: NotReadyError) -> JSONResponse:
        return JSONResponse(status_code=503, content={"detail": exc.reason}, headers={"Retry-After": "5"})

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # Our own routes raise with a Danish detail; Starlette's defaults ("Not Found") get a Danish one.
        defaults = {
            404: "Siden findes ikke.",
            405: "Metoden er ikke tilladt her.",
            413: "Forespørgslen er for stor.",
            414: "Adressen er for lang.",
        }
        detail = exc.detail if exc.detail and exc.detail != _english_default(exc.status_code) else None
        if detail == "There was an error parsing the body":  # FastAPI's words for a body it cannot decode
            detail = "Forespørgslen er ikke gyldig JSON."
        return JSONResponse(
            status_code=exc.status_code,
            content={"detail": detail or defaults.get(exc.status_code, "Forespørgslen kunne ikke udføres.")},
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse(status_code=500, content={"detail": "Der opstod en fejl i søgningen. Prøv igen."})


def _english_default(status_code: int) -> str:
    from http import HTTPStatus

    return HTTPStatus(status_code).phrase
