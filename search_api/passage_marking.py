"""Finding a cited passage in a rendered document and marking it with <mark>.

The passage comes from the index (text as the reader extracted it: Markdown markers gone, table cells run
together, line breaks as spaces), the document from a renderer (HTML with entities and tags), so neither
whitespace nor punctuation can be trusted to agree. Both are compared as their sequence of letters and
digits only. When the whole passage is not found, its longest pieces are tried as anchors for its start
and end, so a passage that differs in a word or two is still marked.
"""

from __future__ import annotations

import re

PASSAGE_ID = "passage"
ANCHOR_CHARS = 40  # letters and digits of a piece used to find the start or end of a changed passage
_TAG_OR_ENTITY = re.compile(r"<[^>]*>|&[#\w]+;")
_TAG = re.compile(r"<[^>]*>")


def letters(text: str) -> str:
    """The letters and digits of `text`, case-folded: what passage and document are compared on."""
    return "".join(char.casefold() for char in text if char.isalnum())


def mark_passage(markup: str, passage: str) -> tuple[str, bool]:
    """`markup` with the text of `passage` wrapped in <mark> (the first one id="passage"); and if found."""
    wanted = letters(passage)
    if len(wanted) < 3:
        return markup, False
    text, positions = _text_positions(markup)
    span = _find(text, wanted)
    if span is None:
        return markup, False
    start, end = positions[span[0]], positions[span[1] - 1] + 1
    while end < len(markup) and _is_trailing_punctuation(markup[end]):  # "… sparsomt." ends at the full stop
        end += 1
    return _wrap(markup, start, end), True


def _is_trailing_punctuation(char: str) -> bool:
    return not (char.isalnum() or char.isspace() or char in "<&")


def _text_positions(markup: str) -> tuple[str, list[int]]:
    """The letters of the markup's text and, for each, its index in `markup` (tags and entities skipped)."""
    chars: list[str] = []
    positions: list[int] = []
    index = 0
    for match in _TAG_OR_ENTITY.finditer(markup + "<>"):
        for offset, char in enumerate(markup[index : match.start()], start=index):
            if char.isalnum():
                for folded in char.casefold():
                    chars.append(folded)
                    positions.append(offset)
        index = match.end()
    return "".join(chars), positions


def _find(text: str, wanted: str) -> tuple[int, int] | None:
    """[start, end) of `wanted` in `text`, or of the stretch between its first and last findable pieces."""
    found = text.find(wanted)
    if found >= 0:
        return found, found + len(wanted)
    step = ANCHOR_CHARS // 2
    pieces = range(0, max(1, len(wanted) - ANCHOR_CHARS + 1), step)
    start = next(
        (hit - at for at in pieces if (hit := _unique(text, wanted[at : at + ANCHOR_CHARS])) is not None),
        None,
    )
    if start is None:
        return None
    start = max(0, start)
    ends = [len(wanted) - ANCHOR_CHARS - at for at in pieces]
    for at in ends:
        piece = wanted[max(0, at) : max(0, at) + ANCHOR_CHARS]
        hit = _unique(text, piece)
        if hit is not None and hit >= start:
            return start, min(len(text), hit + len(piece))
    return start, min(len(text), start + len(wanted))


def _unique(text: str, piece: str) -> int | None:
    if len(piece) < ANCHOR_CHARS // 2:
        return None
    first = text.find(piece)
    return first if first >= 0 and text.find(piece, first + 1) < 0 else None


def _wrap(markup: str, start: int, end: int) -> str:
    """<mark> around each run of text in markup[start:end] (never around a tag, so nesting stays valid)."""
    parts = [markup[:start]]
    first = True
    index = start
    for match in [*_TAG.finditer(markup, start, end), None]:
        stop = match.start() if match else end
        run = markup[index:stop]
        if run.strip():
            attrs = f' id="{PASSAGE_ID}" tabindex="-1"' if first else ""
            parts.append(f"<mark{attrs}>{run}</mark>")
            first = False
        else:
            parts.append(run)
        if match:
            parts.append(match.group())
            index = match.end()
    parts.append(markup[end:])
    return "".join(parts)
