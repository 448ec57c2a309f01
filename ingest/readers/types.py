"""What a reader returns."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Page:
    """Normalised text of one page; `number` is 1-based, None for formats without pages."""

    number: int | None
    text: str


@dataclass(frozen=True)
class ExtractedDocument:
    pages: list[Page]
    title: str | None = None
    notes: list[str] = field(default_factory=list)  # non-fatal problems, e.g. pages that failed
