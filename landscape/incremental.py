"""An incremental landscape: the previous version's, changed only where the documents changed.

Like the segments (initiative_index/segment_view.py), the landscape is computed in full at every new base
and derived in between: a version whose segments are a delta over the same base as the version of the
previous landscape (same steering), and that changed at most INCREMENTAL_SHARE of the initiatives (and at most
INCREMENTAL_MAX), keeps the previous themes (ids, labels, keywords) and everything about unchanged
initiatives. "Changed" counts from the base: every initiative with a chunk in the delta or a replaced base
chunk, so a chain of derived landscapes never drifts further from a full computation than its change.

A changed or new initiative is put in the previous computation's feature space (the same mean vector, term
IDF and LSA axes: space.py) and given the theme Ward's criterion would add it to (the least increase in
within-theme variance over the full computation's members), its pinned named theme if themes.yaml pins it,
and secondary themes by the same rule as the full computation. Its overlaps and nearest neighbours are
computed against every initiative; an unchanged initiative gains a changed one as neighbour or overlap
partner when it is closer than its farthest kept one, and re-ranks its own when one of them changed or was
removed. A removed initiative leaves no trace. A changed initiative is placed on the map at the
similarity-weighted mean of its nearest unchanged neighbours' positions. Pairs between unchanged initiatives,
and their shared keywords, are carried over.

Why 2 %: the themes of a full computation are discovered over every initiative, about seven per theme; a
derived landscape cannot discover a new theme or split one, so it is kept to changes too small to make one
(2 % of the initiatives is well under one theme's share, 1/8 to 1/20) and a new base recomputes all.
The absolute cap (1,000) bounds the work: each changed initiative costs a pass over every initiative's
combined row (at 100,000 initiatives about 0.1 s).
"""

from __future__ import annotations

import time

import numpy as np

from initiative_index.snapshot import IndexSnapshot
from initiative_index.store import ChunkStore
from landscape.features import project_features
from landscape.keywords import PhraseWeights, place_words
from landscape.model import NEIGHBOURS_KEPT, Landscape, OverlapInfo, landscape_key, nearest_neighbours
from landscape.overlaps import MIN_SCORE, Candidates, apart, describe, nearest_candidates, pair_bonus
from landscape.profiles import build_profiles, initiative_vectors
from landscape.space import FeatureSpace
from landscape.steering import ThemeSteering, theme_id
from landscape.themes import secondary_themes, ward_nearest

INCREMENTAL_SHARE = 0.02
INCREMENTAL_MAX = 1_000
PLACEMENT_NEIGHBOURS = 5  # a changed initiative's map position: the mean of this many nearest unchanged ones
NOTE = "incremental:"


def touched_initiatives(snapshot: IndexSnapshot) -> set[str]:
    """Initiatives with a chunk changed since the version's base: in the delta, or a replaced base chunk."""
    if len(snapshot.parts) < 2 or snapshot.alive is None:
        return set()
    base, delta = snapshot.parts
    touched = {delta.initiatives[code] for code in np.unique(delta.initiative_codes).tolist()}
    dead = np.flatnonzero(~snapshot.alive[: base.rows])
    touched |= {base.initiatives[code] for code in np.unique(base.initiative_codes[dead]).tolist()}
    return touched


def derive_landscape(
    previous: Landscape, store: ChunkStore, snapshot: IndexSnapshot, steering: ThemeSteering
) -> Landscape | None:
    """This version's landscape derived from `previous` (with its feature space), or None when it must be
    computed in full: a new base, no feature space, or too large a change."""
    started = time.perf_counter()
    space = previous.space
    if space is None or not previous.base or previous.base != snapshot.view.base:
        return None
    if previous.version >= snapshot.version:  # versions are timestamps: derive only from an older one
        return None
    ids = list(snapshot.initiative_ids)
    current, before = set(ids), set(space.ids)
    changed = sorted((touched_initiatives(snapshot) & current) | (current - before))
    removed = before - current
    if len(changed) + len(removed) > min(INCREMENTAL_MAX, INCREMENTAL_SHARE * len(space.ids)):
        return None
    changed_set = set(changed)
    gone = changed_set | removed  # what the previous landscape says about these is stale
    position = snapshot.initiative_position
    changed_rows = np.array([position[i] for i in changed], dtype=np.int64)

    profiles = build_profiles(snapshot, initiative_vectors(store, snapshot, changed_rows), changed_rows)
    fresh, meaning = project_features(profiles, space.centre, space.terms, space.idf, space.components)
    old_row = {initiative_id: row for row, initiative_id in enumerate(space.ids)}
    kept_rows = np.array([r for r, i in enumerate(ids) if i not in changed_set], dtype=np.int64)
    combined = np.empty((len(ids), space.combined.shape[1]), dtype=np.float32)
    combined[kept_rows] = space.combined[[old_row[ids[r]] for r in kept_rows.tolist()]]
    combined[changed_rows] = fresh

    theme_of, secondary_of = _themes(previous, space, steering, changed, fresh, meaning)
    neighbours = _neighbours(previous, combined, ids, changed_rows, gone)
    candidates, pairs = _candidates(space, combined, ids, changed_rows, gone)
    overlaps = _overlaps(previous, snapshot, combined, ids, pairs, gone, steering)
    positions = _positions(previous, combined, ids, changed_rows, gone)
    space = FeatureSpace(
        ids=ids,
        combined=combined,
        candidates=candidates,
        centre=space.centre,
        terms=space.terms,
        idf=space.idf,
        components=space.components,
        theme_sums=space.theme_sums,
        theme_sizes=space.theme_sizes,
        theme_meaning=space.theme_meaning,
    )
    notes = [note for note in previous.notes if not note.startswith(NOTE)]
    notes.append(f"{NOTE} {len(changed)} changed and {len(removed)} removed since the base {previous.base}")
    return Landscape(
        version=snapshot.version,
        key=landscape_key(snapshot.version, steering),
        themes=previous.themes,
        theme_of={i: theme_of[i] for i in ids},
        secondary_of={i: secondary_of[i] for i in ids},
        position={i: positions[i] for i in ids},
        overlaps=overlaps,
        neighbours={i: neighbours[i] for i in ids},
        notes=notes,
        seconds=round(time.perf_counter() - started, 3),
        built="incremental",
        derived_from=previous.version,
        base=snapshot.view.base,
        space=space,
    )


def _themes(
    previous: Landscape,
    space: FeatureSpace,
    steering: ThemeSteering,
    changed: list[str],
    fresh: np.ndarray,
    meaning: np.ndarray,
) -> tuple[dict[str, str], dict[str, list[str]]]:
    themes = previous.themes
    index = {theme.id: t for t, theme in enumerate(themes)}
    theme_of = dict(previous.theme_of)
    secondary_of = dict(previous.secondary_of)
    sizes = space.theme_sizes
    means = space.theme_sums / np.where(sizes == 0, 1.0, sizes)[:, None]
    nearest = ward_nearest(fresh.astype(np.float64), means, sizes) if len(changed) else []
    pinned = {i: theme_id(named) for named in steering.themes for i in named.initiatives}
    for k, initiative_id in enumerate(changed):
        own = index.get(pinned.get(initiative_id, ""), int(nearest[k]))
        theme_of[initiative_id] = themes[own].id
        similarity = space.theme_meaning @ meaning[k].astype(np.float64)
        secondary_of[initiative_id] = [themes[t].id for t in secondary_themes(similarity, own)]
    return theme_of, secondary_of


def _neighbours(
    previous: Landscape, combined: np.ndarray, ids: list[str], changed_rows: np.ndarray, gone: set[str]
) -> dict[str, list[tuple[str, float]]]:
    keep = min(NEIGHBOURS_KEPT, len(ids) - 1)
    result = nearest_neighbours(combined, ids, changed_rows)
    similarity = combined @ combined[changed_rows].T  # (initiatives, changed)
    similarity[changed_rows, np.arange(len(changed_rows))] = -np.inf
    changed_ids = [ids[r] for r in changed_rows.tolist()]
    redo: list[int] = []
    for row, initiative_id in enumerate(ids):
        if initiative_id in result:
            continue
        old = previous.neighbours.get(initiative_id, [])
        kept = [(other, score) for other, score in old if other not in gone]
        if len(kept) < len(old) or len(old) < keep:  # one left (or was short): re-rank over everyone
            redo.append(row)
            continue
        floor = kept[-1][1] if kept else -np.inf
        closer = [
            (changed_ids[k], round(float(similarity[row, k]), 4))
            for k in np.flatnonzero(similarity[row] >= floor).tolist()
        ]
        if closer:
            kept = sorted(kept + closer, key=lambda pair: -pair[1])[:keep]
        result[initiative_id] = kept
    result.update(nearest_neighbours(combined, ids, np.array(redo, dtype=np.int64)))
    return result


def _candidates(
    space: FeatureSpace, combined: np.ndarray, ids: list[str], changed_rows: np.ndarray, gone: set[str]
) -> tuple[Candidates, set[tuple[int, int]]]:
    """Every initiative's overlap partners in the new rows, and the pairs that are new: those of changed
    initiatives, of unchanged ones that re-ranked, and of unchanged ones a changed one came closer to."""
    new_row = {initiative_id: row for row, initiative_id in enumerate(ids)}
    old_to_new = np.array([new_row.get(i, -1) if i not in gone else -1 for i in space.ids], dtype=np.int64)
    width = space.candidates.rows.shape[1]
    rows = np.zeros((len(ids), width), dtype=np.int64)
    similarity = np.zeros((len(ids), width), dtype=np.float64)
    redo: list[int] = []
    for old, new in enumerate(old_to_new.tolist()):
        if new < 0:
            continue
        mapped = old_to_new[space.candidates.rows[old]]
        if (mapped < 0).any():
            redo.append(new)
        rows[new], similarity[new] = mapped, space.candidates.similarity[old]
    pairs: set[tuple[int, int]] = set()
    fresh_rows = np.unique(np.concatenate([changed_rows, np.array(redo, dtype=np.int64)]))
    if width and len(fresh_rows):
        fresh = nearest_candidates(combined, fresh_rows)
        rows[fresh_rows], similarity[fresh_rows] = fresh.rows, fresh.similarity
        pairs |= {
            (int(me), int(other))
            for me, others in zip(fresh_rows, fresh.rows, strict=True)
            for other in others
        }
    if width and len(changed_rows):
        # An unchanged initiative a changed one is closer to than its farthest partner takes it instead.
        changed_similarity = combined @ combined[changed_rows].T
        changed_similarity[changed_rows, :] = -np.inf
        changed_similarity[fresh_rows, :] = -np.inf
        for row, k in zip(*np.nonzero(changed_similarity >= similarity.min(axis=1)[:, None]), strict=True):
            farthest = int(np.argmin(similarity[row]))
            if changed_similarity[row, k] >= similarity[row, farthest]:
                rows[row, farthest] = changed_rows[k]
                similarity[row, farthest] = changed_similarity[row, k]
                pairs.add((int(row), int(changed_rows[k])))
    return Candidates(rows, similarity), pairs


def _overlaps(
    previous: Landscape,
    snapshot: IndexSnapshot,
    combined: np.ndarray,
    ids: list[str],
    pairs: set[tuple[int, int]],
    gone: set[str],
    steering: ThemeSteering,
) -> list[OverlapInfo]:
    overlaps = [o for o in previous.overlaps if not gone & set(o.initiatives)]
    known = {tuple(o.initiatives) for o in overlaps}
    records = snapshot.records
    scored: dict[tuple[int, int], float] = {}
    for me, other in sorted(pairs):
        a, b = (me, other) if ids[me] < ids[other] else (other, me)
        if (a, b) in scored or (ids[a], ids[b]) in known or not apart(records[ids[a]], records[ids[b]]):
            continue
        score = float(combined[me] @ combined[other]) + pair_bonus(records[ids[me]], records[ids[other]])
        if score >= MIN_SCORE:
            scored[(a, b)] = score
    if scored:
        # Shared keywords are weighed by TF-IDF among the initiatives of the new pairs only: the full
        # computation's phrase IDF is not kept (its vocabulary is as large as the collection's).
        involved = np.array(sorted({row for pair in scored for row in pair}), dtype=np.int64)
        profiles = build_profiles(snapshot, np.zeros((len(involved), 1), dtype=np.float32), involved)
        profiles.records = [records[i] for i in profiles.ids]
        excluded = place_words(records.values(), snapshot.lexical.analyzer.stem, steering.exclude_keywords)
        phrases = PhraseWeights.build(profiles, excluded)
        local = {int(row): k for k, row in enumerate(involved.tolist())}
        for (a, b), score in scored.items():
            overlap = describe(local[a], local[b], score, profiles, phrases)
            overlaps.append(
                OverlapInfo(
                    (ids[a], ids[b]),
                    overlap.score,
                    overlap.reason(),
                    list(overlap.shared_target_groups),
                    list(overlap.shared_keywords),
                )
            )
    overlaps.sort(key=lambda o: (-o.score, o.initiatives[0], o.initiatives[1]))
    return overlaps


def _positions(
    previous: Landscape, combined: np.ndarray, ids: list[str], changed_rows: np.ndarray, gone: set[str]
) -> dict[str, tuple[float, float]]:
    positions = {i: xy for i, xy in previous.position.items() if i not in gone}
    placed = np.array([i in positions for i in ids])
    for row in changed_rows.tolist():
        similarity = combined[placed] @ combined[row]
        others = np.flatnonzero(placed)
        if not len(others):
            positions[ids[row]] = (0.5, 0.5)
            continue
        nearest = np.argsort(-similarity, kind="stable")[:PLACEMENT_NEIGHBOURS]
        weights = np.maximum(similarity[nearest].astype(np.float64), 0.0) + 1e-6
        xy = (np.array([previous.position[ids[o]] for o in others[nearest].tolist()]) * weights[:, None]).sum(
            axis=0
        ) / weights.sum()
        positions[ids[row]] = (round(float(xy[0]), 4), round(float(xy[1]), 4))
    return positions
