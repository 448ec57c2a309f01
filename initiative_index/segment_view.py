"""A version's segments on disk: a base segment, or a base plus a delta segment that replaces some sources.

A new version is made by its change: the store's change log (store.py) names the sources each version
changed, so a version that follows a saved one becomes the saved one's base plus a delta holding the current
chunks of every source changed since that base, and tombstones for the base chunks of those sources. Work
and disk grow with the change, not the collection. When the delta outgrows COMPACT_SHARE of the base (or the
log cannot say what changed: a crashed run, a version too old), the version is compacted: a new base is built
from the whole store.

Whoever needs a version first builds and saves it (the ingestion that published it, or an API worker); an
exclusive lock on the folder makes the other processes wait and then open what it saved.
"""

from __future__ import annotations

import fcntl
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from initiative_index.analyzer import TextAnalyzer
from initiative_index.lexical import dir_name, is_saved, remove_other_versions
from initiative_index.segment import Segment, SegmentWriter
from initiative_index.store import ChunkStore

COMPACT_SHARE = 0.05  # a delta holding more chunks than this share of the base is compacted into a new base
COMPACT_MIN = 2_000  # ... but a delta this small never is (a small collection is rebuilt in no time anyway)
LOCK_FILE = ".lock"


@dataclass
class View:
    """The segments of one version and which of their rows are live."""

    name: str
    parts: list[Segment]
    alive: np.ndarray | None  # bool per row over all parts; None when every row is
    base: str  # folder name of the base segment
    sources: list[str] = field(default_factory=list)  # sources the delta replaces
    built: str = "opened"  # "opened" (saved before), "delta" or "base" (built now)

    def live_sources(self) -> set[str]:
        """Sources with live chunks: the base's, less those the delta replaces, plus the delta's own (the
        delta kills every base row of a source it replaces, so no row needs to be looked at)."""
        base = self.parts[0]
        if len(self.parts) == 1:
            return set(base.sources)
        replaced = set(self.sources)
        return {source for source in base.sources if source not in replaced} | set(self.parts[1].sources)


def saved_sources(root: Path, version: str, language: str) -> set[str] | None:
    """The sources stored in `version`, read from its saved segments (no store read); None when the
    version is not saved or cannot be opened."""
    name = dir_name(version, language)
    if not is_saved(root / name):
        return None
    try:
        return open_view(root, name).live_sources()
    except (OSError, ValueError, KeyError):
        return None


def open_view(root: Path, name: str) -> View:
    """Open a saved version (memory-mapped)."""
    segment = Segment.open(root / name)
    view = segment.info.get("view")
    if view is None:
        return View(name, [segment], None, name)
    base = Segment.open(root / view["base"])
    alive = np.ones(base.rows + segment.rows, dtype=bool)
    alive[np.load(root / name / "dead.npy")] = False
    return View(name, [base, segment], alive, view["base"], view["sources"])


def load_view(
    store: ChunkStore,
    analyzer: TextAnalyzer,
    version: str,
    root: Path,
    save: bool,
    partition_min_rows: int | None = None,
    pending_change: dict | None = None,
) -> View:
    """The segments of `version`: saved ones, or built now from the change (or the whole store).

    `save=False` (a store mid-ingestion, whose version label does not name what it holds) builds in a
    scratch folder that is removed once mapped. A new base of at least `partition_min_rows` chunks is
    stored in vector partitions (partitions.py). `pending_change` is the change-log entry of a version
    about to be published: its publisher builds the segments first, so readers find them saved."""
    root.mkdir(parents=True, exist_ok=True)
    name = dir_name(version, analyzer.language)
    with _locked(root):
        if save and is_saved(root / name):
            try:
                return open_view(root, name)
            except (OSError, ValueError, KeyError):
                shutil.rmtree(root / name, ignore_errors=True)
        scratch = None if save else Path(tempfile.mkdtemp(prefix=".unsaved-", dir=root))
        target = root / name if save else scratch / name  # type: ignore[operator]
        try:
            plan = _plan(store, version, root, analyzer.language, pending_change) if save else None
            view = _build_delta(store, analyzer, version, target, *plan) if plan else None
            if view is None:
                writer = SegmentWriter(analyzer, version, True, partition_min_rows)
                writer.add_rows(store.iter_rows(include=("documents", "metadatas", "embeddings")))
                writer.save(target)
                view = View(
                    name, [Segment.open(target) if save else Segment(target)], None, name, built="base"
                )
        finally:
            if scratch is not None:
                shutil.rmtree(scratch, ignore_errors=True)  # mapped files stay readable
        if save:
            remove_other_versions(root, keep={root / name, root / view.base})
        return view


def _plan(
    store: ChunkStore, version: str, root: Path, language: str, pending_change: dict | None = None
) -> tuple[Segment, set[str]] | None:
    """(base segment, sources changed since it) when the change log links `version` to a saved version.

    The base comes opened: its info is the largest file of a large index, parsed once per build."""
    log = [*store.read_changes(), *([pending_change] if pending_change else [])]
    changes = {entry["version"]: entry for entry in log}
    changed: set[str] = set()
    current = version
    for _ in range(len(changes)):
        entry = changes.get(current)
        if entry is None or entry["sources"] is None:
            return None
        changed.update(entry["sources"])
        current = entry["after"]
        name = dir_name(current, language)
        if is_saved(root / name):
            try:
                prior = open_view(root, name)
            except (OSError, ValueError, KeyError):
                return None
            return prior.parts[0], changed | set(prior.sources)
    return None


def _build_delta(
    store: ChunkStore,
    analyzer: TextAnalyzer,
    version: str,
    target: Path,
    base: Segment,
    sources: set[str],
) -> View | None:
    """A delta over `base` holding the current chunks of `sources`; None when it would be too large."""
    base_name = base.path.name
    limit = max(COMPACT_MIN, COMPACT_SHARE * base.rows)
    writer = SegmentWriter(analyzer, version, keep_vectors=True)
    for row in store.rows_of_sources(sources):
        writer.add(row["id"], row["document"], row["metadata"], row.get("embedding"))
        if writer.rows > limit:
            return None
    codes = [code for code, source in enumerate(base.sources) if source in sources]
    dead = np.flatnonzero(np.isin(base.source_codes, np.asarray(codes, dtype=np.int32)))
    writer.save(
        target,
        extra={"view": {"base": base_name, "sources": sorted(sources)}},
        arrays={"dead": dead.astype(np.int64)},
    )
    segment = Segment.open(target)
    alive = np.ones(base.rows + segment.rows, dtype=bool)
    alive[dead] = False
    return View(target.name, [base, segment], alive, base_name, sorted(sources), built="delta")


@contextmanager
def _locked(root: Path) -> Iterator[None]:
    with open(root / LOCK_FILE, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
