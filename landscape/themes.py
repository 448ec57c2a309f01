"""Themes: every initiative gets one primary theme (and up to two secondary), discovered or named.

Discovery is Ward's agglomerative clustering on the combined representation (features.py): deterministic,
every initiative in some theme (no "outliers"), and themes of similar size. On the sample corpus it agreed
with a person's grouping at AMI 0.65, against 0.3 for k-means on the raw centroids (eval/README.md).
Above `LARGE` initiatives the full tree would not fit in memory, so MiniBatchKMeans first condenses the
collection into `MICRO_CLUSTERS` groups and Ward clusters those.

How many: about one theme per `INITIATIVES_PER_THEME` initiatives, between 8 and 20, fewer when a cut
would leave a theme with fewer than `MIN_THEME_SIZE` initiatives (themes.yaml may fix the number).

Named themes (themes.yaml) are matched to the discovered theme holding most of their pinned initiatives
and seed-term matches; a named theme nothing matches becomes a theme of its own. Pinned initiatives always
have the named theme as primary. Named themes keep their label and id whatever the documents say.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import MiniBatchKMeans

from landscape.features import SEED, Features, normalise
from landscape.keywords import PhraseWeights, theme_keywords, theme_label
from landscape.profiles import InitiativeProfiles
from landscape.steering import MAX_THEMES, MIN_THEMES, NamedTheme, ThemeSteering, slug, theme_id

INITIATIVES_PER_THEME = 7
MIN_THEME_SIZE = 3
LARGE = 3_000
MICRO_CLUSTERS = 400
MATCH_SHARE = 0.4  # a named theme takes over a discovered one holding this share of its pinned/seeded weight
# Another theme is secondary when the initiative's meaning (centred vector) is at least this close to it,
# relative to its own theme: about one initiative in six gets one on the sample corpus.
SECONDARY_RATIO = 0.5
MAX_SECONDARY = 2


@dataclass
class Theme:
    id: str
    label: str
    keywords: list[str]
    members: list[int]  # initiative rows whose primary theme this is
    named: bool = False


@dataclass
class ThemeAssignment:
    themes: list[Theme]
    primary: np.ndarray  # initiative row -> theme index
    secondary: list[list[int]]  # initiative row -> other theme indexes, closest first
    notes: list[str] = field(default_factory=list)  # steering that could not be honoured, for the log


def theme_count(initiatives: int, steering: ThemeSteering) -> int:
    if steering.theme_count is not None:
        return min(steering.theme_count, max(initiatives, 1))
    wanted = round(initiatives / INITIATIVES_PER_THEME)
    return max(1, min(max(MIN_THEMES, min(wanted, MAX_THEMES)), initiatives // MIN_THEME_SIZE or 1))


def discover(features: np.ndarray, count: int, fixed: bool = False) -> np.ndarray:
    """Cluster labels 0..k-1 for every row (k <= count; fewer when a cut leaves a theme too small)."""
    rows = len(features)
    if rows <= 1 or count <= 1:
        return np.zeros(rows, dtype=np.int64)
    micro: np.ndarray | None = None
    points = features.astype(np.float64)
    if rows > LARGE:
        kmeans = MiniBatchKMeans(MICRO_CLUSTERS, random_state=SEED, n_init=3, batch_size=4096).fit(points)
        micro, points = kmeans.labels_, kmeans.cluster_centers_
    tree = linkage(points, "ward")
    labels = _cut(tree, count)
    if not fixed and micro is None:
        for smaller in range(count - 1, MIN_THEMES - 1, -1):
            if np.bincount(labels).min() >= MIN_THEME_SIZE:
                break
            labels = _cut(tree, smaller)
    return labels[micro] if micro is not None else labels


def _cut(tree: np.ndarray, count: int) -> np.ndarray:
    labels = fcluster(tree, count, criterion="maxclust") - 1
    _, dense = np.unique(labels, return_inverse=True)
    return dense.astype(np.int64)


def assign_themes(
    profiles: InitiativeProfiles,
    features: Features,
    phrases: PhraseWeights,
    steering: ThemeSteering,
    analyse: Callable[[str], list[str]],
) -> ThemeAssignment:
    """Primary and secondary themes, labels and keywords for every initiative."""
    notes: list[str] = []
    count = theme_count(len(profiles), steering)
    labels = discover(features.combined, count, fixed=steering.theme_count is not None)
    groups: list[list[int]] = [list(np.flatnonzero(labels == c)) for c in range(int(labels.max()) + 1)]
    named: dict[int, NamedTheme] = {}  # group index -> the named theme it became
    if steering.themes:
        groups, named = _apply_named(profiles, features, steering, groups, analyse, notes)
        groups, named = _merge_to_count(features.combined, groups, named, count)
    keywords = theme_keywords(profiles, phrases, groups)
    themes = [
        Theme(
            id=theme_id(named[g]) if g in named else "",
            label=named[g].label if g in named else theme_label(keywords[g]),
            keywords=list(named[g].keywords) if g in named and named[g].keywords else keywords[g],
            members=sorted(members),
            named=g in named,
        )
        for g, members in enumerate(groups)
    ]
    themes.sort(key=lambda t: (not t.named, -len(t.members), t.label, t.members[:1]))
    _give_ids(themes)
    primary = np.zeros(len(profiles), dtype=np.int64)
    for index, theme in enumerate(themes):
        primary[theme.members] = index
    return ThemeAssignment(themes, primary, _secondary(features.meaning, primary, len(themes)), notes)


def _apply_named(
    profiles: InitiativeProfiles,
    features: Features,
    steering: ThemeSteering,
    groups: list[list[int]],
    analyse: Callable[[str], list[str]],
    notes: list[str],
) -> tuple[list[list[int]], dict[int, NamedTheme]]:
    position = profiles.position
    group_of = np.zeros(len(profiles), dtype=np.int64)
    for g, members in enumerate(groups):
        group_of[members] = g
    pinned: list[list[int]] = []
    seeded: list[np.ndarray] = []  # per named theme: how strongly each initiative uses its seed terms
    for theme in steering.themes:
        unknown = [i for i in theme.initiatives if i not in position]
        if unknown:
            notes.append(f"themes.yaml: {theme.label!r} pins unknown initiatives: {', '.join(unknown)}")
        pinned.append([position[i] for i in theme.initiatives if i in position])
        seeded.append(_seed_scores(features, [t for term in theme.seed_terms for t in analyse(term)]))
        if theme.seed_terms and not seeded[-1].any() and not pinned[-1]:
            notes.append(f"themes.yaml: no initiative uses the seed terms of {theme.label!r}")
    weights = [_pull(len(profiles), rows, seed) for rows, seed in zip(pinned, seeded, strict=True)]
    share = np.array(
        [[w[group_of == g].sum() / (w.sum() or 1.0) for g in range(len(groups))] for w in weights]
    )
    named: dict[int, NamedTheme] = {}
    for t, g in zip(*linear_sum_assignment(-share), strict=True):
        if share[t, g] >= MATCH_SHARE:
            named[int(g)] = steering.themes[int(t)]
    centroids = _centroids(features.combined, groups)
    own_similarity = np.einsum("ij,ij->i", features.combined, centroids[group_of])
    for t, theme in enumerate(steering.themes):
        if theme in named.values() or not weights[t].any():
            continue
        # Nothing discovered matches: a theme of its own, with its pinned initiatives and those using its
        # seed terms that are closer to it than to the theme they were in.
        anchor = normalise((features.combined * weights[t][:, None]).sum(axis=0, keepdims=True))[0]
        closer = (features.combined @ anchor > own_similarity) & (seeded[t] > 0)
        groups.append([])
        named[len(groups) - 1] = theme
        group_of[np.flatnonzero(closer)] = len(groups) - 1
    for g, theme in named.items():  # pinned initiatives always belong to their named theme
        group_of[pinned[steering.themes.index(theme)]] = g
    regrouped = [list(np.flatnonzero(group_of == g)) for g in range(len(groups))]
    keep = [g for g, members in enumerate(regrouped) if members or g in named]
    renumber = {g: i for i, g in enumerate(keep)}
    return [regrouped[g] for g in keep], {renumber[g]: theme for g, theme in named.items()}


def _pull(initiatives: int, pinned: list[int], seed: np.ndarray) -> np.ndarray:
    """A named theme's weight per initiative: its pinned ones and its seed-term matches, half each."""
    weight = np.zeros(initiatives)
    if pinned:
        weight[pinned] += 1.0 / len(pinned)
    if seed.sum() > 0:
        weight += seed / seed.sum()
    return weight


def _seed_scores(features: Features, stems: Sequence[str]) -> np.ndarray:
    """How strongly each initiative is about the seed terms (their TF-IDF weight)."""
    columns = [features.terms.index(s) for s in dict.fromkeys(stems) if s in features.terms]
    if not columns:
        return np.zeros(features.tfidf.shape[0])
    return np.asarray(features.tfidf[:, columns].sum(axis=1)).ravel()


def _merge_to_count(
    combined: np.ndarray, groups: list[list[int]], named: dict[int, NamedTheme], count: int
) -> tuple[list[list[int]], dict[int, NamedTheme]]:
    """While there are more themes than wanted, fold the smallest discovered one into its nearest theme."""
    groups = [list(g) for g in groups]
    while len(groups) > max(count, len(named)):
        discovered = [g for g in range(len(groups)) if g not in named]
        smallest = min(discovered, key=lambda g: (len(groups[g]), g))
        centroids = _centroids(combined, groups)
        similarity = centroids @ centroids[smallest]
        similarity[smallest] = -np.inf
        target = int(np.argmax(similarity))
        groups[target] += groups[smallest]
        del groups[smallest]
        named = {(g - 1 if g > smallest else g): theme for g, theme in named.items()}
    return groups, named


def _centroids(combined: np.ndarray, groups: Sequence[Sequence[int]]) -> np.ndarray:
    rows = [combined[list(m)].mean(axis=0) if len(m) else np.zeros(combined.shape[1]) for m in groups]
    return normalise(np.vstack(rows))


def _secondary(meaning: np.ndarray, primary: np.ndarray, themes: int) -> list[list[int]]:
    """Up to MAX_SECONDARY other themes an initiative is about, relative to how close it is to its own."""
    similarity = meaning @ theme_centroids(meaning, primary, themes).T
    return [secondary_themes(similarity[row], own) for row, own in enumerate(primary.tolist())]


def theme_centroids(rows: np.ndarray, primary: np.ndarray, themes: int) -> np.ndarray:
    """Each theme's mean row, L2-normalised (the centre its members' similarity is measured to)."""
    return _centroids(rows, [np.flatnonzero(primary == t) for t in range(themes)])


def secondary_themes(similarity: np.ndarray, own: int) -> list[int]:
    """The other themes one initiative is about, given its similarity to every theme's meaning centroid."""
    bar = SECONDARY_RATIO * similarity[own]
    order = [int(t) for t in np.argsort(-similarity, kind="stable") if t != own]
    return [t for t in order[:MAX_SECONDARY] if similarity[t] >= bar and bar > 0]


def ward_nearest(rows: np.ndarray, means: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """For each row, the theme Ward's criterion would add it to: the least increase in within-theme variance,
    n/(n + 1) · |x − mean|², with a theme's (unnormalised) mean and size in the combined representation."""
    distance = (rows**2).sum(axis=1)[:, None] - 2 * rows @ means.T + (means**2).sum(axis=1)[None, :]
    cost = distance * (sizes / (sizes + 1.0))[None, :]
    cost[:, sizes == 0] = np.inf  # a theme left empty by removals takes no one
    return np.argmin(cost, axis=1)


def _give_ids(themes: list[Theme]) -> None:
    """Named themes keep theirs; discovered ones get their label's slug, made unique."""
    taken = {theme.id for theme in themes if theme.named}
    for theme in themes:
        if theme.named:
            continue
        base = slug(theme.label)
        candidate, n = base, 2
        while candidate in taken:
            candidate, n = f"{base}-{n}", n + 1
        theme.id = candidate
        taken.add(candidate)
