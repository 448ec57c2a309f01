"""The FastAPI application: search API, initiative records, health, and the search page."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from initiative_index.embedders import Embedder
from initiative_index.settings import Settings, get_settings
from search_api.access import load_key_hashes
from search_api.errors import install_error_handlers
from search_api.holder import EngineHolder
from search_api.limits import BodySizeLimitMiddleware
from search_api.request_log import RequestLogMiddleware
from search_api.routers import documents, health, initiatives, overview, search
from search_api.security_headers import SecurityHeadersMiddleware

STATIC = Path(__file__).parent / "static"

DESCRIPTION = """
Søg på tværs af sundhedsinitiativer og projekter i Nordjylland: region, hospitaler, psykiatri,
de 11 kommuner og almen praksis. Svar er rangerede **initiativer** med de passager, der matchede.
"""


def create_app(settings: Settings | None = None, embedder: Embedder | None = None) -> FastAPI:
    """Build the app; tests pass their own settings (and may share one loaded embedder)."""
    settings = settings or get_settings()
    holder = EngineHolder(settings, embedder)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        holder.start()
        yield
        holder.stop()

    app = FastAPI(title="Overblik", description=DESCRIPTION, version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    app.state.holder = holder
    app.state.key_hashes = load_key_hashes(settings)
    install_error_handlers(app)
    app.include_router(search.router)
    app.include_router(overview.router)
    app.include_router(initiatives.router)
    app.include_router(documents.router)
    app.include_router(health.router)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type"],
            max_age=600,
        )
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeadersMiddleware, frame_ancestors=settings.frame_ancestors)
    app.add_middleware(RequestLogMiddleware, log_queries=settings.log_queries)
    if (STATIC / "index.html").is_file():
        app.mount("/static", StaticFiles(directory=STATIC), name="static")

        @app.get("/", include_in_schema=False)
        def page() -> FileResponse:
            return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")

    return app
