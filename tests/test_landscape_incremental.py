"""An incremental landscape: after a small change the previous version's landscape is carried over and only
what the change touches is recomputed; a new base or a large change computes it in full.

The corpus is the cards of 60 of the sample corpus's initiatives, without their documents (one chunk
each), ingested once for the module; each test changes files, ingests into its own copy of the index and
puts the files back.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import yaml
from index_helpers import open_store
from support import REPO, make_settings

from ingest.pipeline import Ingestion
from initiative_index.settings import Settings
from initiative_index.snapshot import IndexSnapshot
from landscape.features import project_features
from landscape.incremental import INCREMENTAL_SHARE
from landscape.model import Landscape, compute_landscape, ensure_landscape, stored_steering
from landscape.profiles import _store_sums, build_profiles, initiative_vectors
from landscape.themes import ward_nearest

CHANGED = "akutteam-hjoerring-kommune"
INITIATIVES = 60


@pytest.fixture(scope="module")
def cards(tmp_path_factory: pytest.TempPathFactory, e5) -> tuple[Settings, Path, Landscape]:
    """The sample corpus's cards ingested once, with the full landscape of that version saved."""
    root = tmp_path_factory.mktemp("cards")
    corpus = root / "corpus"
    for folder in sorted((REPO / "corpus" / "initiatives").iterdir())[:INITIATIVES]:
        data = yaml.safe_load((folder / "initiative.yaml").read_text(encoding="utf-8"))
        data.pop("documents", None)
        data.pop("results", None)  # they cite the documents left out
        (corpus / folder.name).mkdir(parents=True)
        (corpus / folder.name / "initiative.yaml").write_text(
            yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
    settings = make_settings(root / "data", document_roots=[corpus], overview_on_ingest=False)
    Ingestion(settings, e5, show_progress=False).run([corpus])
    landscape = current_landscape(settings)
    assert landscape.built == "full"
    return settings, corpus, landscape


@pytest.fixture
def index_copy(cards, tmp_path: Path) -> Iterator[Settings]:
    """A copy of the module's index to ingest a change into; changed corpus files are put back after."""
    settings, corpus, _ = cards
    before = {path: path.read_bytes() for path in corpus.rglob("*") if path.is_file()}
    open_store(settings)  # releases the cached client before its files are copied
    shutil.copytree(settings.data_dir, tmp_path / "data")
    yield make_settings(tmp_path / "data", document_roots=[corpus], overview_on_ingest=False)
    for path in corpus.rglob("*"):
        if path.is_file() and path not in before:
            path.unlink()
    for path, content in before.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def current_landscape(settings: Settings) -> Landscape:
    store = open_store(settings)
    snapshot = IndexSnapshot.load(store, settings)
    return ensure_landscape(store, snapshot, stored_steering(store), settings.landscape_path)


def ingest(settings: Settings, corpus: Path, e5) -> None:
    Ingestion(settings, e5, show_progress=False).run([corpus])


def change_summary(corpus: Path, initiative_id: str, words: str) -> None:
    path = corpus / initiative_id / "initiative.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["summary"] = f"{words} {data['summary']}"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_initiative_vectors_from_the_segments_equal_those_from_the_store(cards) -> None:
    settings, _, _ = cards
    store = open_store(settings)
    snapshot = IndexSnapshot.load(store, settings)
    assert all(part.vectors is not None for part in snapshot.parts)
    mapped = initiative_vectors(store, snapshot)
    sums = _store_sums(store, snapshot)
    from_store = (sums / np.linalg.norm(sums, axis=1, keepdims=True)).astype(np.float32)
    assert mapped.shape == (INITIATIVES, snapshot.manifest.embedding_dimension)
    np.testing.assert_allclose(mapped, from_store, atol=1e-6)
    some = np.array([3, 40, 59])
    np.testing.assert_allclose(initiative_vectors(store, snapshot, some), from_store[some], atol=1e-6)


def test_a_changed_initiative_gets_a_theme_and_the_others_keep_theirs(cards, index_copy, e5) -> None:
    _, corpus, before = cards
    change_summary(corpus, CHANGED, "Teamet bruger nu også video og telemedicin ved hjertesvigt.")
    ingest(index_copy, corpus, e5)
    after = current_landscape(index_copy)
    assert after.built == "incremental" and after.derived_from == before.version != after.version
    assert [t.id for t in after.themes] == [t.id for t in before.themes]  # themes are kept
    assert after.theme_of[CHANGED] in after.theme_by_id
    assert {i: t for i, t in after.theme_of.items() if i != CHANGED} == {
        i: t for i, t in before.theme_of.items() if i != CHANGED
    }
    assert after.position[CHANGED] != before.position[CHANGED]  # placed among its new neighbours
    assert len(after.neighbours[CHANGED]) == 10
    # The documented rule: the theme Ward's criterion adds it to, in the full computation's feature space.
    store = open_store(index_copy)
    snapshot = IndexSnapshot.load(store, index_copy)
    space = Landscape.load_previous(index_copy.landscape_path, after.key)
    row = np.array([snapshot.initiative_position[CHANGED]])
    assert space is None  # the previous version's landscape was replaced by this one
    space = after.space
    assert space is not None
    profiles = build_profiles(snapshot, initiative_vectors(store, snapshot, row), row)
    combined, _ = project_features(profiles, space.centre, space.terms, space.idf, space.components)
    means = space.theme_sums / space.theme_sizes[:, None]
    assert (
        after.themes[int(ward_nearest(combined.astype(np.float64), means, space.theme_sizes)[0])].id
        == (after.theme_of[CHANGED])
    )
    # Unchanged rerun: the saved landscape of this version is used as it is.
    again = current_landscape(index_copy)
    assert again.to_json() == after.to_json()


def test_a_new_initiative_gets_a_theme_and_a_place_near_its_nearest_neighbour(cards, index_copy, e5) -> None:
    _, corpus, before = cards
    twin = "akutteam-hjoerring-kommune-2"
    (corpus / twin).mkdir()
    text = (corpus / CHANGED / "initiative.yaml").read_text(encoding="utf-8")
    (corpus / twin / "initiative.yaml").write_text(text.replace(f"id: {CHANGED}", f"id: {twin}"), "utf-8")
    ingest(index_copy, corpus, e5)
    after = current_landscape(index_copy)
    assert after.built == "incremental" and set(after.theme_of) == {*before.theme_of, twin}
    assert after.theme_of[twin] == before.theme_of[CHANGED]  # the same card: the same theme
    assert after.neighbours[twin][0][0] == CHANGED
    assert after.neighbours[CHANGED][0][0] == twin  # an unchanged initiative gains the newcomer as neighbour
    distance = np.hypot(*np.subtract(after.position[twin], before.position[CHANGED]))
    assert distance < 0.15
    assert {i: xy for i, xy in after.position.items() if i != twin} == before.position


def test_when_the_themes_stay_the_full_computation_gives_the_changed_initiative_the_same_theme(
    cards, index_copy, e5
) -> None:
    _, corpus, before = cards
    path = corpus / CHANGED / "initiative.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("status: drift", "status: afsluttet"))
    ingest(index_copy, corpus, e5)
    incremental = current_landscape(index_copy)
    assert incremental.built == "incremental"
    store = open_store(index_copy)
    full = compute_landscape(store, IndexSnapshot.load(store, index_copy), stored_steering(store))
    assert [(t.id, t.label) for t in full.themes] == [(t.id, t.label) for t in before.themes]
    assert incremental.theme_of[CHANGED] == full.theme_of[CHANGED]
    # Its overlaps are computed again (a word of its status changed, not what it does: the same pairs).
    pairs = {o.initiatives for o in before.overlaps if CHANGED in o.initiatives}
    assert pairs and {o.initiatives for o in incremental.overlaps if CHANGED in o.initiatives} == pairs


def test_a_removed_initiative_leaves_no_trace(cards, index_copy, e5) -> None:
    _, corpus, before = cards
    removed = next(i for o in before.overlaps for i in o.initiatives if i != CHANGED)
    assert any(removed in [other for other, _ in n] for n in before.neighbours.values())
    shutil.rmtree(corpus / removed)
    ingest(index_copy, corpus, e5)
    after = current_landscape(index_copy)
    assert after.built == "incremental"
    assert removed not in after.theme_of and removed not in after.secondary_of
    assert removed not in after.position and removed not in after.neighbours
    assert not any(removed in o.initiatives for o in after.overlaps)
    assert not any(removed in [other for other, _ in n] for n in after.neighbours.values())
    assert all(len(n) == 10 for n in after.neighbours.values())  # those that lost it found another
    assert {i: t for i, t in after.theme_of.items()} == {
        i: t for i, t in before.theme_of.items() if i != removed
    }


def test_a_large_change_or_a_new_base_computes_the_landscape_in_full(cards, index_copy, e5) -> None:
    _, corpus, _ = cards
    changed = sorted(p.name for p in corpus.iterdir())[:2]
    assert len(changed) > INCREMENTAL_SHARE * INITIATIVES
    for initiative_id in changed:
        change_summary(corpus, initiative_id, "Nu med video.")
    ingest(index_copy, corpus, e5)
    large = current_landscape(index_copy)
    assert large.built == "full" and large.derived_from == ""
    change_summary(corpus, CHANGED, "Også om aftenen.")
    ingest(index_copy, corpus, e5)
    # The segments of this version are built from the whole store (as at a compaction): a new base.
    shutil.rmtree(index_copy.lexical_path)
    rebuilt = current_landscape(index_copy)
    assert rebuilt.built == "full" and rebuilt.base != large.base
