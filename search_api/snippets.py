"""Snippets: the part of a passage that best matches the query, HTML-escaped, matched words in <mark>.

A word matches when any of its index terms (stem, compound parts) is among the query's terms, so
"plejehjemmet" is marked for the query "plejehjem", and "hjemmebehandling" for "behandling i hjemmet".
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from initiative_index.analyzer import TextAnalyzer

_TOKEN = re.compile(r"\w+|\W+", re.UNICODE)
SNIPPET_WORDS = 45


@dataclass(frozen=True)
class Snippet:
    html: str
    offset: int  # where in the text the first marked word (or the window) starts


def highlight(
    text: str, query_terms: set[str], analyzer: TextAnalyzer, max_words: int = SNIPPET_WORDS
) -> Snippet:
    """The best window of about `max_words` words of `text`, as safe HTML with matches marked."""
    tokens = _TOKEN.findall(text)
    is_word = [bool(t) and (t[0].isalnum() or t[0] == "_") for t in tokens]
    hits = [w and _matches(t, query_terms, analyzer) for t, w in zip(tokens, is_word, strict=True)]
    word_positions = [i for i, w in enumerate(is_word) if w]
    start, end = _best_window(word_positions, hits, max_words)
    parts = []
    if start > 0:
        parts.append("… ")
    for token, hit in zip(tokens[start:end], hits[start:end], strict=True):
        escaped = html.escape(_flatten(token), quote=True)
        parts.append(f"<mark>{escaped}</mark>" if hit else escaped)
    if end < len(tokens):
        parts.append(" …")
    first_mark = next((i for i in range(start, end) if hits[i]), start)
    offset = sum(len(token) for token in tokens[:first_mark])
    return Snippet(re.sub(r"\s{2,}", " ", "".join(parts)).strip(), offset)


def _matches(word: str, query_terms: set[str], analyzer: TextAnalyzer) -> bool:
    lowered = word.lower()
    if len(lowered) < 2 or not query_terms:
        return False
    return not query_terms.isdisjoint(analyzer.word_terms(lowered))


def _best_window(word_positions: list[int], hits: list[bool], max_words: int) -> tuple[int, int]:
    """Token range [start, end) of the window of `max_words` words holding the most matches."""
    if len(word_positions) <= max_words:
        return 0, len(hits)
    hit_flags = [1 if hits[p] else 0 for p in word_positions]
    window = sum(hit_flags[:max_words])
    best, best_start = window, 0
    for first in range(1, len(word_positions) - max_words + 1):
        window += hit_flags[first + max_words - 1] - hit_flags[first - 1]
        if window > best:
            best, best_start = window, first
    # Start a few words before the first match, so it is read in context.
    if best > 0:
        first_hit = next(i for i in range(best_start, best_start + max_words) if hit_flags[i])
        best_start = max(0, min(first_hit - 8, len(word_positions) - max_words))
    start = word_positions[best_start]
    end_word = min(best_start + max_words, len(word_positions)) - 1
    return start, word_positions[end_word] + 1


def _flatten(token: str) -> str:
    """Line breaks become spaces; a bare paragraph break (e.g. after a heading) becomes a middle dot."""
    if "\n\n" in token and not token.strip():
        return " · "
    return token.replace("\n", " ")
