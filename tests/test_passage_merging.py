"""A result's passages without repeats: overlapping chunks joined, duplicates and contained ones dropped."""

from __future__ import annotations

from search_api.passage_merging import PassageText, merge_passages

FIRST = "Sygeplejersken ringer op til lægen via video. Lægen ser beboeren og vurderer sårene på stedet."
SECOND = "Lægen ser beboeren og vurderer sårene på stedet. Derefter ordinerer lægen behandlingen."


def passage(text: str, row: int, document: str = "beskrivelse.md", **kw) -> PassageText:
    return PassageText(document=document, text=text, rows=[row], **kw)


def test_overlapping_chunks_of_a_document_become_one_passage() -> None:
    merged = merge_passages([passage(FIRST, 1), passage(SECOND, 2)])
    assert len(merged) == 1
    assert merged[0].text == FIRST + " Derefter ordinerer lægen behandlingen."
    assert merged[0].rows == [1, 2]


def test_a_better_ranked_later_chunk_is_joined_in_document_order() -> None:
    merged = merge_passages([passage(SECOND, 2), passage(FIRST, 1)])
    assert [m.text for m in merged] == [FIRST + " Derefter ordinerer lægen behandlingen."]


def test_the_same_text_twice_is_shown_once_even_from_another_document() -> None:
    merged = merge_passages(
        [passage(FIRST, 1), passage(FIRST, 5, document="bilag.md"), passage(FIRST[10:60], 6)]
    )
    assert [(m.document, m.text) for m in merged] == [("beskrivelse.md", FIRST)]


def test_passages_that_do_not_overlap_stay_apart_in_their_order() -> None:
    other = "Et helt andet afsnit om tablets og undervisning i små hold på plejecentret."
    merged = merge_passages([passage(other, 3), passage(FIRST, 1), passage(other, 4, document="andet.md")])
    assert [m.text for m in merged] == [other, FIRST]


def test_page_breaks_follow_the_joined_text() -> None:
    first = passage(FIRST, 1, page_start=2, page_breaks=[50])
    second = passage(SECOND, 2, page_start=3, page_breaks=[60])
    (merged,) = merge_passages([first, second])
    shift = len(FIRST) - len("Lægen ser beboeren og vurderer sårene på stedet.")
    assert merged.page_start == 2
    assert merged.page_breaks == [50, shift + 60]
