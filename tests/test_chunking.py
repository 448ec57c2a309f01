"""Chunks fit the embedding model's window (title included), overlap, and know their pages."""

from __future__ import annotations

import itertools

import pytest

from ingest.chunking import Chunker, embedding_input
from ingest.readers import Page

LONG_TITLE = (
    "Tværsektorielt samarbejde om sygehusindlæggelse i eget hjem for ældre medicinske patienter med "
    "kronisk obstruktiv lungesygdom, hjertesvigt og diabetes i Sundhedsklynge Vest og Sundhedsklynge Nord"
)
WORDS = (
    "akutsygeplejersken", "hjemmebehandling", "behandlingsansvaret", "plejehjemsbeboere",
    "videokonsultation", "sårbehandling", "tværsektorielt", "infusionspumpe", "lægen", "kommunen",
)  # fmt: skip


def paragraph_without_breaks(words: int, start: int = 0) -> str:
    """One paragraph without a line break or a full stop; every word is numbered, so each is unique."""
    return " ".join(f"{WORDS[n % len(WORDS)]}{n}" for n in range(start, start + words))


@pytest.fixture(params=["e5", "minilm"])
def embedder(request):
    return request.getfixturevalue(request.param)


@pytest.mark.parametrize("chunk_size", [256, 512])
def test_no_chunk_exceeds_the_model_window_with_a_long_title(embedder, chunk_size):
    pages = [Page(1, paragraph_without_breaks(1500)), Page(2, paragraph_without_breaks(800, start=1500))]
    chunks = Chunker(embedder, chunk_size, 48).split(pages, LONG_TITLE)

    assert len(chunks) > 5
    lengths = [embedder.count_tokens(embedding_input(LONG_TITLE, chunk.text)) for chunk in chunks]
    assert max(lengths) <= embedder.max_tokens
    assert max(lengths) > embedder.max_tokens // 2  # chunks are filled, not cut needlessly small


def test_one_unbroken_word_longer_than_the_window_is_still_cut_to_fit(embedder):
    word = "".join(WORDS) * 30  # thousands of characters without a space
    chunks = Chunker(embedder, 512, 48).split([Page(None, word)], LONG_TITLE)
    lengths = [embedder.count_tokens(embedding_input(LONG_TITLE, chunk.text)) for chunk in chunks]
    assert max(lengths) <= embedder.max_tokens
    assert "".join(c.text for c in chunks).count(WORDS[0]) >= word.count(WORDS[0])  # nothing dropped


def test_consecutive_chunks_of_a_long_paragraph_overlap(embedder):
    chunks = Chunker(embedder, 256, 48).split([Page(None, paragraph_without_breaks(1200))], "Titel")
    assert len(chunks) > 3
    for before, after in itertools.pairwise(chunks):
        first_words = after.text.split()[:3]
        assert " ".join(first_words) in before.text  # the next chunk starts inside this one
        assert after.text.split()[-1] not in before.text  # ... and goes on past it


def test_without_overlap_chunks_do_not_repeat_text(e5):
    chunks = Chunker(e5, 128, 0).split([Page(None, paragraph_without_breaks(600))], "Titel")
    words = [word for chunk in chunks for word in chunk.text.split()]
    assert words == paragraph_without_breaks(600).split()


def test_chunks_record_the_pages_they_span(e5):
    pages = [Page(n, paragraph_without_breaks(90, start=n * 1000)) for n in (1, 2, 3, 4)]
    chunks = Chunker(e5, 64, 0).split(pages, "Titel")

    def page_of(word: str) -> int:
        return next(page.number for page in pages if word in page.text.split())

    for chunk in chunks:
        words = chunk.text.split()
        assert (chunk.page_start, chunk.page_end) == (page_of(words[0]), page_of(words[-1]))
    assert [c.page_start for c in chunks] == sorted(c.page_start for c in chunks)
    assert {c.page_start for c in chunks} == {1, 2, 3, 4}


def test_a_paragraph_crossing_a_page_break_spans_both_pages(e5):
    pages = [Page(7, "Første del af afsnittet om akutteamet"), Page(8, "fortsætter på næste side.")]
    [chunk] = Chunker(e5, 256, 48).split(pages, "Titel")
    assert (chunk.page_start, chunk.page_end) == (7, 8)
    assert chunk.text[chunk.page_breaks[0] :] == "fortsætter på næste side."


def test_documents_without_pages_have_no_page_numbers(e5):
    [chunk] = Chunker(e5, 256, 48).split([Page(None, "Et kort notat.")], "Titel")
    assert (chunk.page_start, chunk.page_end) == (None, None)
    assert chunk.position == 0


def test_a_title_that_leaves_no_room_for_text_is_refused(minilm):
    with pytest.raises(ValueError, match="shorten it"):
        Chunker(minilm, 256, 48).split([Page(None, "tekst")], LONG_TITLE * 5)
