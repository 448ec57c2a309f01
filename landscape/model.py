"""The landscape of one index version: themes, the same idea elsewhere, the map and nearest neighbours.

Computed once per index version and steering (themes.yaml), at the end of ingestion or by the first API
process that needs it, and saved as JSON next to the lexical index; the same inputs always give the same
landscape. Requests only read it: a filtered or searched overview is a count over a subset of it.

In full when the version's segments have a new base (incremental.py: "full at every compaction,
incremental in between"), else derived from the previous version's landscape by its change.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import numpy as np

from initiative_index.analyzer import TextAnalyzer
from initiative_index.snapshot import IndexSnapshot
from initiative_index.store import ChunkStore
from landscape.features import build_features
from landscape.keywords import PhraseWeights, place_words
from landscape.layout import layout
from landscape.overlaps import find_overlaps, nearest_candidates
from landscape.profiles import InitiativeProfiles, build_profiles, initiative_vectors
from landscape.space import FeatureSpace
from landscape.steering import SteeringError, ThemeSteering, parse_steering
from landscape.themes import assign_themes, theme_centroids

log = logging.getLogger("overblik.landscape")

LANDSCAPE_FORMAT = 1  # bump when what is computed changes, so saved landscapes are recomputed
NEIGHBOURS_KEPT = 10


@dataclass
class ThemeInfo:
    id: str
    label: str
    keywords: list[str]
    named: bool


@dataclass
class OverlapInfo:
    initiatives: tuple[str, str]
    score: float
    reason: str
    shared_target_groups: list[str]
    shared_keywords: list[str]


@dataclass
class Landscape:
    """Everything the overview shows that does not depend on a request."""

    version: str
    key: str  # index version + steering + format: what the saved copy is valid for
    themes: list[ThemeInfo]
    theme_of: dict[str, str]  # initiative id -> primary theme id
    secondary_of: dict[str, list[str]]
    position: dict[str, tuple[float, float]]  # initiative id -> (x, y) in [0, 1]
    overlaps: list[OverlapInfo]  # best first
    neighbours: dict[str, list[tuple[str, float]]]  # initiative id -> most similar others, best first
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    built: str = "full"  # "full", or "incremental": derived from the landscape of `derived_from`
    derived_from: str = ""  # the index version of the landscape this one was derived from
    base: str = ""  # the base segment of the version (a new base means a full computation)
    # What the themes, overlaps and neighbours were computed on, saved next to the JSON (space.py);
    # not part of the JSON.
    space: FeatureSpace | None = field(default=None, repr=False, compare=False)

    @property
    def theme_by_id(self) -> dict[str, ThemeInfo]:
        return {theme.id: theme for theme in self.themes}

    # -- persistence -----------------------------------------------------------------------------

    def to_json(self) -> str:
        data = {
            f.name: [asdict(item) for item in value] if f.name in ("themes", "overlaps") else value
            for f in fields(self)
            if f.name != "space"
            for value in [getattr(self, f.name)]
        }
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Landscape:
        data = json.loads(text)
        return cls(
            version=data["version"],
            key=data["key"],
            themes=[ThemeInfo(**theme) for theme in data["themes"]],
            theme_of=data["theme_of"],
            secondary_of=data["secondary_of"],
            position={i: (xy[0], xy[1]) for i, xy in data["position"].items()},
            overlaps=[OverlapInfo(**{**o, "initiatives": tuple(o["initiatives"])}) for o in data["overlaps"]],
            neighbours={i: [(other, score) for other, score in n] for i, n in data["neighbours"].items()},
            notes=data.get("notes", []),
            seconds=data.get("seconds", 0.0),
            built=data.get("built", "full"),
            derived_from=data.get("derived_from", ""),
            base=data.get("base", ""),
        )

    def save(self, root: Path) -> Path:
        """Write atomically under `root` (the feature space first: a JSON without one is only never derived
        from); older landscapes there are removed."""
        root.mkdir(parents=True, exist_ok=True)
        target = root / f"{self.key}.json"
        space = self.space.save(root, self.key) if self.space is not None else None
        handle, staging = tempfile.mkstemp(prefix=".building-", suffix=".json", dir=root)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(self.to_json())
        os.replace(staging, target)
        for entry in root.iterdir():
            if entry in (target, space) or entry.name.startswith(".building-"):
                continue
            if entry.suffix in (".json", ".npz"):
                entry.unlink(missing_ok=True)
        return target

    @classmethod
    def load(cls, root: Path, key: str) -> Landscape | None:
        try:
            return cls.from_json((root / f"{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    @classmethod
    def load_previous(cls, root: Path, key: str) -> Landscape | None:
        """The saved landscape of another version (same steering and format) with its feature space."""
        suffix = key.rsplit("-", 1)[1]
        for entry in sorted(root.glob(f"*-{suffix}.json")) if root.is_dir() else []:
            if entry.stem == key:
                continue
            previous = cls.load(root, entry.stem)
            if previous is not None:
                previous.space = FeatureSpace.load(root, entry.stem)
                if previous.space is not None:
                    return previous
        return None


def landscape_key(version: str, steering: ThemeSteering) -> str:
    """What a saved landscape is valid for: the index version, the steering and this code's format."""
    digest = hashlib.sha256(f"{LANDSCAPE_FORMAT}\0{steering.model_dump_json()}".encode()).hexdigest()
    return f"{version}-{digest[:12]}"


def compute_landscape(store: ChunkStore, snapshot: IndexSnapshot, steering: ThemeSteering) -> Landscape:
    """Themes, overlaps, map and neighbours of every initiative in the snapshot."""
    started = time.perf_counter()
    profiles = build_profiles(snapshot, initiative_vectors(store, snapshot))
    landscape = landscape_of(profiles, steering, snapshot.lexical.analyzer, snapshot.version)
    landscape.base = snapshot.view.base
    landscape.seconds = round(time.perf_counter() - started, 3)
    return landscape


def landscape_of(
    profiles: InitiativeProfiles, steering: ThemeSteering, analyzer: TextAnalyzer, version: str
) -> Landscape:
    """The landscape of given initiative profiles (the step after reading them from the index)."""
    ids = profiles.ids
    key = landscape_key(version, steering)
    if not ids:
        return Landscape(version, key, [], {}, {}, {}, [], {})
    features = build_features(profiles)
    phrases = PhraseWeights.build(
        profiles, place_words(profiles.records, analyzer.stem, steering.exclude_keywords)
    )
    assignment = assign_themes(profiles, features, phrases, steering, analyzer.terms)
    candidates = nearest_candidates(features.combined)
    overlaps = find_overlaps(profiles, features, phrases, candidates)
    coordinates = layout(features.combined)
    themes = assignment.themes
    members = np.bincount(assignment.primary, minlength=len(themes))
    space = FeatureSpace(
        ids=list(ids),
        combined=features.combined,
        candidates=candidates,
        centre=features.centre,  # type: ignore[arg-type]
        terms=features.terms,
        idf=features.idf,  # type: ignore[arg-type]
        components=features.components,
        theme_sums=np.vstack(
            [
                features.combined[assignment.primary == t].astype(np.float64).sum(axis=0)
                for t in range(len(themes))
            ]
        ),
        theme_sizes=members.astype(np.float64),
        theme_meaning=theme_centroids(features.meaning, assignment.primary, len(themes)),
    )
    return Landscape(
        version=version,
        key=key,
        themes=[ThemeInfo(t.id, t.label, t.keywords, t.named) for t in themes],
        theme_of={ids[row]: themes[t].id for row, t in enumerate(assignment.primary.tolist())},
        secondary_of={
            ids[row]: [themes[t].id for t in others] for row, others in enumerate(assignment.secondary)
        },
        position={ids[row]: (float(x), float(y)) for row, (x, y) in enumerate(coordinates.tolist())},
        overlaps=[
            OverlapInfo(
                (ids[o.a], ids[o.b]),
                o.score,
                o.reason(),
                list(o.shared_target_groups),
                list(o.shared_keywords),
            )
            for o in overlaps
        ],
        neighbours=nearest_neighbours(features.combined, ids),
        notes=assignment.notes,
        space=space,
    )


def nearest_neighbours(
    combined: np.ndarray, ids: list[str], rows: np.ndarray | None = None, block: int = 2_048
) -> dict[str, list[tuple[str, float]]]:
    """The NEIGHBOURS_KEPT most similar others of every initiative (or of those at `rows`), best first."""
    keep = min(NEIGHBOURS_KEPT, len(ids) - 1)
    wanted = np.arange(len(ids)) if rows is None else np.asarray(rows, dtype=np.int64)
    result: dict[str, list[tuple[str, float]]] = {}
    for start in range(0, len(wanted), block):
        similarity = combined[wanted[start : start + block]] @ combined.T
        for offset, row in enumerate(similarity):
            me = int(wanted[start + offset])
            row[me] = -np.inf
            best = np.argsort(-row, kind="stable")[:keep] if keep > 0 else []
            result[ids[me]] = [(ids[other], round(float(row[other]), 4)) for other in best]
    return result


def ensure_landscape(
    store: ChunkStore, snapshot: IndexSnapshot, steering: ThemeSteering, root: Path, save: bool = True
) -> Landscape:
    """The saved landscape of this version and steering, or a new one (saved when `save`)."""
    key = landscape_key(snapshot.version, steering)
    saved = Landscape.load(root, key)
    if saved is not None:
        return saved
    landscape = None
    previous = Landscape.load_previous(root, key)
    if previous is not None:
        from landscape.incremental import derive_landscape  # it builds on this module

        landscape = derive_landscape(previous, store, snapshot, steering)
    if landscape is None:
        landscape = compute_landscape(store, snapshot, steering)
        for note in landscape.notes:
            log.warning(note)
    if save:
        landscape.save(root)
    log.info(
        "landscape of %d initiatives computed (%s) in %.1f s",
        len(landscape.theme_of),
        landscape.built,
        landscape.seconds,
    )
    return landscape


def stored_steering(store: ChunkStore) -> ThemeSteering:
    """The themes.yaml stored with the index, validated (an unreadable one counts as none, with a warning)."""
    stored = store.read_steering()
    if stored is None:
        return ThemeSteering()
    try:
        return parse_steering(stored.text, stored.source)
    except SteeringError as exc:
        log.warning("ignoring the stored themes file: %s", exc)
        return ThemeSteering()
