"""Fixtures for the browser tests: the live API over the session's index, host pages on other origins,
and Debian's Chromium driven by Playwright.

The index is the shared `built_index` of tests/conftest.py (the fixture corpus). Chromium is
`/usr/bin/chromium`; it is installed with apt-get when missing (`make chromium` does the same), and
Playwright never downloads a browser.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from initiative_index.embedders import Embedder
from search_api.app import create_app

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# -- servers --------------------------------------------------------------------------------------


def bound_socket() -> socket.socket:
    """A socket bound to a free port on 127.0.0.1 (held, so no other process can take the port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    return sock


def origin_of(address: tuple[str, int]) -> str:
    return f"http://{address[0]}:{address[1]}"


@contextlib.contextmanager
def serving_api(app: FastAPI) -> Iterator[str]:
    """`app` under uvicorn in a thread until its index is loaded; yields the API's origin."""
    sock = bound_socket()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 120
        while not (server.started and app.state.holder.ready):
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError(f"the API did not become ready: {app.state.holder.problem}")
            time.sleep(0.05)
        yield origin_of(sock.getsockname())
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@contextlib.contextmanager
def serving_folder(folder: Path) -> Iterator[str]:
    """A plain static file server for `folder` (another origin than the API's); yields its origin."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield origin_of(httpd.server_address)
    finally:
        httpd.shutdown()
        httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclass(frozen=True)
class Origins:
    api: str  # the API and its search page
    allowed_host: str  # a host page origin listed in the API's CORS setting
    other_host: str  # a host page origin that is not


@pytest.fixture(scope="session")
def origins(built_index, e5: Embedder, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Origins]:
    """The live API over the session's index, and two servers of intranet pages: CORS allows one."""
    settings, _ = built_index
    pages = tmp_path_factory.mktemp("host-pages")
    with serving_folder(pages) as allowed, serving_folder(pages) as other:
        app = create_app(settings.model_copy(update={"cors_origins": [allowed]}), e5)
        with serving_api(app) as api:
            write_host_pages(pages, api)
            yield Origins(api, allowed, other)


@pytest.fixture(scope="session")
def security_api(security_index, e5: Embedder) -> Iterator[str]:
    """The live API over the hardening corpus (tests/security_corpus.py); yields its origin."""
    settings, _ = security_index
    with serving_api(create_app(settings, e5)) as api:
        yield api


def write_host_pages(folder: Path, api: str) -> None:
    """Intranet pages with the widget pasted in, and CSS that would break a widget without isolation."""
    with bound_socket() as closed:  # a port nobody listens on once closed: an API that cannot be reached
        unreachable = origin_of(closed.getsockname())
    for name, data_api in (("intranet.html", api), ("unreachable.html", unreachable)):
        (folder / name).write_text(HOST_PAGE.format(api=api, data_api=data_api), encoding="utf-8")


HOST_PAGE = """<!doctype html>
<html lang="da">
<head>
<meta charset="utf-8">
<title>Intranet – Sundhed og omsorg</title>
<style>
  html {{ font-size: 10px; }}
  * {{ color: rgb(200, 0, 0) !important; font-family: "Comic Sans MS", cursive !important; }}
  div, p, li {{ font-size: 30px !important; letter-spacing: 4px !important; text-transform: uppercase; }}
  input, button {{ display: none !important; }}
  .card, .card-title, .badge {{ border: 5px dashed rgb(0, 128, 0); background: rgb(255, 255, 0); }}
</style>
</head>
<body>
<h1>Intranettets forside</h1>
<p class="card-title" id="host-note">Værtssidens egen tekst</p>
<section>
<script src="{api}/static/widget.js" data-api="{data_api}" data-limit="3" async></script>
</section>
</body>
</html>
"""


# -- the browser ----------------------------------------------------------------------------------


def ensure_chromium() -> str:
    """The path of Debian's Chromium, installing it with apt-get when it is missing (as root)."""
    if not CHROMIUM.exists():
        if os.geteuid() != 0 or not shutil.which("apt-get"):
            pytest.skip("Chromium is missing: `make chromium` or `apt-get install -y chromium` installs it.")
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True)
    return str(CHROMIUM)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    executable = ensure_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser) -> Iterator[object]:
    """`new_page(width=1280)`: a page in a fresh context (Danish locale); a script error fails the test."""
    contexts, errors = [], []

    def open_page(width: int = 1280, height: int = 900):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="da-DK")
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not errors, f"script errors on the page: {errors}"


@pytest.fixture
def page(new_page):
    """A desktop-sized page."""
    return new_page()


@pytest.fixture
def screenshot(request: pytest.FixtureRequest):
    """`screenshot(page, "name")` saves a full-page PNG under test-artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
