"""The landscape of an index version: themes, keywords and labels, steering by themes.yaml, overlaps, quality.

Quality and determinism are measured on the whole sample corpus (`sample_index`); steering through
ingestion on a copy of the fixture corpus.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from index_helpers import open_store
from support import REPO, make_settings

from eval.overview_quality import load_gold, score_baseline, score_landscape
from ingest.pipeline import Ingestion
from initiative_index.analyzer import get_analyzer
from initiative_index.snapshot import IndexSnapshot
from landscape.model import compute_landscape, ensure_landscape, stored_steering
from landscape.profiles import initiative_vectors
from landscape.steering import SteeringError, ThemeSteering, parse_steering

pytestmark = pytest.mark.slow

STEERING = """
themes:
  - label: Behandling i eget hjem
    seed_terms: [hjemmebehandling, iv-behandling, hjemmeindlæggelse]
    initiatives: [sundhedsklynge-vest-hjemmeindlaeggelse, rhn-virtuel-stuegang-kommunale-sygeplejersker]
  - id: ai-og-sprog
    label: Kunstig intelligens og tale
    initiatives: [ai-visitation-af-henvisninger, talegenkendelse-dokumentation-rebild]
exclude_keywords: [plejecentre]
"""


@pytest.fixture(scope="module")
def sample(sample_index):
    settings, _ = sample_index
    store = open_store(settings)
    return settings, store, IndexSnapshot.load(store, settings)


@pytest.fixture(scope="module")
def landscape(sample):
    _, store, snapshot = sample
    return compute_landscape(store, snapshot, ThemeSteering())


def without_timing(landscape) -> dict:
    data = json.loads(landscape.to_json())
    data.pop("seconds")
    return data


def test_the_same_index_gives_the_same_landscape(sample, landscape) -> None:
    _, store, snapshot = sample
    assert without_timing(compute_landscape(store, snapshot, ThemeSteering())) == without_timing(landscape)


def test_every_initiative_has_one_primary_theme_among_8_to_20(sample, landscape) -> None:
    _, _, snapshot = sample
    assert set(landscape.theme_of) == set(snapshot.initiative_ids)
    assert 8 <= len(landscape.themes) <= 20
    ids = [theme.id for theme in landscape.themes]
    assert len(ids) == len(set(ids)) and set(landscape.theme_of.values()) == set(ids)
    assert all(
        len(others) <= 2 and landscape.theme_of[i] not in others
        for i, others in landscape.secondary_of.items()
    )
    sizes = [sum(t == theme.id for t in landscape.theme_of.values()) for theme in landscape.themes]
    assert min(sizes) >= 3  # no near-empty themes ("outliers")


def test_labels_and_keywords_are_words_people_wrote(sample, landscape) -> None:
    _, _, snapshot = sample
    analyzer = get_analyzer("danish")
    text = (
        " ".join(snapshot.texts).lower()
        + " "
        + " ".join(tag.lower() for record in snapshot.records.values() for tag in record.get("tags", []))
    )
    places = {"hjørring", "thisted", "aalborg", "frederikshavn", "rebild", "læsø", "nordjylland"}
    for theme in landscape.themes:
        assert 3 <= len(theme.keywords) <= 8, theme
        for keyword in theme.keywords:
            assert keyword.lower() in text, f"{keyword!r} is not how the corpus writes it (a stem?)"
            words = re.findall(r"\w+", keyword.lower())
            assert not any(analyzer.is_stopword(w) for w in words), keyword
            assert not places & set(words), keyword
        label_words = [w for w in re.findall(r"\w+", theme.label.lower()) if w != "og"]
        assert not any(analyzer.is_stopword(w) for w in label_words), theme.label
        assert all(w in " ".join(theme.keywords).lower() for w in label_words), theme.label


def test_themes_yaml_names_themes_pins_initiatives_and_excludes_words(sample, landscape) -> None:
    _, store, snapshot = sample
    steered = compute_landscape(store, snapshot, parse_steering(STEERING))
    by_label = {theme.label: theme for theme in steered.themes}
    home = by_label["Behandling i eget hjem"]
    assert home.named and home.id == "behandling-i-eget-hjem"
    assert steered.theme_of["sundhedsklynge-vest-hjemmeindlaeggelse"] == home.id
    assert steered.theme_of["rhn-virtuel-stuegang-kommunale-sygeplejersker"] == home.id
    # A grouping nothing discovered resembles still becomes a theme of its own, with its pinned members.
    ai = by_label["Kunstig intelligens og tale"]
    assert ai.id == "ai-og-sprog" and ai.named
    assert (
        steered.theme_of["ai-visitation-af-henvisninger"]
        == steered.theme_of["talegenkendelse-dokumentation-rebild"]
        == "ai-og-sprog"
    )
    assert not any(k.lower() == "plejecentre" for t in steered.themes for k in t.keywords)
    assert len(steered.themes) <= len(landscape.themes) + 2
    assert without_timing(compute_landscape(store, snapshot, parse_steering(STEERING))) == without_timing(
        steered
    )


def test_theme_count_can_be_fixed(sample) -> None:
    _, store, snapshot = sample
    fixed = compute_landscape(store, snapshot, parse_steering("theme_count: 9\n"))
    assert len(fixed.themes) == 9


def test_invalid_themes_yaml_is_refused_naming_every_problem() -> None:
    text = """
themes:
  - label: X
  - label: Demens
    id: Demens!
    initiatives: [ugyldigt_id]
theme_count: 50
unknown: 1
"""
    with pytest.raises(SteeringError) as problem:
        parse_steering(text)
    message = str(problem.value)
    for part in ("themes.0", "themes.1.id", "themes.1.initiatives.0", "theme_count", "unknown"):
        assert part in message, (part, message)
    with pytest.raises(SteeringError, match="not valid YAML"):
        parse_steering("themes: [")
    with pytest.raises(SteeringError, match="pinned to both"):
        parse_steering("themes:\n  - {label: Aa, initiatives: [abc]}\n  - {label: Bb, initiatives: [abc]}\n")


def test_the_overview_agrees_with_a_person_far_better_than_the_baseline(sample, landscape) -> None:
    _, store, snapshot = sample
    gold = load_gold()
    method = score_landscape(landscape, gold)
    ids = snapshot.initiative_ids
    vectors = initiative_vectors(store, snapshot)
    baseline = score_baseline(ids, [snapshot.records[i] for i in ids], vectors, method.themes, gold)
    # Measured 2026-11-30: AMI 0.61 against 0.29; P@20 0.75 against 0.55 (eval/README.md).
    assert method.ami >= 0.5 and method.ami >= baseline.ami + 0.15, (method, baseline)
    assert method.precision["P@20"] >= 0.6 and method.precision["P@20"] >= baseline.precision["P@20"], (
        method,
        baseline,
    )


def test_themes_yaml_is_ingested_with_the_index_and_survives_reingestion(
    tmp_path: Path, corpus_copy: Path, e5
) -> None:
    settings = make_settings(tmp_path / "data")
    steering = corpus_copy / "themes.yaml"
    pinned = "[video-plejehjem-aalborg, psykiatri-skaermbesoeg]"
    steering.write_text(f"themes:\n  - label: Video og skærm\n    initiatives: {pinned}\n", encoding="utf-8")

    def ingest():
        return Ingestion(settings, e5, show_progress=False).run([corpus_copy])

    def themes_now():
        store = open_store(settings)
        snapshot = IndexSnapshot.load(store, settings)
        return ensure_landscape(store, snapshot, stored_steering(store), settings.landscape_path)

    first = ingest()
    assert first.themes_file == str(steering) and "Video og skærm" in first.themes
    assert themes_now().theme_of["psykiatri-skaermbesoeg"] == "video-og-skaerm"
    again = ingest()  # nothing changed: same version, same named theme
    assert again.index_version == first.index_version and "Video og skærm" in again.themes
    steering.write_text("themes:\n  - label: Uden indhold\n", encoding="utf-8")
    broken = ingest()
    assert any(f.path == str(steering) and "seed_terms or initiatives" in f.reason for f in broken.failures)
    assert "Video og skærm" in broken.themes  # the stored steering stays in use
    steering.unlink()
    removed = ingest()
    assert removed.themes_file == "" and "Video og skærm" not in removed.themes
    assert removed.index_version != first.index_version


def test_the_sample_corpus_ships_no_themes_file() -> None:
    assert not (REPO / "corpus" / "themes.yaml").exists()  # the held-out judgment sees discovered themes
