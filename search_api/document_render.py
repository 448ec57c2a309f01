"""Documents as safe HTML for the document view: Markdown, DOCX, HTML and plain text.

Each format goes through a well-kept converter (markdown-it-py, mammoth), and everything, whatever its
source, through nh3 (the Rust `ammonia` sanitiser) with a short list of text tags: no scripts, no event
handlers, no styles, no images, no forms, and links only to http, https and mailto. Renders are cached per
(file, modification time, size), so a changed file is rendered again.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from pathlib import Path

import mammoth
import nh3
from charset_normalizer import from_bytes
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "ins", "kbd", "li", "ol", "p", "pre", "q", "s", "small",
    "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
# Removed with their content (nh3 drops other unknown tags but keeps their text).
DROPPED_WITH_CONTENT = {"script", "style", "title", "template", "noscript", "iframe", "object", "svg", "math"}
RENDER_CACHE_SIZE = 64

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_HEADING = re.compile(r"<(/?)h([1-6])\b")


def renders(name: str) -> bool:
    """Whether the document view can show a file of this name (PDFs open at their page instead)."""
    return Path(name).suffix.lower() in _RENDERERS


def render_document(path: Path) -> str:
    """The file as sanitised HTML; headings moved one level down (the view's own h1 names the document)."""
    stat = path.stat()
    return _cached_render(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=RENDER_CACHE_SIZE)
def _cached_render(path: str, mtime_ns: int, size: int) -> str:
    file = Path(path)
    raw = _RENDERERS[file.suffix.lower()](file)
    return _HEADING.sub(lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + 1, 6)}", sanitise(raw))


def sanitise(markup: str) -> str:
    """HTML from any source reduced to text markup: no scripts, handlers, styles or foreign URLs."""
    return nh3.clean(
        markup,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def read_text_file(path: Path) -> str:
    """A text file's content: UTF-8 (with or without BOM), else the encoding detected, else Windows-1252."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        best = from_bytes(data).best()
        return str(best) if best is not None else data.decode("cp1252", errors="replace")


def _markdown(path: Path) -> str:
    return _MARKDOWN.render(read_text_file(path))


def _docx(path: Path) -> str:
    with path.open("rb") as file:
        # Images become data: URIs, which sanitising drops; the text is what the view is for.
        return mammoth.convert_to_html(file).value


def _html(path: Path) -> str:
    return read_text_file(path)


def _text(path: Path) -> str:
    paragraphs = re.split(r"\n\s*\n", read_text_file(path).strip())
    return "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs if p.strip())


_RENDERERS = {
    ".md": _markdown,
    ".markdown": _markdown,
    ".docx": _docx,
    ".html": _html,
    ".htm": _html,
    ".txt": _text,
}
