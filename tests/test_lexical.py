"""The BM25 index: finds analysed terms, and a saved copy loads only for its own version and language."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from initiative_index.analyzer import get_analyzer
from initiative_index.lexical import LexicalIndex

CHUNKS = {
    "a": "Hjemmebehandling af ældre medicinske patienter med intravenøs antibiotika.",
    "b": "Videokonsultationer mellem plejehjemmet og den praktiserende læge.",
    "c": "GPS-sporing af borgere med demens; pårørende finder dem hurtigere.",
    "d": "Sårbehandling: hjemmesygeplejen fotograferer sår og deler billederne.",
}


@pytest.fixture(scope="module")
def index() -> LexicalIndex:
    return LexicalIndex.build(list(CHUNKS), list(CHUNKS.values()), get_analyzer("danish"), "v1")


def found(index: LexicalIndex, query: str, mask: np.ndarray | None = None) -> list[str]:
    rows, _ = index.search(query, 10, mask)
    return [index.ids[row] for row in rows]


def test_search_matches_inflections_and_compound_parts(index):
    assert found(index, "behandling i hjemmet")[0] == "a"  # "Hjemmebehandling"
    assert found(index, "plejehjem")[0] == "b"  # "plejehjemmet"
    assert set(found(index, "sår")) == {"d"}


def test_search_without_known_terms_finds_nothing(index):
    assert found(index, "og i på") == []
    assert found(index, "kvantecomputer") == []


def test_mask_keeps_results_inside_the_filter(index):
    mask = np.array([False, True, True, True])
    assert "a" not in found(index, "behandling i hjemmet", mask)


def test_scores_are_best_first(index):
    _, scores = index.search("sår behandling hjem", 10)
    assert list(scores) == sorted(scores, reverse=True)
    assert all(scores > 0)


def test_saved_index_loads_with_the_same_results(index, tmp_path: Path):
    index.save(tmp_path)
    loaded = LexicalIndex.load(tmp_path, "v1", get_analyzer("danish"))
    assert loaded is not None
    assert loaded.ids == index.ids
    for query in ("behandling i hjemmet", "plejehjem", "demens pårørende", "sår"):
        assert found(loaded, query) == found(index, query)
        assert np.allclose(loaded.search(query, 10)[1], index.search(query, 10)[1])


def test_saved_index_of_another_version_or_language_is_not_loaded(index, tmp_path: Path):
    index.save(tmp_path)
    assert LexicalIndex.load(tmp_path, "v2", get_analyzer("danish")) is None
    assert LexicalIndex.load(tmp_path, "v1", get_analyzer("english")) is None


def test_saving_a_new_version_removes_older_copies(index, tmp_path: Path):
    index.save(tmp_path)
    newer = LexicalIndex.build(["x"], ["Et nyt notat om akutteamet."], get_analyzer("danish"), "v2")
    newer.save(tmp_path)
    assert LexicalIndex.load(tmp_path, "v1", get_analyzer("danish")) is None
    assert found(LexicalIndex.load(tmp_path, "v2", get_analyzer("danish")), "akutteam") == ["x"]


def test_empty_index_finds_nothing(tmp_path: Path):
    empty = LexicalIndex.build([], [], get_analyzer("danish"), "v0")
    assert found(empty, "behandling") == []
    empty.save(tmp_path)
    assert found(LexicalIndex.load(tmp_path, "v0", get_analyzer("danish")), "behandling") == []
