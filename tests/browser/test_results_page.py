"""The results page as staff use it (issue 12): short cards, readable documents, phone first, keyboard,
sorting and the period, links to filtered lists, "Kopiér link", print, and axe-core on every view."""

from __future__ import annotations

import re

import pytest
from accessibility import serious_violations
from playwright.sync_api import Page, expect
from test_search_page import CARDS, SEARCH_LABEL, query_of, search

pytestmark = pytest.mark.browser


def test_cards_are_short_three_to_a_laptop_screen_with_one_passage_and_more_on_demand(
    new_page, origins, screenshot
) -> None:
    page = new_page(width=1366, height=800)
    page.goto(origins.api)
    assert serious_violations(page) == [], "the overview front page"
    search(page, "plejehjem")
    cards = page.locator(CARDS)
    assert cards.count() >= 3
    screenshot(page, "laptop")
    # Three results on the first screen: the third card's title and facts are in view without scrolling.
    third = cards.nth(2).locator(".card-facts").bounding_box()
    assert third["y"] + third["height"] <= 800, (
        f"the third card's facts end at {third['y'] + third['height']} px"
    )
    heights = [round(cards.nth(i).bounding_box()["height"]) for i in range(3)]
    assert max(heights) <= 300, f"card heights {heights}"

    video = cards.filter(has_text="Videokonsultationer mellem plejehjem")
    expect(video.locator(".summary")).to_be_visible()
    expect(video.locator(".card-contact")).to_have_text("Kontakt: Lene Holm")
    expect(video.locator(".passages-best > li")).to_have_count(1)
    more = page.locator(".more-passages").first
    if more.count():
        expect(more).to_have_attribute("aria-expanded", "false")
        more.click()
        expect(more).to_have_attribute("aria-expanded", "true")
        expect(page.locator(".passages-more").first).to_be_visible()
    assert serious_violations(page) == [], "the results"


def test_a_passage_opens_the_document_view_scrolled_to_the_marked_passage(
    page: Page, origins, screenshot
) -> None:
    page.goto(f"{origins.api}/?q=hudforandringer+ordinerer&mode=lexical")
    source = page.locator(CARDS).first.locator(".source a").first
    expect(source).to_have_text("Beskrivelse af videokonsultationer")
    source.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Beskrivelse af videokonsultationer")
    expect(page.locator(".document-initiative")).to_contain_text("Videokonsultationer mellem plejehjem")
    marked = page.locator("mark#passage")
    expect(marked).to_be_in_viewport()
    assert "hudforandringer" in " ".join(page.locator(".document-body mark").all_text_contents())
    # Markdown is rendered (a heading, not "## Erfaringer"), and its script is text, not code.
    expect(page.locator(".document-body h3", has_text="Erfaringer")).to_be_visible()
    expect(page.locator(".document-body")).to_contain_text("<script>alert('x')</script>")
    assert page.locator("script").count() == 0
    expect(page.get_by_role("link", name="Hent originalen (MD)")).to_have_attribute("download", "")
    assert serious_violations(page) == [], "the document view"
    screenshot(page, "document-view")

    page.go_back()  # to the results, with the focus on the link that was followed
    expect(page.locator(CARDS).first.locator(".source a").first).to_be_focused()
    page.go_forward()
    page.get_by_role("link", name="Til initiativet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Videokonsultationer mellem plejehjem og almen praksis"
    )


def test_a_phone_shows_results_first_and_the_filters_as_a_dialog(new_page, origins, screenshot) -> None:
    page = new_page(width=375, height=740)
    page.goto(origins.api)
    search(page, "plejehjem")
    screenshot(page, "phone")
    first = page.locator(CARDS).first.bounding_box()
    assert first["y"] + first["height"] <= 740, f"the first card ends at {first['y'] + first['height']} px"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375

    page.get_by_role("button", name="Filtre", exact=True).click()
    dialog = page.get_by_role("dialog", name="Filtrer initiativerne")
    expect(dialog).to_be_visible()
    assert serious_violations(page) == [], "the filter dialog"
    box = dialog.locator('input[data-facet="sector"][value="kommune"]')
    box.check()
    expect(page.locator(".chip")).to_have_count(1)
    expect(dialog).to_be_visible()  # several filters can be chosen before going back to the results
    apply = dialog.get_by_role("button", name=re.compile(r"^Vis \d+ resultat"))
    count = int(re.search(r"\d+", apply.inner_text()).group())
    expect(page.locator(CARDS)).to_have_count(count)
    screenshot(page, "phone-filters")
    apply.click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#results-heading")).to_be_focused()

    page.mouse.wheel(0, 1500)
    expect(page.get_by_label(SEARCH_LABEL)).to_be_in_viewport()  # the search stays at hand


def test_keyboard_reaches_the_first_result_at_once_and_back_returns_to_it(page: Page, origins) -> None:
    page.goto(origins.api)
    page.keyboard.type("plejehjem")
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_contain_text("matcher »plejehjem«")  # announced
    first_title = page.locator(CARDS).first.locator(".card-title a")
    presses = 0
    while presses < 12 and not first_title.evaluate("el => el === document.activeElement"):
        page.keyboard.press("Tab")
        presses += 1
    assert presses <= 8, f"{presses} Tab presses from the search box to the first result"

    page.keyboard.press("Shift+Tab")
    second = page.locator(CARDS).nth(1).locator(".card-title a")
    second.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert serious_violations(page) == [], "the detail view"
    page.go_back()
    expect(second).to_be_focused()

    # The skip link, the first stop of the page, leads to the results (past the search box and filters).
    page.goto(origins.api + "/?q=plejehjem")
    expect(page.locator(CARDS).first).to_be_visible()
    skip = page.get_by_role("link", name="Gå til resultaterne")
    assert page.evaluate("() => document.querySelector('a[href], button, input').className") == "skip-link"
    skip.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#results")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#results :focus")).to_have_count(1)


def test_sorting_the_period_and_links_to_filtered_lists(page: Page, origins, browser) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origins.api)
    page.goto(f"{origins.api}/?view=list")
    expect(page.locator(CARDS).first).to_be_visible()
    page.get_by_label("Sortér efter").select_option("newest")
    expect(page.locator(CARDS).first.locator(".card-title")).to_have_text(re.compile("skærmbesøg", re.I))
    assert query_of(page)["sort"] == ["newest"]

    page.get_by_label("Fra år").select_option("2024")
    expect(page.locator(".chip", has_text="Periode fra: 2024")).to_be_visible()
    assert query_of(page)["period_from"] == ["2024-01-01"]
    expect(page.get_by_label("Fra år")).to_be_focused()  # the focus stays where the choice was made
    titles = page.locator(f"{CARDS} .card-title").all_text_contents()
    assert titles and not any("Digitale sundhedskompetencer" in t for t in titles)  # ended 2023

    page.get_by_role("button", name="Kopiér link").click()
    expect(page.locator("#status")).to_have_text("Linket er kopieret.")
    assert page.evaluate("() => navigator.clipboard.readText()") == page.url

    page.goto(f"{origins.api}/?initiative=video-plejehjem-aalborg")
    facts = page.locator(".facts")
    facts.get_by_role("link", name="egen læge", exact=True).click()
    expect(page.locator(".chip", has_text="Nøgleord: egen læge")).to_be_visible()
    assert query_of(page) == {"view": ["list"], "tag": ["egen læge"]}
    titles = page.locator(f"{CARDS} .card-title").all_text_contents()
    assert len(titles) == 2  # the video initiative and the app, both tagged "egen læge"
    page.go_back()
    page.locator(".facts").get_by_role("link", name="Aalborg Kommune").click()
    assert query_of(page) == {"view": ["list"], "organisation": ["Aalborg Kommune"]}


def test_print_gives_a_clean_list_with_addresses(page: Page, origins, screenshot) -> None:
    page.goto(f"{origins.api}/?q=plejehjem")
    expect(page.locator(CARDS).first).to_be_visible()
    page.emulate_media(media="print")
    for hidden in (".search-band", "#toolbar", ".site-footer", "#facets", ".passage-group"):
        assert page.locator(hidden).first.evaluate("el => getComputedStyle(el).display") == "none", hidden
    address = page.locator(CARDS).first.evaluate("el => getComputedStyle(el, '::after').content")
    assert re.fullmatch(rf'"{re.escape(origins.api)}/\?initiative=[\w-]+"', address)
    screenshot(page, "print")
    pdf = page.pdf(format="A4")
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
    assert 1 <= pages <= 2, f"{page.locator(CARDS).count()} results print on {pages} pages"
