"""HTML: the page's own content only; scripts, styles, navigation, headers and footers are dropped."""

from __future__ import annotations

from bs4 import BeautifulSoup, Tag

from ingest.normalize import normalize_text
from ingest.readers.types import ExtractedDocument, Page

_NEVER_CONTENT = (
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "aside",
    "form",
    "iframe",
    "svg",
    "button",
)
_LANDMARK_ROLES = ("navigation", "banner", "contentinfo", "search", "complementary")
_BLOCKS = (
    "p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol",
    "table", "tr", "blockquote", "pre", "dl", "dt", "dd", "figure", "figcaption", "header", "footer",
)  # fmt: skip


def html_to_text(soup: BeautifulSoup | Tag) -> str:
    """Visible text with paragraph breaks between blocks and spaces between table cells."""
    for cell in soup.find_all(["td", "th"]):
        cell.insert_after(" ")
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for block in soup.find_all(_BLOCKS):
        block.insert_before("\n\n")
        block.insert_after("\n\n")
    return normalize_text(soup.get_text())


def read_html(data: bytes, password: str | None = None) -> ExtractedDocument:
    soup = BeautifulSoup(data, "lxml")
    title_tag = soup.find("title")
    title = normalize_text(title_tag.get_text()) if title_tag else ""
    for tag in soup.find_all(_NEVER_CONTENT):
        tag.decompose()
    for tag in soup.find_all(attrs={"role": list(_LANDMARK_ROLES)}):
        tag.decompose()
    # Prefer the page's main content; otherwise drop site-wide header and footer around it.
    content = soup.find("main") or soup.find("article")
    if content is None:
        for tag in soup.find_all(["header", "footer"]):
            if tag.find_parent(["article", "main", "section"]) is None:
                tag.decompose()
        content = soup.body or soup
    heading = content.find("h1")
    if not title and heading:
        title = normalize_text(heading.get_text())
    return ExtractedDocument(pages=[Page(None, html_to_text(content))], title=title or None)
