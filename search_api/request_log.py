"""One structured log line per request: method, path, status, duration, result count (and query).

Private by default: the query text is logged only with OVERBLIK_LOG_QUERIES=true. The path is logged
without its query string (which holds the query) and no header is ever logged (API keys travel in one).
"""

from __future__ import annotations

import json
import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("overblik.requests")


class RequestLogMiddleware:
    """Pure ASGI middleware (cheaper than BaseHTTPMiddleware on the hot path)."""

    def __init__(self, app: ASGIApp, log_queries: bool) -> None:
        self.app = app
        self.log_queries = log_queries

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            state = scope.get("state", {})
            line = {
                "method": scope["method"],
                "path": scope["path"],
                "status": status,
                "ms": round((time.perf_counter() - started) * 1000, 1),
            }
            if "result_count" in state:
                line["results"] = state["result_count"]
            if "query" in state and self.log_queries:
                line["q"] = state["query"]
            log.info(json.dumps(line, ensure_ascii=False))
