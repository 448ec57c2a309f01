"""Keywords and labels of themes: class-based TF-IDF over stems, shown as people write them.

Each initiative is a TF-IDF vector over its keyword candidates (whole-word stems, two-word phrases, tags;
see profiles.py), with sublinear term frequency so that one long document cannot outweigh the rest. A
theme's score for a candidate is its mean weight inside the theme minus its mean weight outside: the
class-based TF-IDF of BERTopic, with the contrast made explicit, so words every theme uses ("borgere",
"kommunens") fall away. A candidate must occur in at least two of the theme's initiatives, so one
initiative's pet words do not name a theme. Stems are never shown: each keyword is the form its stem was
written in most often (an abbreviation written in capitals stays in capitals). Stopwords never become
candidates; place names (municipalities, clusters, the region's landscapes, and any the region lists in
themes.yaml) are left out, because a theme is what the region works on, not where.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfTransformer

from initiative_index.schema import CLUSTER_LABELS
from initiative_index.vocabulary import MUNICIPALITY_SUFFIX
from landscape.profiles import InitiativeProfiles

MAX_KEYWORDS = 8
MIN_KEYWORDS = 3
# North Jutland's landscapes and region names, which documents use as places; a region elsewhere adds its
# own in themes.yaml (`exclude_keywords`). Municipalities and clusters come from the metadata itself.
REGION_PLACE_WORDS = (
    "nordjylland", "nordjyske", "nordjysk", "thy", "mors", "himmerland", "vendsyssel", "hanherred",
    "danmark", "region", "regionen", "regionens",
)  # fmt: skip


@dataclass
class PhraseWeights:
    """TF-IDF of every initiative's keyword candidates (rows follow the profiles)."""

    keys: np.ndarray  # candidate keys (stems joined by spaces), sorted
    weights: sparse.csr_matrix
    present: sparse.csr_matrix  # 1 where the initiative has the candidate

    @classmethod
    def build(cls, profiles: InitiativeProfiles, excluded: set[str]) -> PhraseWeights:
        vectorizer = DictVectorizer(dtype=np.float64)
        candidates = [
            {k: n for k, n in counts.items() if not _excluded(k, excluded)} for counts in profiles.phrases
        ]
        counts = sparse.csr_matrix(vectorizer.fit_transform(candidates))
        weights = sparse.csr_matrix(TfidfTransformer(sublinear_tf=True).fit_transform(counts))
        present = sparse.csr_matrix((counts > 0).astype(np.float64))
        return cls(vectorizer.get_feature_names_out(), weights, present)

    def shared(self, a: int, b: int, profiles: InitiativeProfiles, limit: int = 3) -> list[str]:
        """The keywords two initiatives share, by the smaller of their two weights, as shown."""
        both = self.weights[a].minimum(self.weights[b]).tocoo()
        order = sorted(zip(both.data.tolist(), both.col.tolist(), strict=True), key=lambda x: (-x[0], x[1]))
        chosen: list[str] = []
        shown: list[str] = []
        for _, column in order:
            key = str(self.keys[column])
            if len(shown) >= limit:
                break
            if not _overlaps(key, chosen):
                chosen.append(key)
                shown.append(surface_form(profiles.surface[key]))
        return shown


def theme_keywords(
    profiles: InitiativeProfiles, phrases: PhraseWeights, members: Sequence[Sequence[int]]
) -> list[list[str]]:
    """The most distinctive keywords of each theme (lists of initiative rows), best first, as shown."""
    total = np.asarray(phrases.weights.sum(axis=0)).ravel()
    everyone = len(profiles)
    keywords: list[list[str]] = []
    for rows in members:
        rows = list(rows)
        inside_sum = np.asarray(phrases.weights[rows].sum(axis=0)).ravel()
        outside = (total - inside_sum) / max(everyone - len(rows), 1)
        scores = inside_sum / max(len(rows), 1) - outside
        support = np.asarray(phrases.present[rows].sum(axis=0)).ravel()
        chosen = _best(scores, support, phrases.keys, profiles, needed=2 if len(rows) >= 3 else 1)
        if len(chosen) < MIN_KEYWORDS:  # a theme of very varied initiatives: take single mentions too
            chosen = _best(scores, support, phrases.keys, profiles, needed=1)
        keywords.append(chosen)
    return keywords


def _best(
    scores: np.ndarray, support: np.ndarray, keys: np.ndarray, profiles: InitiativeProfiles, needed: int
) -> list[str]:
    eligible = np.where(support >= needed, scores, 0.0)
    chosen_keys: list[str] = []
    shown: list[str] = []
    for index in np.lexsort((keys, -eligible)):  # ties by key, so the order never depends on chance
        if eligible[index] <= 0 or len(shown) >= MAX_KEYWORDS:
            break
        key = str(keys[index])
        if _overlaps(key, chosen_keys):
            continue
        chosen_keys.append(key)
        shown.append(surface_form(profiles.surface[key]))
    return shown


def _excluded(key: str, excluded: set[str]) -> bool:
    return any(stem in excluded for stem in key.split())


def _overlaps(key: str, chosen: Iterable[str]) -> bool:
    """A candidate that repeats a chosen one: a shared stem, or one word the start of the other
    ('demens' / 'demenskoordinator', 'telemedicin' / 'telemedicinsk')."""
    stems = key.split()
    for other in chosen:
        for a in stems:
            for b in other.split():
                if a == b or a.startswith(b) or b.startswith(a):
                    return True
    return False


def surface_form(forms: Counter[str]) -> str:
    """How people write a keyword: the most frequent lower-case form, unless it is mostly written in
    capitals (an abbreviation: KOL, FMK) or always capitalised (a name: NetPsyk)."""
    lower = Counter({form: n for form, n in forms.items() if form == form.lower()})
    capitals = Counter({form: n for form, n in forms.items() if form.isupper() and len(form) > 1})
    if capitals and sum(capitals.values()) > sum(lower.values()):
        return _most_common(capitals)
    if lower:
        return _most_common(lower)
    return _most_common(forms)


def _most_common(forms: Counter[str]) -> str:
    return min(forms.items(), key=lambda item: (-item[1], len(item[0]), item[0]))[0]


def theme_label(keywords: Sequence[str]) -> str:
    """A readable Danish label from the two best keywords: 'Demens og aflastning'."""
    if not keywords:
        return "Øvrige initiativer"
    first = _capitalised(keywords[0])
    return first if len(keywords) == 1 else f"{first} og {keywords[1]}"


def _capitalised(word: str) -> str:
    return word if word[:1].isupper() else word[:1].upper() + word[1:]


def place_words(records: Iterable[dict], stem: Callable[[str], str], extra: Iterable[str] = ()) -> set[str]:
    """Stems of place names to leave out of keywords: municipalities, clusters, the region's landscapes."""
    names = [
        organisation.removesuffix(MUNICIPALITY_SUFFIX)
        for record in records
        for organisation in record.get("organisations", [])
        if organisation.endswith(MUNICIPALITY_SUFFIX)
    ]
    names += [label.split()[-1] for label in CLUSTER_LABELS.values()]
    names += [*REGION_PLACE_WORDS, *extra]
    return {stem(word) for name in names for word in re.findall(r"\w+", name.lower())}
