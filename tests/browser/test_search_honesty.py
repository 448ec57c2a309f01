"""The search page says why each result is there and how the query was read, in Chromium over the fixture
index: matched words, »Relateret indhold«, »Mente du …?«, a correction searched instead, a place named in
the query, and the no-results state with suggestions for nonsense."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

CARDS = ".result-list .card"


def open_search(page: Page, origins, query: str, **params: str) -> None:
    from urllib.parse import urlencode

    page.goto(f"{origins.api}/?{urlencode({'q': query, **params})}")
    expect(page.locator("#results-heading")).to_be_visible()


def test_each_result_says_which_of_the_query_words_it_contains(page: Page, origins, screenshot) -> None:
    open_search(page, origins, "COPD")  # the page says "KOL" and "kronisk obstruktiv lungesygdom"
    card = page.locator(CARDS).first
    expect(card.locator(".card-title")).to_contain_text("KOL")
    expect(card.locator(".why")).to_contain_text("Indeholder")
    expect(card.locator(".why-term").first).to_be_visible()
    screenshot(page, "why")


def test_a_match_by_meaning_alone_is_labelled_related_content(page: Page, origins) -> None:
    open_search(page, origins, "skærmbesøg med behandleren i psykiatrien", mode="semantic")
    expect(page.locator(CARDS).first.locator(".badge-related")).to_have_text("Relateret indhold")


def test_a_corrected_query_is_searched_and_the_page_says_so(page: Page, origins, screenshot) -> None:
    open_search(page, origins, "hjmmeindlæggelse")
    expect(page.locator(".search-notice")).to_contain_text("Viser resultater for »hjemmeindlæggelse«")
    expect(page.locator(CARDS).first).to_be_visible()
    screenshot(page, "corrected")


def test_an_unknown_word_beside_known_ones_offers_did_you_mean(page: Page, origins) -> None:
    open_search(page, origins, "demens GPS pårørnde")
    suggestion = page.locator(".did-you-mean a")
    expect(suggestion).to_have_text("»demens GPS pårørende«")
    suggestion.click()
    expect(page.locator("#results-heading")).to_contain_text("»demens GPS pårørende«")
    assert "p%C3%A5r%C3%B8rende" in page.url or "pårørende" in page.url


def test_a_place_without_the_topic_says_so_and_shows_the_topic_elsewhere(page: Page, origins) -> None:
    open_search(page, origins, "demens Hjørring")
    expect(page.locator(".search-notice")).to_have_text(
        "Ingen initiativer om demens i Hjørring Kommune – viser demens andre steder."
    )
    expect(page.locator(CARDS).first.locator(".card-title")).to_contain_text("demens")


def test_nonsense_gets_the_no_results_state_with_suggestions(page: Page, origins, screenshot) -> None:
    open_search(page, origins, "xyzqwv")
    expect(page.locator("#results-heading")).to_contain_text("0 initiativer matcher »xyzqwv«")
    state = page.locator(".state-empty")
    expect(state.locator(".state-title")).to_have_text("Ingen initiativer matcher din søgning")
    expect(state.locator(".examples a").first).to_be_visible()
    expect(state.get_by_role("link", name="Se overblikket over alle temaer")).to_be_visible()
    expect(page.locator(CARDS)).to_have_count(0)  # what follows is set apart as not matching
    screenshot(page, "nonsense")


def test_near_misses_follow_the_matches_set_apart_and_uncounted(page: Page, origins) -> None:
    open_search(page, origins, "KOL")
    expect(page.locator("#results-heading")).to_contain_text("1 initiativ matcher »KOL«")
    expect(page.locator(CARDS)).to_have_count(1)
    related = page.locator("section.related")
    expect(related.get_by_role("heading", name="Beslægtede initiativer")).to_be_visible()
    expect(related.locator(".card").first).to_be_visible()
    # They fill the rest of the first page and get no page of their own.
    assert 1 <= related.locator(".card").count() <= 9
    expect(page.get_by_role("navigation", name="Sider med resultater")).not_to_contain_text("Side")
