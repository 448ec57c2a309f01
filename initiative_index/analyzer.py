"""Text analysis for the lexical index: words -> stems, with compound parts for Scandinavian languages.

Danish, Swedish and Norwegian glue words together ("hjemmebehandling", "plejehjemsbeboere"), so a search
for "behandling i hjemmet" would miss a document about "hjemmebehandling" if the index held whole words only.
Like Lucene's dictionary compound filter, each long word is kept and, where it splits into known words
(wordfreq's word list for the language, allowing the linking letters -s- and -e-), its parts are added too.
Every term is then stemmed with the language's Snowball stemmer (PyStemmer). The same analyzer must run at
index and query time, so the lexical index records the language it was built with.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

import Stemmer
from bm25s import stopwords as bm25s_stopwords

from initiative_index.settings import Language

_WORD = re.compile(r"\w+", re.UNICODE)

_STOPWORDS = {
    "danish": bm25s_stopwords.STOPWORDS_DANISH,
    "swedish": bm25s_stopwords.STOPWORDS_SWEDISH,
    "norwegian": bm25s_stopwords.STOPWORDS_NORWEGIAN,
    "english": bm25s_stopwords.STOPWORDS_EN,
}
# Word lists for compound splitting; English compounds are mostly written apart, so none there.
_WORDFREQ_LANG = {"danish": "da", "swedish": "sv", "norwegian": "nb"}
_WORDFREQ_ANY_LANG = {**_WORDFREQ_LANG, "english": "en"}
# Zipf 5.5 and above: the few hundred most frequent words of the language ("flere", "bedre", "dag"), too
# general to name what a text is about.
COMMON_WORD_ZIPF = 5.5
LANGUAGE_WORD_ZIPF = 1.5  # words rarer than this in wordfreq's list do not count as words of the language
_LINKING_LETTERS = ("s", "e")
MIN_COMPOUND_LENGTH = 8
MIN_PART_LENGTH = 3
# wordfreq's Zipf scale (log10 of frequency per billion words): rare fragments make false splits,
# and three-letter parts ("sår", "kol") must be common words to count.
MIN_PART_ZIPF = 2.5
MIN_SHORT_PART_ZIPF = 4.0


class CompoundSplitter:
    """Splits a stemmed compound into known words (e.g. hjemmebehandl -> hjemme + behandl).

    Splitting the stem rather than the inflected word keeps endings from posing as parts
    ("plejehjemmet" is stemmed to "plejehjem" first, so "-met" is never a candidate). Heads must be
    dictionary words (optionally followed by a linking letter); the last part may be a word or a stem.
    """

    def __init__(self, wordfreq_lang: str, stemmer: Stemmer.Stemmer) -> None:
        import wordfreq

        # One dictionary read; zipf_frequency() per word would re-tokenise each of ~300k words.
        frequencies = wordfreq.get_frequency_dict(wordfreq_lang)

        def common_enough(word: str) -> bool:
            zipf = math.log10(frequencies[word] * 1e9)
            return zipf >= (MIN_SHORT_PART_ZIPF if len(word) == MIN_PART_LENGTH else MIN_PART_ZIPF)

        self._words = {
            word
            for word in frequencies
            if len(word) >= MIN_PART_LENGTH and word.isalpha() and common_enough(word)
        }
        self._stems = {stem for stem in stemmer.stemWords(list(self._words)) if len(stem) >= MIN_PART_LENGTH}
        self.split = lru_cache(maxsize=500_000)(self._split)

    def _head(self, text: str) -> str | None:
        if text in self._words:
            return text
        if len(text) > MIN_PART_LENGTH and text[-1] in _LINKING_LETTERS and text[:-1] in self._words:
            return text[:-1]
        return None

    def _split(self, stem: str) -> tuple[str, ...]:
        """The parts of a stemmed word (two or more), or () when it is not a known compound."""
        if len(stem) < MIN_COMPOUND_LENGTH:
            return ()
        # Longest head first: "plejehjems|bebo" before "pleje|hjemsbebo".
        for cut in range(len(stem) - MIN_PART_LENGTH, MIN_PART_LENGTH - 1, -1):
            head = self._head(stem[:cut])
            if head is None:
                continue
            tail = stem[cut:]
            tail_parts = (tail,) if (tail in self._stems or tail in self._words) else self._split(tail)
            if tail_parts:
                return (*(self._split(head) or (head,)), *tail_parts)
        return ()


class TextAnalyzer:
    """Turns text into index terms: lower-cased words without stopwords, stemmed, with compound parts."""

    def __init__(self, language: Language = "danish", split_compounds: bool = True) -> None:
        self.language = language
        self._stemmer = Stemmer.Stemmer(language)
        self._stopwords = frozenset(_STOPWORDS[language])
        lang = _WORDFREQ_LANG.get(language)
        self._splitter = CompoundSplitter(lang, self._stemmer) if (split_compounds and lang) else None
        self._terms_of_word = lru_cache(maxsize=1_000_000)(self._word_terms)
        self._zipf = lru_cache(maxsize=200_000)(self._word_zipf)
        self._language_stems: frozenset[str] | None = None

    def _word_zipf(self, word: str) -> float:
        import wordfreq

        return wordfreq.zipf_frequency(word, _WORDFREQ_ANY_LANG[self.language])

    def _word_terms(self, word: str) -> tuple[str, ...]:
        stem = self._stemmer.stemWord(word)
        parts = self._splitter.split(stem) if self._splitter else ()
        part_stems = self._stemmer.stemWords([part for part in parts if part not in self._stopwords])
        return tuple(dict.fromkeys([stem, *part_stems]))

    def words(self, text: str) -> list[str]:
        """The words of `text` that can match: lower-cased, at least two characters, no stopwords."""
        return [w for w in _WORD.findall(text.lower()) if len(w) > 1 and w not in self._stopwords]

    def terms(self, text: str) -> list[str]:
        """Index terms of `text`, in order; a compound contributes its stem and its parts' stems."""
        terms: list[str] = []
        for word in self.words(text):
            terms.extend(self._terms_of_word(word))
        return terms

    def is_stopword(self, word: str) -> bool:
        """Whether a lower-cased word is one of the language's stopwords."""
        return word in self._stopwords

    def is_common(self, word: str) -> bool:
        """Whether a lower-cased word is among the language's most frequent words (wordfreq)."""
        return self._zipf(word) >= COMMON_WORD_ZIPF

    def is_language_word(self, word: str) -> bool:
        """Whether a lower-cased word is a word of the language, inflected or not (wordfreq's list, by stem):
        "beskærer" is, "hjemmebehandlig" is not. Spelling correction leaves real words alone."""
        if self._zipf(word) > 0:
            return True
        if self._language_stems is None:
            import wordfreq

            words = wordfreq.get_frequency_dict(_WORDFREQ_ANY_LANG[self.language])
            threshold = 10 ** (LANGUAGE_WORD_ZIPF - 9)  # the dict holds frequencies, Zipf = log10(f * 1e9)
            known = [w for w, f in words.items() if f >= threshold and w.isalpha()]
            self._language_stems = frozenset(self._stemmer.stemWords(known))
        return self._stemmer.stemWord(word) in self._language_stems

    def in_english(self, words: list[str]) -> bool:
        """Whether a query is in English rather than the analyzer's language: most of its words, and at least
        two, are far more common in English ("video consultations nursing homes GP"; not a lone "COPD");
        always False for the English analyzer."""
        if self.language == "english":
            return False
        import wordfreq

        content = [w.lower() for w in words if len(w) > 2]
        english = [w for w in content if wordfreq.zipf_frequency(w, "en") > self._zipf(w) + 1.0]
        return len(english) >= 2 and len(english) * 2 > len(content)

    def zipf(self, word: str) -> float:
        """How common a lower-cased word is in the language: wordfreq's Zipf scale (0 = unknown, 7 = 'og')."""
        return self._zipf(word)

    def stem(self, word: str) -> str:
        """The stem of one lower-cased word (used to highlight matches)."""
        return self._stemmer.stemWord(word)

    def word_terms(self, word: str) -> tuple[str, ...]:
        """Terms one lower-cased word produces (its stem and its compound parts' stems)."""
        return self._terms_of_word(word)


@lru_cache(maxsize=8)
def get_analyzer(language: Language) -> TextAnalyzer:
    """One shared analyzer per language: building the compound dictionary takes a moment."""
    return TextAnalyzer(language)
