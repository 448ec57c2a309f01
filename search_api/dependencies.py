"""FastAPI dependencies: settings and the current engine come from the app, so tests build their own."""

from __future__ import annotations

from fastapi import Request

from initiative_index.settings import Settings
from search_api.engine import SearchEngine
from search_api.holder import EngineHolder


def get_holder(request: Request) -> EngineHolder:
    return request.app.state.holder


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_engine(request: Request) -> SearchEngine:
    """The engine of the current index version (503 with a reason while none is loaded)."""
    return get_holder(request).engine
