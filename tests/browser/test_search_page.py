"""The search page at / in Chromium, over the fixture corpus: searching, facets and chips, the detail view,
and the states a person meets (loading, no results, errors, missing fields)."""

from __future__ import annotations

import contextlib
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from fixture_corpus import PAGE_WORDS
from playwright.sync_api import Page, Route, expect

pytestmark = pytest.mark.browser

CARDS = ".result-list .card"
SEARCH_LABEL = "Søg i initiativer og dokumenter"
MARKUP_TITLE = (
    'Digitale sundhedskompetencer <img src=x onerror="window.__overblikXss=1"> og et meget langt ord: '
    "Sundhedsinnovationssamarbejdsaftaleimplementeringsprojektevalueringsrapporten"
)


def query_of(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def search(page: Page, text: str) -> None:
    page.get_by_label(SEARCH_LABEL).fill(text)
    page.get_by_label(SEARCH_LABEL).press("Enter")
    expect(page.locator("#results-heading")).to_contain_text(f"matcher »{text}«")


def facet_box(page: Page, facet: str, value: str):
    return page.locator(f'input[data-facet="{facet}"][value="{value}"]')


def test_search_box_has_the_focus_on_load(page: Page, origins, screenshot) -> None:
    page.goto(origins.api)
    expect(page.get_by_label(SEARCH_LABEL)).to_be_focused()
    expect(page.locator(".stats")).to_contain_text("initiativer")
    screenshot(page, "start")


def test_danish_query_shows_ranked_results_with_highlighted_passages(page: Page, origins, screenshot) -> None:
    page.goto(origins.api)
    search(page, "borgere med KOL lærer at bruge tablet")

    first = page.locator(CARDS).first
    expect(first.locator(".card-title")).to_have_text(
        "Digitale sundhedskompetencer for borgere med KOL på plejecentre"
    )
    assert page.locator(CARDS).count() > 1
    expect(first.locator(".meta")).to_contain_text("Hjørring Kommune")
    expect(first.locator(".badge-sector")).to_have_text(["Kommune"])
    expect(first.locator(".badge-cluster")).to_have_text("Sundhedsklynge Nord")
    expect(first.locator(".badge-status")).to_have_text("Status: Evalueret")
    expect(first.locator(".period")).to_contain_text("2022")
    expect(first.locator(".snippet mark").first).to_be_visible()
    source = first.locator(".source a").first
    assert re.search(r"/initiatives/kol-digitale-kompetencer/view/.+#passage$", source.get_attribute("href"))
    assert query_of(page)["q"] == ["borgere med KOL lærer at bruge tablet"]
    assert page.title().startswith("borgere med KOL")
    screenshot(page, "results")


def test_a_pdf_passage_names_its_page_and_links_to_it(page: Page, origins) -> None:
    page.goto(f"{origins.api}/?q={PAGE_WORDS[2]}&mode=lexical")
    source = page.locator(CARDS).first.locator(".source").first
    expect(source).to_contain_text("side 2")
    href = source.locator("a").get_attribute("href")
    assert (
        href
        == f"{origins.api}/initiatives/hjemmeindlaeggelse-thisted/documents/projektbeskrivelse.pdf#page=2"
    )


def test_choosing_a_facet_filters_at_once_and_shows_a_removable_chip(page: Page, origins, screenshot) -> None:
    page.goto(origins.api)
    search(page, "Nordjylland")  # in every initiative's text: many results, in several sectors
    total = page.locator(CARDS).count()
    assert total > 1

    facet_box(page, "sector", "kommune").check()
    chip = page.get_by_role("button", name="Fjern filteret Sektor: Kommune")
    expect(chip).to_be_visible()
    assert query_of(page)["sector"] == ["kommune"]
    cards = page.locator(CARDS)
    expect(cards.first).to_be_visible()
    assert cards.count() < total
    for card in cards.all():
        expect(card.locator(".badge-sector", has_text="Kommune")).to_be_visible()
    chosen = page.locator(".facet-option", has=facet_box(page, "sector", "kommune"))
    expect(chosen.locator(".facet-count")).to_have_text(f"{cards.count()} initiativer")
    # The facets are drawn again; the box stays checked and keeps the focus.
    expect(facet_box(page, "sector", "kommune")).to_be_checked()
    expect(facet_box(page, "sector", "kommune")).to_be_focused()
    screenshot(page, "filtered")

    page.go_back()
    expect(chip).to_have_count(0)
    expect(cards).to_have_count(total)
    assert "sector" not in query_of(page)

    page.go_forward()
    expect(chip).to_be_visible()
    chip.click()
    expect(chip).to_have_count(0)
    expect(cards).to_have_count(total)
    assert "sector" not in query_of(page)


def test_values_of_one_facet_are_alternatives(page: Page, origins) -> None:
    page.goto(f"{origins.api}/?q=Nordjylland&mode=lexical&sector=psykiatri")
    expect(page.locator(CARDS).first).to_be_visible()
    facet_box(page, "sector", "kommune").check()
    expect(page.get_by_role("button", name="Fjern filteret Sektor: Kommune")).to_be_visible()
    assert query_of(page)["sector"] == ["psykiatri", "kommune"]
    for card in page.locator(CARDS).all():
        expect(
            card.locator(".badge-sector").filter(has_text=re.compile("^(Psykiatri|Kommune)$")).first
        ).to_be_visible()


def test_a_long_facet_shows_all_its_values_on_request(page: Page, origins) -> None:
    page.goto(f"{origins.api}/?q=Nordjylland&mode=lexical")
    organisations = page.locator('input[data-facet="organisation"]')
    expect(organisations).to_have_count(6)
    more = page.get_by_role("button", name=re.compile(r"^Vis alle \d+$"))
    expect(more).to_have_attribute("aria-expanded", "false")
    shown = int(more.inner_text().split()[-1])
    more.click()
    expect(organisations).to_have_count(shown)
    less = page.get_by_role("button", name="Vis færre")
    expect(less).to_have_attribute("aria-expanded", "true")
    expect(less).to_be_focused()


def test_a_shared_url_restores_query_and_filters(page: Page, origins) -> None:
    page.goto(f"{origins.api}/?q=KOL&sector=kommune&cluster=nord")
    expect(page.get_by_label(SEARCH_LABEL)).to_have_value("KOL")
    expect(page.get_by_role("button", name="Fjern filteret Sektor: Kommune")).to_be_visible()
    expect(page.get_by_role("button", name="Fjern filteret Sundhedsklynge Nord")).to_be_visible()
    expect(page.locator(CARDS)).to_have_count(1)
    expect(page.locator(CARDS).first.locator(".badge-cluster")).to_have_text("Sundhedsklynge Nord")


def test_results_come_in_pages(page: Page, origins) -> None:
    def pretend_many(route: Route) -> None:
        response = route.fetch()
        body = response.json()
        body["total"], body["related"] = 25, 0  # the pager counts matches and near misses
        route.fulfill(response=response, json=body)

    page.route("**/search?*", pretend_many)
    page.goto(f"{origins.api}/?q=KOL")
    pager = page.get_by_role("navigation", name="Sider med resultater")
    expect(pager).to_contain_text("Side 1 af 3")
    with page.expect_request(lambda request: "offset=10" in request.url):
        pager.get_by_role("link", name="Næste side").click()
    expect(pager).to_contain_text("Side 2 af 3")
    assert query_of(page)["page"] == ["2"]
    expect(page.locator("#results-heading")).to_be_focused()


def test_detail_view_shows_metadata_documents_and_similar_initiatives(
    page: Page, origins, screenshot
) -> None:
    page.goto(origins.api)
    search(page, "videokonsultationer mellem plejehjem og almen praksis")
    first = page.locator(CARDS).first
    title = "Videokonsultationer mellem plejehjem og almen praksis"
    expect(first.locator(".card-title")).to_have_text(title)
    first.locator(".card-title a").click()

    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(title)
    expect(heading).to_be_focused()
    expect(page.locator("#search-view")).to_be_hidden()
    assert query_of(page)["initiative"] == ["video-plejehjem-aalborg"]
    assert page.title() == f"{title} – Overblik"
    facts = page.locator("dl.facts")
    expected = {
        "Organisationer": "Aalborg Kommune, PLO Nordjylland",
        "Sektorer": "Kommune, Almen praksis",
        "Sundhedsklynge": "Sundhedsklynge Midt",
        "Status": "Drift",
        "Periode": "Fra 1. jan. 2023",
        "Målgrupper": "plejehjemsbeboere",
        "Emneord": "video, plejehjem, egen læge",
    }
    for term, value in expected.items():
        expect(facts.locator("dt", has_text=term).locator("+ dd")).to_have_text(value)
    expect(facts.get_by_role("link", name="lene.holm@eksempel.dk")).to_have_attribute(
        "href", "mailto:lene.holm@eksempel.dk"
    )
    expect(facts.get_by_role("link", name="https://eksempel.dk/video-plejehjem")).to_be_visible()
    document = page.locator(".documents").get_by_role("link", name="Beskrivelse af videokonsultationer")
    expect(document).to_have_attribute(
        "href", f"{origins.api}/initiatives/video-plejehjem-aalborg/view/beskrivelse.md"
    )

    expect(page.get_by_role("heading", name="Lignende initiativer")).to_be_visible()
    similar = page.locator(".similar-list .card")
    expect(similar).to_have_count(5)
    expect(page.locator(".similar .badge-other", has_text="Anden sektor").first).to_be_visible()
    expect(page.locator(".similar .badge-other", has_text="Anden organisation").first).to_be_visible()
    screenshot(page, "detail")

    # A similar initiative opens in the same view; back returns to the first, then to the results.
    other = similar.first.locator(".card-title").inner_text()
    similar.first.locator(".card-title a").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(other)
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    page.go_back()
    expect(page.locator(CARDS).first).to_be_visible()
    expect(page.get_by_label(SEARCH_LABEL)).to_have_value(
        "videokonsultationer mellem plejehjem og almen praksis"
    )


def test_no_results_state_gives_a_hint_and_a_way_out(page: Page, origins, screenshot) -> None:
    page.goto(f"{origins.api}/?q=akutteam&status=planlagt")
    expect(page.get_by_text("Ingen initiativer matcher din søgning")).to_be_visible()
    expect(page.get_by_text("Prøv færre eller andre ord, eller fjern et filter")).to_be_visible()
    expect(page.get_by_role("button", name="Fjern filteret Status: Planlagt")).to_be_visible()
    screenshot(page, "no-results")

    page.locator(".state").get_by_role("button", name="Fjern alle filtre").click()
    expect(page.locator(CARDS).first).to_be_visible()
    assert "status" not in query_of(page)


def test_loading_is_shown_while_the_search_runs(page: Page, origins) -> None:
    held: list[Route] = []
    page.route("**/search?*", lambda route: held.append(route))
    page.goto(f"{origins.api}/?q=KOL")
    heading = page.locator("#results-heading")
    expect(heading).to_have_text("Søger …")
    expect(page.locator("#result-list")).to_have_attribute("aria-busy", "true")
    for route in held:
        route.continue_()
    expect(heading).to_contain_text("matcher »KOL«")
    expect(page.locator("#result-list")).not_to_have_attribute("aria-busy", "true")


def test_api_failure_shows_a_danish_error_and_a_retry(page: Page, origins, screenshot) -> None:
    def unavailable(route: Route) -> None:
        body = json.dumps({"detail": "Søgeindekset indlæses …"})
        route.fulfill(status=503, content_type="application/json", body=body)

    page.route("**/search?*", unavailable)
    page.goto(f"{origins.api}/?q=KOL")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Søgningen kunne ikke gennemføres")
    expect(alert).to_contain_text("Søgeindekset indlæses …")
    screenshot(page, "error")

    page.unroute("**/search?*")
    alert.get_by_role("button", name="Prøv igen").click()
    expect(page.locator(CARDS).first).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)


def test_an_answer_that_is_not_json_still_gets_a_danish_message(page: Page, origins) -> None:
    page.route("**/search?*", lambda route: route.fulfill(status=502, body="<html>Bad Gateway</html>"))
    page.goto(f"{origins.api}/?q=KOL")
    expect(page.get_by_role("alert")).to_contain_text("Der opstod en fejl i søgetjenesten (fejlkode 502)")


def test_an_unreachable_api_gets_a_danish_message(page: Page, origins) -> None:
    page.route("**/search?*", lambda route: route.abort("connectionrefused"))
    page.goto(f"{origins.api}/?q=KOL")
    expect(page.get_by_role("alert")).to_contain_text("Søgetjenesten svarer ikke")


def test_a_slow_earlier_answer_does_not_replace_a_later_one(page: Page, origins) -> None:
    held: list[Route] = []

    def hold_first(route: Route) -> None:
        if "q=akutteam" in route.request.url:
            held.append(route)
        else:
            route.continue_()

    page.route("**/search?*", hold_first)
    page.goto(f"{origins.api}/?q=akutteam")
    expect(page.locator("#results-heading")).to_have_text("Søger …")
    with page.expect_event("requestfailed", lambda request: "q=akutteam" in request.url):
        search(page, "demens")
    for route in held:
        with contextlib.suppress(Exception):  # aborted by the page already, as it should be
            route.continue_()
    expect(page.locator("#results-heading")).to_contain_text("matcher »demens«")
    expect(page.get_by_label(SEARCH_LABEL)).to_have_value("demens")


def test_api_text_is_shown_as_text_never_as_markup(new_page, origins, screenshot) -> None:
    page = new_page(width=360, height=780)

    def with_markup(route: Route) -> None:
        response = route.fetch()
        body = response.json()
        for record in body["results"] if "total" in body else [body]:  # a search, or one initiative
            if record["id"] == "kol-digitale-kompetencer":
                record["title"] = MARKUP_TITLE
                record["organisations"] = ["<b>Fed</b> Kommune"]
        route.fulfill(response=response, json=body)

    page.route("**/search?*", with_markup)
    page.route("**/initiatives/kol-digitale-kompetencer", with_markup)
    page.goto(f"{origins.api}/?q=KOL+tablet")
    card = page.locator(CARDS).filter(has_text="Sundhedsinnovations")
    expect(card.locator(".card-title")).to_have_text(MARKUP_TITLE)
    expect(card.locator(".meta")).to_contain_text("<b>Fed</b> Kommune")
    assert card.locator("img, b").count() == 0
    # A long title and an unbroken long word wrap instead of widening a narrow screen.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    screenshot(page, "markup-title")

    card.locator(".card-title a").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(MARKUP_TITLE)
    assert page.locator(".detail img, .detail b").count() == 0
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    assert page.evaluate("() => window.__overblikXss") is None


def test_missing_fields_say_so_instead_of_breaking(page: Page, origins, screenshot) -> None:
    page.goto(f"{origins.api}/?initiative=kontakt-laege-app")
    facts = page.locator("dl.facts")
    expect(facts.locator("dt", has_text="Periode").locator("+ dd")).to_have_text("Fra 1. maj 2021")
    for term in ("Kontakt", "Hjemmeside"):
        expect(facts.locator("dt", has_text=term).locator("+ dd")).to_have_text("Ikke angivet")

    page.goto(f"{origins.api}/?initiative=problemfiler")
    scanned = page.locator(".documents li", has_text="scannet.pdf")
    expect(scanned.locator(".doc-warning")).to_contain_text("Teksten kunne ikke læses")

    page.goto(f"{origins.api}/?q=fotograferer+s%C3%A5r")
    loose = page.locator(CARDS).filter(has_text="Notat om digital sårbehandling").first
    expect(loose).to_contain_text("Dokument uden oplysninger om initiativet")
    loose.locator(".card-title a").click()
    expect(page.locator(".notice")).to_contain_text("uden en beskrivelse af initiativet")
    expect(facts.locator("dt", has_text="Organisationer").locator("+ dd")).to_have_text("Ikke angivet")
    screenshot(page, "document-without-metadata")


def test_an_unknown_initiative_gets_a_danish_message(page: Page, origins) -> None:
    page.goto(f"{origins.api}/?initiative=findes-ikke")
    expect(page.get_by_role("alert")).to_contain_text("Initiativet findes ikke")
    expect(page.get_by_role("link", name="Til overblikket")).to_be_visible()


def test_keyboard_alone_reaches_a_facet_and_shows_the_focus(page: Page, origins) -> None:
    page.goto(origins.api)
    page.keyboard.type("KOL")
    page.keyboard.press("Enter")
    expect(page.locator(CARDS).first).to_be_visible()
    for _ in range(80):  # the facets come after the results in the reading order
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.matches('input[data-facet]')"):
            break
    focused = page.locator("input[data-facet]:focus")
    expect(focused).to_have_count(1)
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") == "solid"
    facet, value = focused.get_attribute("data-facet"), focused.get_attribute("value")

    page.keyboard.press("Space")
    expect(page.locator(".chip")).to_have_count(1)
    assert query_of(page)[facet] == [value]
    expect(facet_box(page, facet, value)).to_be_focused()


def test_narrow_screen_opens_the_facets_as_a_dialog_and_never_scrolls_sideways(
    new_page, origins, screenshot
) -> None:
    page = new_page(width=360, height=780)
    page.goto(f"{origins.api}/?q=hjemmeindl%C3%A6ggelse+af+%C3%A6ldre")
    expect(page.locator(CARDS).first).to_be_visible()
    toggle = page.get_by_role("button", name="Filtre", exact=True)
    expect(toggle).to_be_visible()
    expect(page.locator("#facet-groups")).to_be_hidden()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    screenshot(page, "narrow")

    toggle.click()
    dialog = page.get_by_role("dialog", name="Filtrer initiativerne")
    expect(dialog.locator("#facet-groups")).to_be_visible()
    dialog.get_by_role("button", name=re.compile(r"^Vis \d+ resultat")).click()
    expect(dialog).to_be_hidden()
    page.locator(CARDS).first.locator(".card-title a").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Lignende initiativer")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    screenshot(page, "narrow-detail")


def test_page_labels_match_the_schema(page: Page, origins) -> None:
    from initiative_index.schema import (
        CLUSTER_LABELS,
        EFFECT_LABELS,
        EVALUATION_LABELS,
        SECTOR_LABELS,
        STATUS_LABELS,
    )
    from initiative_index.vocabulary import FACET_NAMES, FIELD_BY_NAME

    page.goto(origins.api)
    labels, facets = page.evaluate(
        "async () => { const m = await import(new URL('static/labels.js', location.href));"
        " return [[m.SECTOR_LABELS, m.CLUSTER_LABELS, m.STATUS_LABELS, m.EVALUATION_LABELS, m.EFFECT_LABELS],"
        " m.FACETS.map((f) => [f.name, f.heading])]; }"
    )
    expected = [SECTOR_LABELS, CLUSTER_LABELS, STATUS_LABELS, EVALUATION_LABELS, EFFECT_LABELS]
    assert labels == [{str(key): value for key, value in mapping.items()} for mapping in expected]
    # Every facet the API counts is offered on the page, under the API's own heading.
    assert sorted(map(tuple, facets)) == sorted((name, FIELD_BY_NAME[name].heading) for name in FACET_NAMES)
