"""The thesaurus: groups of words staff use for the same thing (KOL / kronisk obstruktiv lungesygdom,
egen læge / praktiserende læge, skærmbesøg / videobesøg), applied to queries on the lexical side.

A YAML file the region can edit (the bundled Danish one is initiative_index/data/thesaurus.yaml; another
is a setting away), validated like initiative.yaml; `overblik thesaurus check FILE` names every problem.
A query term found in a group also searches the group's other terms, at a lower weight than the words
typed. Terms are matched as phrases of analysed words (stems), so "praktiserende læger" finds the group of
"praktiserende læge". An abbreviation written in capitals (KAT, PRO) that is also an everyday word only
matches when the query writes it in capitals too.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from initiative_index.analyzer import TextAnalyzer
from initiative_index.errors import ConfigurationError
from initiative_index.settings import Language

log = logging.getLogger("overblik.thesaurus")
BUNDLED = "bundled"
BUNDLED_THESAURUS = Path(__file__).parent / "data" / "thesaurus.yaml"
_WORD = re.compile(r"\w+")
# A lower-case query word may stand for an abbreviation only when it is rare as an everyday word
# (wordfreq Zipf below this): "kol" yes, "kat" and "pro" no.
ABBREVIATION_EVERYDAY_ZIPF = 3.5

Kind = Literal["abbreviation", "synonym", "everyday", "spelling"]
Term = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=80)]


class TermGroup(BaseModel):
    """Terms that mean the same thing to someone searching."""

    model_config = ConfigDict(extra="forbid")

    kind: Kind
    terms: list[Term] = Field(min_length=2, max_length=8)
    source: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2)] = Field(
        description="where the equivalence comes from: 'corpus', or a public terminology"
    )
    note: str | None = None

    @model_validator(mode="after")
    def _short_terms(self) -> TermGroup:
        long = [t for t in self.terms if len(t.split()) > 4]
        if long:
            raise ValueError(f"terms must be at most 4 words: {long[0]!r}")
        return self


class ThesaurusFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    language: Language = "danish"  # applied only to an index of this language
    groups: list[TermGroup]

    @model_validator(mode="after")
    def _terms_once(self) -> ThesaurusFile:
        seen: dict[str, int] = {}
        for number, group in enumerate(self.groups):
            for term in group.terms:
                key = term.casefold()
                if key in seen and seen[key] != number and not (group.note or self.groups[seen[key]].note):
                    raise ValueError(
                        f"the term {term!r} is in group {seen[key]} and group {number}: keep it in one "
                        "group, or explain its two senses in a note"
                    )
                seen.setdefault(key, number)
        return self


class ThesaurusError(ValueError):
    """A thesaurus file that cannot be used; the message names every problem."""


def parse_thesaurus(text: str, origin: str = "thesaurus") -> ThesaurusFile:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ThesaurusError(f"{origin}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ThesaurusError(f"{origin}: expected a mapping with 'groups'")
    try:
        return ThesaurusFile.model_validate(data)
    except ValidationError as exc:
        problems = [f"{'.'.join(map(str, e['loc'])) or '(file)'}: {e['msg']}" for e in exc.errors()]
        raise ThesaurusError(f"{origin}: " + "; ".join(problems)) from exc


@dataclass(frozen=True)
class Expansion:
    """A thesaurus term found in a query, and the other terms of its group (each a tuple of stems)."""

    found: str  # the query's words, as typed
    group: int
    alternatives: tuple[tuple[str, ...], ...]  # stems of each other term
    shown: tuple[str, ...]  # the other terms as written in the thesaurus


class Thesaurus:
    """A parsed thesaurus, indexed by the stems of its terms for one analyzer."""

    def __init__(self, parsed: ThesaurusFile, analyzer: TextAnalyzer) -> None:
        self.parsed = parsed
        self._analyzer = analyzer
        self._terms: list[list[tuple[tuple[str, ...], str, bool]]] = []  # group -> (stems, term, caps-only)
        self._by_first_stem: dict[str, list[tuple[int, int]]] = {}
        for g, group in enumerate(parsed.groups):
            entries = []
            for t, term in enumerate(group.terms):
                stems = tuple(analyzer.stem(w) for w in _WORD.findall(term.lower()))
                if not stems:
                    continue
                entries.append((stems, term, _capitals_only(term, analyzer)))
                self._by_first_stem.setdefault(stems[0], []).append((g, t))
            self._terms.append(entries)

    def __len__(self) -> int:
        return len(self.parsed.groups)

    def expansions(self, words: Sequence[str]) -> list[Expansion]:
        """Groups whose terms occur in `words` (the query's words, as typed, in order).

        The longest term wins where terms overlap: "egen læge" expands as a whole, not "læge" inside it."""
        stems = [self._analyzer.stem(w.lower()) for w in words]
        found: list[Expansion] = []
        used: set[int] = set()
        position = 0
        while position < len(stems):
            best: tuple[int, int] | None = None  # (length, group)
            for g, t in self._by_first_stem.get(stems[position], []):
                term_stems, _, capitals = self._terms[g][t]
                length = len(term_stems)
                if g in used or tuple(stems[position : position + length]) != term_stems:
                    continue
                if capitals and not words[position].isupper():
                    continue
                if best is None or length > best[0]:
                    best = (length, g)
            if best is None:
                position += 1
                continue
            length, g = best
            matched = tuple(stems[position : position + length])
            others = [(s, text) for s, text, _ in self._terms[g] if s != matched]
            found.append(
                Expansion(
                    " ".join(words[position : position + length]),
                    g,
                    tuple(s for s, _ in others),
                    tuple(text for _, text in others),
                )
            )
            used.add(g)
            position += length
        return found


def _capitals_only(term: str, analyzer: TextAnalyzer) -> bool:
    """An abbreviation that lower-cased is an everyday word (KAT -> kat) must be typed in capitals."""
    return (
        term.isupper()
        and len(term.split()) == 1
        and analyzer.zipf(term.lower()) >= ABBREVIATION_EVERYDAY_ZIPF
    )


def read_thesaurus(path: Path) -> ThesaurusFile:
    return parse_thesaurus(path.read_text(encoding="utf-8"), str(path))


@lru_cache(maxsize=4)
def load_thesaurus(setting: str, analyzer: TextAnalyzer) -> Thesaurus:
    """The thesaurus a setting names ('bundled', '' for none, or a path) for `analyzer`, read once."""
    if not setting:
        return Thesaurus(ThesaurusFile(groups=[]), analyzer)
    path = BUNDLED_THESAURUS if setting == BUNDLED else Path(setting)
    try:
        parsed = read_thesaurus(path)
    except OSError as exc:
        raise ConfigurationError(f"Cannot read the thesaurus OVERBLIK_THESAURUS={setting!r}: {exc}") from exc
    except ThesaurusError as exc:
        raise ConfigurationError(f"The thesaurus cannot be used: {exc}") from exc
    if parsed.language != analyzer.language:
        # A Danish thesaurus would stem its terms with another language's stemmer and add Danish words to,
        # say, a Norwegian index's queries: only a thesaurus of the index's language applies.
        log.info("thesaurus %s is %s, the index %s: not applied", path, parsed.language, analyzer.language)
        return Thesaurus(ThesaurusFile(groups=[], language=analyzer.language), analyzer)
    return Thesaurus(parsed, analyzer)
