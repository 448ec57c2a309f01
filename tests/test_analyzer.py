"""The lexical index's text analysis: Danish stems, compound parts, stopwords; other languages too."""

from __future__ import annotations

import pytest

from initiative_index.analyzer import get_analyzer


@pytest.fixture(scope="module")
def danish():
    return get_analyzer("danish")


@pytest.mark.parametrize(
    ("inflections", "stem"),
    [
        (["plejehjem", "plejehjemmet", "plejehjemmene", "plejehjemmets"], "plejehjem"),
        (["behandling", "behandlingen", "behandlinger", "behandlingerne"], "behandling"),
        (["sygeplejersker", "sygeplejersken", "sygeplejerskerne"], "sygeplejersk"),
    ],
)
def test_danish_inflections_share_one_stem(danish, inflections, stem):
    assert {danish.word_terms(word)[0] for word in inflections} == {stem}


def test_compound_adds_the_terms_of_its_parts(danish):
    assert danish.word_terms("hjemmebehandling") == ("hjemmebehandling", "hjem", "behandling")
    # "behandling i hjemmet" shares its content terms with the compound
    assert set(danish.terms("behandling i hjemmet")) <= set(danish.terms("hjemmebehandling"))


def test_compound_is_split_after_stemming_so_endings_are_not_parts(danish):
    terms = danish.word_terms("plejehjemmet")
    assert terms[0] == "plejehjem"
    assert "hjem" in terms
    assert not any(term.endswith("met") for term in terms)


def test_compound_with_linking_s_splits_into_all_parts(danish):
    assert set(danish.word_terms("plejehjemsbeboere")) >= {"plej", "hjem", "bebo"}


def test_ordinary_words_are_not_split(danish):
    assert danish.word_terms("behandling") == ("behandling",)
    assert danish.word_terms("kommune") == ("kommun",)


def test_stopwords_and_single_letters_are_dropped(danish):
    assert danish.terms("Det er ikke noget, som vi har været med til") == []
    assert danish.terms("a b c borger") == ["borg"]


def test_danish_letters_are_kept_and_case_folded(danish):
    assert danish.words("Æbler på Øen i Ålborg") == ["æbler", "øen", "ålborg"]
    assert all(term.isalpha() for term in danish.terms("Sår og Søvnløshed"))
    assert danish.terms("Søvnløshed") == danish.terms("søvnløshed") == ["søvnløs"]


@pytest.mark.parametrize(
    ("language", "inflections", "stem", "compound", "part", "stopword"),
    [
        ("swedish", ["sjukhuset", "sjukhus"], "sjukhus", "hemsjukvården", "sjukvård", "och"),
        ("norwegian", ["sykehusene", "sykehus"], "sykehus", "hjemmesykepleien", "sykeplei", "og"),
        ("english", ["hospitals", "hospital"], "hospit", None, None, "the"),
    ],
)
def test_other_languages_build_and_stem(language, inflections, stem, compound, part, stopword):
    analyzer = get_analyzer(language)
    assert analyzer.language == language
    assert {analyzer.word_terms(word)[0] for word in inflections} == {stem}
    if compound:
        assert part in analyzer.word_terms(compound)
    assert analyzer.terms(stopword) == []
