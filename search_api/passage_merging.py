"""Passages of one result without repeats: overlapping chunks of a document joined, duplicates dropped.

Chunks overlap by design (the splitter repeats the end of one at the start of the next), and the same text
can stand in two documents (a description and its appendix). Shown as they are, a card quotes the same
sentences twice. Here the best passages of an initiative are joined where they overlap in one document, and
a passage whose text another one already holds is left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MIN_OVERLAP = 20  # characters two chunks must share at the seam to count as one stretch of text


@dataclass
class PassageText:
    """One stretch of a document's text, from one or more chunks (rows of the index)."""

    document: str
    text: str
    rows: list[int]
    page_start: int | None = None
    page_breaks: list[int] = field(default_factory=list)


def merge_passages(passages: list[PassageText]) -> list[PassageText]:
    """The passages in their order, each joined with any later one of its document that it overlaps."""
    merged: list[PassageText] = []
    for passage in passages:
        for kept in merged:
            if kept.document == passage.document and _join(kept, passage):
                break
        else:
            if not any(_contains(kept.text, passage.text) for kept in merged):
                merged.append(passage)
    return merged


def _contains(outer: str, inner: str) -> bool:
    return " ".join(inner.split()) in " ".join(outer.split())


def _join(kept: PassageText, other: PassageText) -> bool:
    """Grow `kept` by `other` when one holds the other or they overlap at a seam; whether they did."""
    if _contains(kept.text, other.text):
        kept.rows.append(other.rows[0])
        return True
    if _contains(other.text, kept.text):
        kept.text, kept.page_start, kept.page_breaks = other.text, other.page_start, other.page_breaks
        kept.rows.extend(other.rows)
        return True
    seam = _overlap(kept.text, other.text)
    if seam:  # kept, then other
        shift = len(kept.text) - seam
        kept.page_breaks = [*kept.page_breaks, *(shift + b for b in other.page_breaks if b >= seam)]
        kept.text += other.text[seam:]
    elif seam := _overlap(other.text, kept.text):  # other, then kept
        shift = len(other.text) - seam
        kept.page_breaks = [*other.page_breaks, *(shift + b for b in kept.page_breaks if b >= seam)]
        kept.text = other.text + kept.text[seam:]
        kept.page_start = other.page_start
    else:
        return False
    kept.rows.extend(other.rows)
    return True


def _overlap(first: str, second: str) -> int:
    """Length of the longest end of `first` that begins `second` (at least MIN_OVERLAP), else 0."""
    if len(second) < MIN_OVERLAP:
        return 0
    head = second[:MIN_OVERLAP]
    found = first.find(head)
    while found >= 0:  # the earliest place where the rest of `first` begins `second` is the longest seam
        if second.startswith(first[found:]):
            return len(first) - found
        found = first.find(head, found + 1)
    return 0
