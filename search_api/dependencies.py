"""FastAPI dependencies: settings and the current engine come from the app, so tests build their own.

They are `async def` although they never wait: FastAPI runs a plain `def` dependency in its thread pool,
and that hop cost every search a noticeable share of its time for reading one attribute.
"""

from __future__ import annotations

from fastapi import Request

from initiative_index.settings import Settings
from search_api.engine import SearchEngine
from search_api.holder import EngineHolder


async def get_holder(request: Request) -> EngineHolder:
    return request.app.state.holder


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_engine(request: Request) -> SearchEngine:
    """The engine of the current index version (503 with a reason while none is loaded)."""
    return request.app.state.holder.engine


async def get_overview_engine(request: Request) -> SearchEngine:
    """The newest engine whose landscape is of its own version (the overview is one version's)."""
    return request.app.state.holder.overview_engine
