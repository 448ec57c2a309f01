"""Search staff can trust, over a live server and the fixture index: what counts as a match and why,
staff language (thesaurus, typos, places) and the query syntax people know."""

from __future__ import annotations

import httpx
import pytest

from eval.dataset import nonsense_queries


def search(api: httpx.Client, query: str, **params) -> dict:
    response = api.get("/search", params={"q": query, "limit": 50, **params})
    assert response.status_code == 200, response.text
    return response.json()


def ids(response: dict) -> set[str]:
    """The matching initiatives of a response (not the near misses listed after them)."""
    return {hit["id"] for hit in response["results"] if hit["match"] != "related"}


@pytest.mark.parametrize("query", ["xyzqwv", "fodboldresultater", "opskrift på lasagne", "qzkvrbplm xyzt"])
def test_nonsense_matches_nothing(api: httpx.Client, query: str) -> None:
    for mode in (
        "hybrid",
        "lexical",
        "semantic",
    ):  # (lexical mode: a word in common is a match, by definition)
        found = search(api, query, mode=mode)
        assert found["total"] == 0 and ids(found) == set(), (mode, found["results"][:1])
        assert all(not facet for facet in found["facets"].values())
        # At most near misses, marked as such and not counted.
        assert len(found["results"]) == found["related"]


def test_most_of_the_written_nonsense_list_matches_nothing(api: httpx.Client) -> None:
    queries = nonsense_queries()
    assert len(queries) >= 30
    empty = [q for q in queries if search(api, q)["total"] == 0]
    assert len(empty) == len(queries), set(queries) - set(empty)


def test_total_and_results_count_matches_only(api: httpx.Client) -> None:
    found = search(api, "KOL")
    assert found["total"] == 1 and found["results"][0]["id"] == "kol-digitale-kompetencer"
    hit = found["results"][0]
    assert hit["match"] == "terms" and "KOL" in hit["matched_terms"]
    sectors = {f["value"]: f["count"] for f in found["facets"]["sector"]}
    assert sectors == {"kommune": 1}
    # Near misses follow, marked and not counted.
    assert len(found["results"]) == found["total"] + found["related"]
    assert all(hit["match"] == "related" for hit in found["results"][1:])


def test_the_thesaurus_finds_the_other_words_for_the_same_thing(api: httpx.Client) -> None:
    # The KOL page says "kronisk obstruktiv lungesygdom" in full; "COPD" is in neither, but means the same.
    found = search(api, "COPD", explain="true")
    assert ids(found) == {"kol-digitale-kompetencer"}
    assert set(found["results"][0]["matched_terms"]) & {"KOL", "kronisk obstruktiv lungesygdom"}
    concept = found["analysis"]["concepts"][0]
    assert concept["typed"] == "COPD" and "KOL" in concept["thesaurus"]


def test_a_typo_without_any_match_searches_the_correction_and_says_so(api: httpx.Client) -> None:
    found = search(api, "hjmmeindlæggelse")
    assert found["searched_query"] == "hjemmeindlæggelse"
    assert "hjemmeindlaeggelse-thisted" in ids(found)
    assert "Viser resultater for »hjemmeindlæggelse«" in found["notice"]
    assert found["did_you_mean"] is None


def test_a_typo_with_the_right_stem_finds_and_marks_the_word_and_suggests_the_spelling(
    api: httpx.Client,
) -> None:
    found = search(
        api, "hjemmeindlægelse"
    )  # stems like "hjemmeindlæggelse": found, and the right spelling offered
    assert "hjemmeindlaeggelse-thisted" in ids(found) and found["searched_query"] == "hjemmeindlægelse"
    assert found["did_you_mean"] == "hjemmeindlæggelse"
    hit = next(h for h in found["results"] if h["id"] == "hjemmeindlaeggelse-thisted")
    assert hit["match"] == "terms" and hit["matched_terms"] == ["hjemmeindlægelse"]


def test_an_unknown_word_beside_known_ones_gets_a_suggestion(api: httpx.Client) -> None:
    found = search(api, "demens GPS pårørnde")
    assert found["did_you_mean"] == "demens GPS pårørende"
    assert found["searched_query"] == "demens GPS pårørnde" and "demens-gps" in ids(found)


def test_quoted_phrases_must_occur_and_minus_words_exclude(api: httpx.Client) -> None:
    phrase = search(api, '"eget hjem"')
    assert phrase["total"] >= 1 and ids(phrase) <= {"hjemmeindlaeggelse-thisted"}
    video = search(api, "videokonsultation")
    assert "video-plejehjem-aalborg" in ids(video)
    without = search(api, "videokonsultation -plejehjem")
    assert "video-plejehjem-aalborg" not in ids(without)
    assert ids(without) == ids(video) - {"video-plejehjem-aalborg"}


def test_a_place_in_the_query_is_a_soft_filter_and_the_page_is_told_when_nothing_is_there(
    api: httpx.Client,
) -> None:
    elsewhere = search(api, "demens Hjørring")
    assert elsewhere["places"] == ["Hjørring Kommune"]
    assert "demens-gps" in ids(elsewhere)
    assert (
        elsewhere["notice"] == "Ingen initiativer om demens i Hjørring Kommune – viser demens andre steder."
    )
    there = search(api, "KOL Hjørring")
    assert there["results"][0]["id"] == "kol-digitale-kompetencer" and "er rykket frem" in there["notice"]
    only = search(api, "Thisted")
    assert ids(only) == {"hjemmeindlaeggelse-thisted"}
    assert only["results"][0]["match"] in ("place", "terms")


def test_meaning_only_matches_say_so(api: httpx.Client) -> None:
    found = search(api, "skærmbesøg med behandleren i psykiatrien", mode="semantic")
    assert found["total"] >= 1
    matches = [hit for hit in found["results"] if hit["match"] != "related"]
    assert len(matches) == found["total"]
    assert all(hit["match"] == "meaning" and hit["matched_terms"] == [] for hit in matches)
