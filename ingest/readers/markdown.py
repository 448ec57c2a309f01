"""Markdown: rendered with markdown-it (tables on), then read like HTML, so markup never reaches the index."""

from __future__ import annotations

from bs4 import BeautifulSoup
from markdown_it import MarkdownIt

from ingest.normalize import normalize_text
from ingest.readers.html import html_to_text
from ingest.readers.text import decode_text
from ingest.readers.types import ExtractedDocument, Page

_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table").enable("strikethrough")


def read_markdown(data: bytes, password: str | None = None) -> ExtractedDocument:
    source = decode_text(data)
    soup = BeautifulSoup(_MARKDOWN.render(source), "lxml")
    heading = soup.find(["h1", "h2"])
    title = normalize_text(heading.get_text()) if heading else None
    return ExtractedDocument(pages=[Page(None, html_to_text(soup))], title=title or None)
