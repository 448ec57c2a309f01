"""How a query is read: syntax, places, thesaurus, spelling and the concepts a match must satisfy."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from initiative_index.analyzer import get_analyzer
from initiative_index.thesaurus import (
    BUNDLED_THESAURUS,
    Thesaurus,
    ThesaurusError,
    load_thesaurus,
    parse_thesaurus,
    read_thesaurus,
)
from overblik.cli import app
from search_api.lexical_query import PART_WEIGHT, build_concepts, needed
from search_api.places import PlaceIndex
from search_api.query_syntax import parse_syntax
from search_api.spelling import SpellChecker

DANISH = get_analyzer("danish")


@pytest.fixture(scope="module")
def thesaurus() -> Thesaurus:
    return load_thesaurus("bundled", DANISH)


def test_quoted_phrases_are_required_and_minus_words_excluded() -> None:
    syntax = parse_syntax('demens „tidlig opsporing“ -Hjørring -"eget hjem" IV-behandling - x')
    assert syntax.phrases == [("tidlig", "opsporing")]
    assert syntax.excluded == [("hjørring",), ("eget", "hjem")]
    assert syntax.words == ["demens", "tidlig", "opsporing", "IV-behandling", "x"]  # a lone minus is text


def test_places_are_municipalities_organisations_and_clusters() -> None:
    records = [
        {"organisations": ["Hjørring Kommune", "Region Nordjylland"], "cluster": "nord"},
        {"organisations": ["Sundhedsklynge Syd", "Rebild Kommune"], "cluster": "syd"},
        {"organisations": ["Aalborg Universitetshospital"], "cluster": "midt"},
    ]
    places = PlaceIndex(records)
    found, rest = places.find(["demens", "i", "Hjørrings", "kommuner"])
    assert [p.name for p in found] == ["Hjørring Kommune"] and rest == ["demens", "i", "kommuner"]
    found, rest = places.find(["hvad", "laver", "Sundhedsklynge", "Syd"])
    assert [p.name for p in found] == ["Sundhedsklynge Syd"] and rest == ["hvad", "laver"]
    cluster = found[0]
    assert cluster.holds(records[1]) and cluster.holds({"organisations": [], "cluster": "syd"})
    assert not cluster.holds(records[0])
    found, _ = places.find(["Aalborg", "Universitetshospital", "akutmodtagelse"])
    assert [p.name for p in found] == ["Aalborg Universitetshospital"]  # the longest name wins


def test_the_bundled_thesaurus_is_valid_and_large(thesaurus: Thesaurus) -> None:
    parsed = read_thesaurus(BUNDLED_THESAURUS)
    assert len(parsed.groups) >= 300
    assert all(group.source for group in parsed.groups)
    assert {"abbreviation", "synonym", "everyday"} <= {group.kind for group in parsed.groups}
    kol = thesaurus.expansions(["KOL"])
    assert kol and "kronisk obstruktiv lungesygdom" in kol[0].shown
    # The longest term wins: "egen læge" expands as a whole, not "læge" inside it.
    doctor = thesaurus.expansions(["egen", "læge", "video"])
    assert doctor[0].found == "egen læge" and "praktiserende læge" in doctor[0].shown
    assert [e.found for e in thesaurus.expansions(["sukkersyge"])] == ["sukkersyge"]
    # An abbreviation that is an everyday word in lower case is only read as one in capitals.
    assert thesaurus.expansions(["kat"]) == [] and thesaurus.expansions(["KAT"])


def test_an_invalid_thesaurus_is_refused_naming_every_problem(tmp_path: Path) -> None:
    text = (
        "groups:\n  - {kind: slang, terms: [a], source: ''}\n"
        "  - {kind: synonym, terms: [KOL, kol], source: xy}\n"
    )
    with pytest.raises(ThesaurusError) as problem:
        parse_thesaurus(text)
    message = str(problem.value)
    for part in ("groups.0.kind", "groups.0.terms.0", "groups.0.source"):
        assert part in message, message
    with pytest.raises(ThesaurusError, match="group 0 and group 1"):
        parse_thesaurus("groups:\n  - {kind: synonym, terms: [sår, vunde], source: xy}\n"
                        "  - {kind: synonym, terms: [Sår, læsion], source: xy}\n")  # fmt: skip
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    runner = CliRunner()
    refused = runner.invoke(app, ["thesaurus", "check", str(bad)])
    assert refused.exit_code == 1 and "groups.0.kind" in refused.output
    accepted = runner.invoke(app, ["thesaurus", "check", str(BUNDLED_THESAURUS)])
    assert accepted.exit_code == 0 and "ok" in accepted.output


def test_concepts_have_their_word_compound_parts_and_thesaurus_terms(thesaurus: Thesaurus) -> None:
    concepts = build_concepts(["hjemmebehandling", "af", "KOL", "IV-behandling"], DANISH, thesaurus)
    by_word = {c.typed: c for c in concepts}
    home = by_word["hjemmebehandling"]
    assert home.alternatives[0].stems == (DANISH.stem("hjemmebehandling"),)
    assert any(a.weight == PART_WEIGHT and len(a.stems) >= 2 for a in home.alternatives)
    assert any(
        a.expansion and a.shown == "kronisk obstruktiv lungesygdom" for a in by_word["KOL"].alternatives
    )
    assert by_word["IV-behandling"].alternatives[0].stems == ("iv", DANISH.stem("behandling"))
    assert "af" not in by_word  # stopwords are not concepts
    assert [c.weak for c in build_concepts(["laver", "demens"], DANISH, thesaurus)] == [True, False]


def test_a_thesaurus_applies_only_to_an_index_of_its_language() -> None:
    # The bundled thesaurus is Danish: a Norwegian or Swedish index searches the typed words only.
    for language in ("norwegian", "swedish", "english"):
        other = get_analyzer(language)
        concepts = build_concepts(["KOL", "rygestop"], other, load_thesaurus("bundled", other))
        assert not any(a.expansion for c in concepts for a in c.alternatives), language
    danish = build_concepts(["KOL"], DANISH, load_thesaurus("bundled", DANISH))
    assert any(a.expansion for a in danish[0].alternatives)


def test_minimum_match_is_a_share_of_the_concepts_rounded_up_and_at_least_one() -> None:
    assert [needed(n, 0.0) for n in range(1, 5)] == [1, 1, 1, 1]
    assert [needed(n, 0.5) for n in range(1, 7)] == [1, 1, 2, 2, 3, 3]
    assert [needed(n, 1.0) for n in range(1, 4)] == [1, 2, 3]


def test_spelling_corrects_from_the_index_and_leaves_real_words_alone() -> None:
    text = "Hjemmebehandling med demenskoordinator og sundhedsjournalen i Hjørring."
    checker = SpellChecker.from_texts([text])
    assert checker.correct("hjemmebehandlig") == "hjemmebehandling"
    assert checker.correct("sundhedsjournelen") == "sundhedsjournalen"
    assert checker.correct("hjemmebehandling") is None  # known
    assert checker.correct("xyzqwv") is None and checker.correct("kol") is None  # nothing near; too short
    assert checker.correct("hjøring") == "hjørring"
    assert DANISH.is_language_word("beskærer") and not DANISH.is_language_word("hjemmebehandlig")
