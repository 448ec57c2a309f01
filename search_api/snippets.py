"""Snippets: the part of a passage that best matches the query, HTML-escaped, matched words in <mark>.

A word matches when any of its index terms (stem, compound parts) is among the query's terms, so
"plejehjemmet" is marked for the query "plejehjem", and "hjemmebehandling" for "behandling i hjemmet".

Snippets are made for every shown passage of every result, so they must be cheap. Stems and compound parts
are (nearly) substrings of the lower-cased word, so a plain substring search for each query term finds the
few candidate places; only the words around those places are analysed, instead of every word.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache

from initiative_index.analyzer import TextAnalyzer

SNIPPET_CHARS = 320  # about 45 words of Danish prose
LEAD_CHARS = 60  # context shown before the first match of the window


@dataclass(frozen=True)
class Snippet:
    html: str
    offset: int  # where in the text the first marked word (or the window) starts
    text: str = ""  # the window as plain text (what the document view looks for to mark it)


def highlight(
    text: str, query_terms: set[str], analyzer: TextAnalyzer, max_chars: int = SNIPPET_CHARS
) -> Snippet:
    """The best window of about `max_chars` characters of `text`, as safe HTML with matches marked."""
    marks = matched_words(text, query_terms, analyzer)
    start, end = _window(text, marks, max_chars)
    parts = ["… "] if start > 0 else []
    position = start
    for mark_start, mark_end in marks:
        if mark_start < start or mark_end > end:
            continue
        parts.append(_escape(text[position:mark_start]))
        parts.append(f"<mark>{_escape(text[mark_start:mark_end])}</mark>")
        position = mark_end
    parts.append(_escape(text[position:end]))
    if end < len(text):
        parts.append(" …")
    first = next((s for s, e in marks if s >= start and e <= end), start)
    return Snippet(re.sub(r" {2,}", " ", "".join(parts)).strip(), first, " ".join(text[start:end].split()))


def matched_words(text: str, query_terms: set[str], analyzer: TextAnalyzer) -> list[tuple[int, int]]:
    """Character spans of the words of `text` that match a query term, in order."""
    if not query_terms:
        return []
    lower = text.lower()
    if len(lower) != len(text):  # a character whose lower case is longer: spans would shift
        return [
            m.span() for m in re.finditer(r"\w+", text) if _matches(m.group().lower(), query_terms, analyzer)
        ]
    words: dict[int, int] = {}  # start -> end of each candidate word
    for prefix in _search_prefixes(frozenset(query_terms)):
        found = lower.find(prefix)
        while found >= 0:
            start, end = found, found + len(prefix)
            while start > 0 and _is_word_char(lower[start - 1]):
                start -= 1
            while end < len(lower) and _is_word_char(lower[end]):
                end += 1
            words[start] = end
            found = lower.find(prefix, end)
    return [
        (start, words[start])
        for start in sorted(words)
        if _matches(lower[start : words[start]], query_terms, analyzer)
    ]


@lru_cache(maxsize=4096)
def _search_prefixes(terms: frozenset[str]) -> tuple[str, ...]:
    """What to look for in the text: the terms, longer ones without their last letter.

    A stem can end in a letter its word does not have (English "happi" for "happy"); every candidate word
    is checked against the analyzer, so looking for a little more than needed costs only time.
    """
    return tuple({term if len(term) <= 3 else term[:-1] for term in terms})


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def _matches(word: str, query_terms: set[str], analyzer: TextAnalyzer) -> bool:
    return len(word) > 1 and not query_terms.isdisjoint(analyzer.word_terms(word))


def _window(text: str, marks: list[tuple[int, int]], max_chars: int) -> tuple[int, int]:
    """[start, end) of the stretch of about `max_chars` holding the most matches, cut at spaces."""
    if len(text) <= max_chars:
        return 0, len(text)
    start = 0
    if marks:
        starts = [s for s, _ in marks]
        best, best_count = 0, 0
        for i, first in enumerate(starts):
            count = sum(1 for s in starts[i:] if s < first + max_chars - LEAD_CHARS)
            if count > best_count:
                best, best_count = i, count
        start = max(0, starts[best] - LEAD_CHARS)
        if start > 0:  # begin at a word
            space = text.find(" ", start, starts[best])
            start = space + 1 if space >= 0 else starts[best]
    end = min(len(text), start + max_chars)
    if end < len(text):  # end at a word
        space = text.rfind(" ", start + max_chars // 2, end)
        end = space if space >= 0 else end
    return start, end


_BREAK_AFTER_SENTENCE = re.compile(r"(?<=[.:;!?])\s*\n\s*\n\s*")
_BARE_BREAK = re.compile(r"\s*\n\s*\n\s*")


def _escape(segment: str) -> str:
    """Line breaks become spaces; a bare paragraph break (e.g. after a heading) becomes a middle dot."""
    if "\n" in segment:
        segment = _BREAK_AFTER_SENTENCE.sub(" ", segment)
        segment = _BARE_BREAK.sub(" · ", segment).replace("\n", " ")
    return html.escape(segment, quote=True)
