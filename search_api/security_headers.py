"""Security headers on every response: what a browser may run, load, frame and tell other sites.

The search page and the widget's files get a Content-Security-Policy without `unsafe-inline` scripts; the
JSON API gets one that allows nothing. Nobody may frame the API's pages (`frame-ancestors 'none'` and
`X-Frame-Options: DENY`) unless `OVERBLIK_FRAME_ANCESTORS` names origins that embed the page in an iframe;
the widget needs no framing (it is a script in the host page, see widget.js). A response that sets its own
policy (an original document: `sandbox`) keeps it. /docs and /redoc load FastAPI's documentation page,
which needs an inline script and a CDN: only those two get a looser policy.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'"
)
API_CSP = "default-src 'none'"
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")


def content_security_policy(path: str, frame_ancestors: str) -> str:
    """The policy of a response for `path` (the page and its files, /docs, or the JSON API)."""
    if path == "/" or path.startswith("/static/"):
        policy = PAGE_CSP
    elif path.startswith(DOCS_PATHS):
        policy = DOCS_CSP
    else:
        policy = API_CSP
    return f"{policy}; frame-ancestors {frame_ancestors}"


class SecurityHeadersMiddleware:
    """Pure ASGI middleware adding the headers a response does not set itself."""

    def __init__(self, app: ASGIApp, frame_ancestors: list[str]) -> None:
        self.app = app
        self.frame_ancestors = " ".join(frame_ancestors) if frame_ancestors else "'none'"
        self.deny_framing = not frame_ancestors

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = content_security_policy(scope["path"], self.frame_ancestors).encode()
        wanted = [
            (b"content-security-policy", policy),
            (b"x-content-type-options", b"nosniff"),
            # A query in the page's address ('?q=borger med KOL') must not travel to the sites it links to.
            (b"referrer-policy", b"no-referrer"),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]
        if self.deny_framing:
            wanted.append((b"x-frame-options", b"DENY"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in wanted if name not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
