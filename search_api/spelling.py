"""»Mente du …?«: corrections of misspelt query words from the index's own vocabulary (symspellpy).

The dictionary is every word the indexed texts contain, with its frequency, so a correction is always a
word some initiative uses ("hjemmebehandlig" -> "hjemmebehandling", "kordinator" -> "koordinator"). Only
words the index does not know are corrected; short words and numbers are left alone, and a correction two
edits away must be a longer word, because two edits turn any short string into some real word.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping

from symspellpy import SymSpell, Verbosity

MAX_EDITS = 2
MIN_LENGTH = 4  # shorter words are abbreviations or typos too ambiguous to correct
MIN_LENGTH_FOR_TWO_EDITS = 14  # "mortgage" is not two edits from "modtage"; "sundhedsjournelen" is one
_WORD = re.compile(r"[^\W\d_]+")


class SpellChecker:
    """Corrections drawn from the words of the index."""

    def __init__(self, counts: Mapping[str, int], base: SpellChecker | None = None) -> None:
        """`counts`: how often each lower-cased word occurs in the index (the segments count them); `base`:
        the checker of the base segment, which a delta's words extend (building one takes a while)."""
        self._base = base
        counts = {word: count for word, count in counts.items() if len(word) >= MIN_LENGTH}
        self._known = set(counts)
        self._symspell = SymSpell(max_dictionary_edit_distance=MAX_EDITS, prefix_length=7)
        for word, count in counts.items():
            self._symspell.create_dictionary_entry(word, count)

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> SpellChecker:
        return cls(Counter(word for text in texts for word in _WORD.findall(text.lower())))

    def known(self, word: str) -> bool:
        return word.lower() in self._known or (self._base is not None and self._base.known(word))

    def correct(self, word: str) -> str | None:
        """The index word `word` was likeliest meant as, or None (known, too short, nothing close)."""
        lower = word.lower()
        if len(lower) < MIN_LENGTH or not lower.isalpha() or self.known(lower):
            return None
        edits = MAX_EDITS if len(lower) >= MIN_LENGTH_FOR_TWO_EDITS else 1
        suggestions = self._lookup(lower, edits)
        if not suggestions:
            return None
        best = min(suggestions, key=lambda s: (s.distance, -s.count, s.term))
        return best.term if best.term != lower else None

    def _lookup(self, word: str, edits: int) -> list:
        found = self._symspell.lookup(word, Verbosity.CLOSEST, max_edit_distance=edits)
        return found + (self._base._lookup(word, edits) if self._base is not None else [])
