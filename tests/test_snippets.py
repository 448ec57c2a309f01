"""Snippets mark exactly the words whose terms meet the query's, escape the rest, and show the best part."""

from __future__ import annotations

import random
import re

import pytest

from initiative_index.analyzer import TextAnalyzer, get_analyzer
from search_api.snippets import highlight, matched_words


@pytest.fixture(scope="module")
def danish() -> TextAnalyzer:
    return get_analyzer("danish")


def brute_force_marks(text: str, terms: set[str], analyzer: TextAnalyzer) -> list[tuple[int, int]]:
    """Every word analysed, one by one: what the fast path must agree with."""
    return [
        m.span()
        for m in re.finditer(r"\w+", text)
        if len(m.group()) > 1 and not terms.isdisjoint(analyzer.word_terms(m.group().lower()))
    ]


def test_inflections_and_compounds_are_marked(danish: TextAnalyzer) -> None:
    terms = set(danish.terms("behandling i hjemmet"))
    html = highlight("Hjemmebehandling og behandlingen af plejehjemmets beboere.", terms, danish).html
    assert "<mark>Hjemmebehandling</mark>" in html
    assert "<mark>behandlingen</mark>" in html
    assert "<mark>plejehjemmets</mark>" in html
    assert "<mark>beboere</mark>" not in html


def test_fast_marking_agrees_with_analysing_every_word(danish: TextAnalyzer) -> None:
    from pathlib import Path

    texts = [p.read_text(encoding="utf-8") for p in sorted(Path("corpus/initiatives").glob("*/*.md"))][:60]
    words = sorted({w.lower() for t in texts for w in re.findall(r"\w{3,}", t)})
    rng = random.Random(7)
    for _ in range(300):
        terms = set(danish.terms(" ".join(rng.sample(words, 3))))
        text = rng.choice(texts)
        assert matched_words(text, terms, danish) == brute_force_marks(text, terms, danish)


def test_english_stems_that_are_not_substrings_are_still_marked() -> None:
    english = get_analyzer("english")
    terms = set(english.terms("happy relational study"))
    assert [w for w in re.findall(r"\w+", highlight("A happy and studied relation.", terms, english).html)
            if w != "mark"] == ["A", "happy", "and", "studied", "relation"]  # fmt: skip
    assert len(matched_words("A happy and studied relation.", terms, english)) == 3


def test_everything_but_the_marks_is_escaped(danish: TextAnalyzer) -> None:
    snippet = highlight("Skriv <script>alert('x')</script> & <b>fed</b> i journalen", {"journal"}, danish)
    assert snippet.html.endswith("<mark>journalen</mark>")
    assert not re.search(r"<(?!/?mark>)", snippet.html)
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &lt;b&gt;" in snippet.html


def test_a_long_passage_shows_the_stretch_with_the_most_matches(danish: TextAnalyzer) -> None:
    filler = "Ordet her handler om noget helt andet end emnet. " * 12
    text = filler + "Demens og demensvenlige tilbud: pårørende til borgere med demens mødes. " + filler
    snippet = highlight(text, set(danish.terms("demens pårørende")), danish)
    assert snippet.html.startswith("… ") and snippet.html.endswith(" …")
    assert snippet.html.count("<mark>") == 4
    assert text[snippet.offset :].startswith("Demens")
    assert len(re.sub(r"<[^>]+>", "", snippet.html)) < 400


def test_paragraph_breaks_read_as_separators(danish: TextAnalyzer) -> None:
    html = highlight("Slutrapport\n\nTolv borgere med demens.\n\nNæste afsnit", {"dem"}, danish).html
    assert html == "Slutrapport · Tolv borgere med <mark>demens</mark>. Næste afsnit"


def test_no_matching_word_gives_the_start_of_the_passage(danish: TextAnalyzer) -> None:
    snippet = highlight("Et kort afsnit uden noget af det søgte.", {"xylofon"}, danish)
    assert snippet.html == "Et kort afsnit uden noget af det søgte." and snippet.offset == 0
