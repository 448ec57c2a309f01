"""The overview at / in Chromium, over the fixture corpus: theme cards, the themes × sectors heat-map, the map
and its list, the same idea elsewhere, the effective initiatives, the list view without a query, the CSV
export, and the detail view's evidence. Expected numbers come from the API itself, so the tests hold however
the landscape names its themes."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from playwright.sync_api import Page, expect

from initiative_index.schema import SECTOR_LABELS, Sector

pytestmark = pytest.mark.browser

CARDS = ".result-list .card"
HEADING = "#results-heading"
THEME_CARDS = ".theme-card"
POINTS = "svg.map-svg a.map-point"


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def api_json(origins, path: str, **params) -> dict:
    response = httpx.get(f"{origins.api}{path}", params=params, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def card_titles(page: Page) -> list[str]:
    return page.locator(f"{CARDS} .card-title").all_inner_texts()


def test_the_front_page_is_the_overview_of_every_initiative(page: Page, origins, screenshot) -> None:
    overview = api_json(origins, "/overview")
    total = api_json(origins, "/stats")["initiatives"]
    page.goto(origins.api)
    expect(page.locator(HEADING)).to_have_text(f"Overblik over {total} initiativer")
    expect(page.locator(".stats")).to_contain_text(f"Overblik rummer {total} initiativer")
    expect(page.locator(".intro").get_by_role("link", name="akutteam")).to_be_visible()

    cards = page.locator(THEME_CARDS)
    expect(cards).to_have_count(len(overview["themes"]))
    counts = [int(text.split()[0]) for text in page.locator(".theme-count").all_inner_texts()]
    assert sum(counts) == total
    for theme, card in zip(overview["themes"], cards.all(), strict=True):
        expect(card.locator(".theme-title")).to_have_text(theme["label"])
        expect(card.locator(".theme-keywords")).to_contain_text(theme["keywords"][0])
        expect(card.locator(".theme-effect")).to_contain_text(
            f"{theme['with_effect']} med dokumenteret eller delvis effekt"
            if theme["with_effect"]
            else "Ingen med dokumenteret eller delvis effekt"
        )
        sectors = card.get_by_role("list", name="Sektorer").locator("li")
        expect(sectors).to_have_count(len(theme["by_sector"]))

    table = page.locator("table.heatmap")
    expect(table.locator("caption")).to_have_text("Antal initiativer pr. tema og sektor")
    columns = [c["label"] for c in overview["matrix"]["sectors"] if c["count"]]
    expect(table.locator('thead th[scope="col"]')).to_have_text(["Tema", *columns])
    expect(table.locator('tbody th[scope="row"]')).to_have_text([t["label"] for t in overview["themes"]])
    expect(page.locator(POINTS)).to_have_count(total)
    screenshot(page, "overview-1280")


def test_a_heat_map_cell_opens_the_list_of_exactly_its_initiatives(page: Page, origins) -> None:
    page.goto(origins.api)
    cell = page.locator("table.heatmap td a").first
    count = int(cell.get_attribute("data-count"))
    cell.click()
    expect(page.locator(HEADING)).to_have_text(
        f"{count} initiativ{'' if count == 1 else 'er'} matcher filtrene"
    )
    expect(page.locator(CARDS)).to_have_count(count)
    query = query_of(page.url)
    assert query["view"] == ["list"] and len(query["theme"]) == 1 and len(query["sector"]) == 1
    expect(page.get_by_role("button", name=re.compile("^Fjern filteret Tema: "))).to_be_visible()
    sector = SECTOR_LABELS[Sector(query["sector"][0])]
    expect(page.get_by_role("button", name=f"Fjern filteret Sektor: {sector}")).to_be_visible()
    for card in page.locator(CARDS).all():
        expect(card.locator(".badge-sector", has_text=sector)).to_be_visible()

    # The list leads back to the overview of the same initiatives.
    page.get_by_role("link", name="Tilbage til overblikket").click()
    expect(page.locator(HEADING)).to_contain_text(f"Overblik over {count} initiativ")
    assert query_of(page.url) == {"theme": query["theme"], "sector": query["sector"]}

    # The municipalities as columns: a cell lists the initiatives of the theme that the municipality runs.
    page.goto(origins.api)
    page.get_by_label("Kommuner").check()
    expect(page.locator("table.heatmap caption")).to_have_text("Antal initiativer pr. tema og kommune")
    cell = page.locator("table.heatmap td a").first
    count = int(cell.get_attribute("data-count"))
    cell.click()
    expect(page.locator(CARDS)).to_have_count(count)
    assert query_of(page.url)["organisation"][0].endswith(" Kommune")


def test_a_theme_card_opens_the_list_of_its_initiatives(page: Page, origins) -> None:
    theme = api_json(origins, "/overview")["themes"][0]
    page.goto(origins.api)
    page.locator(THEME_CARDS).first.get_by_role("link", name=theme["label"]).click()
    expect(page.locator(CARDS)).to_have_count(theme["count"])
    assert query_of(page.url) == {"view": ["list"], "theme": [theme["id"]]}
    expect(page.get_by_role("button", name=f"Fjern filteret Tema: {theme['label']}")).to_be_visible()


def test_a_map_point_opens_its_detail_view_by_click_and_by_enter(page: Page, origins) -> None:
    page.goto(origins.api)
    point = page.locator(f'{POINTS}[data-id="video-plejehjem-aalborg"]')
    title = "Videokonsultationer mellem plejehjem og almen praksis"
    expect(point).to_have_attribute("aria-label", title)
    point.hover()
    expect(page.locator(".map-tooltip")).to_contain_text(title)
    point.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    assert query_of(page.url) == {"initiative": ["video-plejehjem-aalborg"]}
    expect(page.get_by_role("link", name="Tilbage til overblikket")).to_be_visible()

    page.go_back()
    expect(page.locator("#result-list")).not_to_have_attribute("aria-busy", "true")
    expect(page.locator(POINTS).first).to_be_visible()
    page.mouse.move(0, 0)  # a keyboard user's pointer rests elsewhere (not on the point hovered before)
    # The points are reached with the keyboard: tabbing from the last link before the map lands on one.
    page.locator(".overview-heatmap a").last.focus()
    for _ in range(3):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.matches('a.map-point')"):
            break
    focused = page.locator(f"{POINTS}:focus")
    expect(focused).to_have_count(1)
    name = focused.get_attribute("aria-label")
    expect(page.locator(".map-tooltip")).to_contain_text(name)
    assert (
        page.evaluate("() => getComputedStyle(document.activeElement.querySelector('.map-ring')).visibility")
        == "visible"
    )
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def test_the_maps_list_alternative_lists_every_initiative_by_theme(page: Page, origins) -> None:
    overview = api_json(origins, "/overview")
    page.goto(origins.api)
    listing = page.locator("details.map-list")
    listing.get_by_text("Vis kortet som liste").click()
    links = listing.locator("li a")
    expect(links).to_have_count(overview["total"])
    hrefs = {query_of(href)["initiative"][0] for href in [a.get_attribute("href") for a in links.all()]}
    assert hrefs == {point["id"] for point in overview["map"]}
    expect(listing.locator("h3")).to_have_text([f"{t['label']} ({t['count']})" for t in overview["themes"]])


def test_browsing_without_a_query_sorts_and_keeps_the_order_in_the_url(page: Page, origins) -> None:
    by_title = [hit["title"] for hit in api_json(origins, "/search", sort="title", limit=10)["results"]]
    newest = [hit["title"] for hit in api_json(origins, "/search", sort="newest", limit=10)["results"]]
    assert by_title != newest
    page.goto(origins.api)
    page.get_by_role("link", name=re.compile(r"^Vis alle \d+ initiativer som liste$")).click()
    expect(page.locator(HEADING)).to_contain_text("Alle ")
    assert query_of(page.url) == {"view": ["list"]}
    expect(page.locator(f"{CARDS} .card-title")).to_have_text(by_title)

    sort = page.get_by_label("Sortér efter")
    expect(sort.locator("option")).to_have_text(["Titel", "Nyeste start", "Status"])
    sort.select_option(label="Nyeste start")
    expect(page.locator(f"{CARDS} .card-title")).to_have_text(newest)
    assert query_of(page.url) == {"view": ["list"], "sort": ["newest"]}
    expect(sort).to_be_focused()

    page.reload()
    expect(page.locator(f"{CARDS} .card-title")).to_have_text(newest)
    expect(page.get_by_label("Sortér efter")).to_have_value("newest")
    page.go_back()
    expect(page.locator(f"{CARDS} .card-title")).to_have_text(by_title)


def test_a_filter_on_the_overview_changes_the_counts_and_stays_in_the_url(page: Page, origins) -> None:
    everything = api_json(origins, "/overview")["total"]
    kommune = api_json(origins, "/overview", sector="kommune")
    assert kommune["total"] < everything
    page.goto(f"{origins.api}/?sector=kommune")
    expect(page.locator(HEADING)).to_have_text(
        f"Overblik over {kommune['total']} initiativer, der matcher filtrene"
    )
    expect(page.get_by_role("button", name="Fjern filteret Sektor: Kommune")).to_be_visible()
    expect(page.locator('input[data-facet="sector"][value="kommune"]')).to_be_checked()
    counts = [int(text.split()[0]) for text in page.locator(".theme-count").all_inner_texts()]
    assert sum(counts) == kommune["total"]
    # With a sector chosen, the heat-map's columns are the chosen sectors (every cell lists what it counts).
    expect(page.locator('table.heatmap thead th[scope="col"]')).to_have_text(["Tema", "Kommune"])
    expect(page.locator(POINTS)).to_have_count(kommune["total"])
    assert query_of(page.url) == {"sector": ["kommune"]}

    page.locator('input[data-facet="sector"][value="region"]').check()
    both = api_json(origins, "/overview", sector=["kommune", "region"])["total"]
    expect(page.locator(HEADING)).to_contain_text(f"Overblik over {both} initiativer")
    assert query_of(page.url) == {"sector": ["kommune", "region"]}
    page.get_by_role("button", name="Fjern alle filtre").click()
    expect(page.locator(HEADING)).to_have_text(f"Overblik over {everything} initiativer")
    assert query_of(page.url) == {}


def test_effective_initiatives_show_effect_evaluation_and_results(page: Page, origins) -> None:
    page.goto(origins.api)
    section = page.locator(".overview-effective")
    items = section.locator(".effective-item")
    expect(items.locator(".effective-title")).to_have_text(
        [
            "Videokonsultationer mellem plejehjem og almen praksis",
            "Digitale sundhedskompetencer for borgere med KOL på plejecentre",
        ]
    )
    video, kol = items.all()
    expect(video.locator(".badge-effect")).to_have_text("Dokumenteret effekt")
    expect(video.locator(".badge-evaluation")).to_have_text("Ekstern evaluering")
    expect(video.locator(".outcomes li")).to_have_text(
        "Færre lægebesøg og hurtigere afklaring for beboerne Kilde: beskrivelse.md"
    )
    expect(kol.locator(".badge-effect")).to_have_text("Delvis effekt")
    expect(kol.locator(".badge-evaluation")).to_have_text("Intern evaluering")
    expect(kol.locator(".outcomes li")).to_contain_text(["18 af 24 borgere måler selvstændigt"])

    section.get_by_role("link", name="Vis alle virksomme initiativer").click()
    assert query_of(page.url) == {"view": ["list"], "effect": ["dokumenteret", "delvis"]}
    expect(page.locator(CARDS)).to_have_count(2)
    expect(page.locator(f"{CARDS} .badge-effect")).to_have_text(["Delvis effekt", "Dokumenteret effekt"])


def test_the_same_idea_elsewhere_links_both_initiatives(page: Page, origins) -> None:
    pairs = api_json(origins, "/overview")["overlaps"]
    assert pairs, "the fixture corpus has one pair of the same idea"
    page.goto(origins.api)
    first = page.locator(".overview-overlaps .overlap").first
    for i in range(2):
        link = first.get_by_role("link", name=pairs[0]["titles"][i])
        expect(link).to_have_attribute("href", f"?initiative={pairs[0]['initiatives'][i]}")
    expect(first.locator(".overlap-org")).to_have_text(pairs[0]["organisations"])
    expect(first.locator(".overlap-reason")).to_have_text(pairs[0]["reason"])


def test_the_detail_view_shows_evidence_and_splits_the_similar_initiatives(
    page: Page, origins, screenshot
) -> None:
    record = api_json(origins, "/initiatives/video-plejehjem-aalborg")
    similar = api_json(origins, "/initiatives/video-plejehjem-aalborg/similar", limit=5)["results"]
    same = [item["title"] for item in similar if item["same_idea"]]
    others = [item["title"] for item in similar if not item["same_idea"]]
    assert same and others, "the fixture has both kinds for this initiative"
    page.goto(f"{origins.api}/?initiative=video-plejehjem-aalborg")
    facts = page.locator("dl.facts")
    expect(facts.locator("dt", has_text="Evaluering").locator("+ dd")).to_have_text("Ekstern evaluering")
    expect(facts.locator("dt", has_text="Effekt").locator("+ dd")).to_have_text("Dokumenteret effekt")
    theme = facts.locator("dt", has_text="Tema").locator("+ dd").get_by_role("link")
    expect(theme).to_have_text(record["theme_label"])
    expect(theme).to_have_attribute("href", f"?view=list&theme={record['theme']}")
    outcome = page.locator(".detail .outcomes li")
    expect(outcome).to_have_text(
        "Færre lægebesøg og hurtigere afklaring for beboerne Kilde: Beskrivelse af videokonsultationer"
    )
    expect(outcome.get_by_role("link")).to_have_attribute(
        "href", f"{origins.api}/initiatives/video-plejehjem-aalborg/documents/beskrivelse.md"
    )

    same_section = page.locator(
        "section.similar", has=page.get_by_role("heading", name="Samme idé andre steder")
    )
    expect(same_section.locator(".card-title")).to_have_text(same)
    expect(same_section.locator(".same-idea-reason").first).to_have_text(
        next(item["reason"] for item in similar if item["same_idea"])
    )
    others_section = page.locator(
        "section.similar", has=page.get_by_role("heading", name="Lignende initiativer")
    )
    expect(others_section.locator(".card-title")).to_have_text(others)
    expect(page.locator(".similar .badge-other", has_text="Anden organisation").first).to_be_visible()
    screenshot(page, "detail-evidence")


def test_search_results_show_theme_and_effect_and_lead_to_their_overview(page: Page, origins) -> None:
    page.goto(f"{origins.api}/?q=videokonsultationer+plejehjem")
    first = page.locator(CARDS).first
    expect(first.locator(".card-title")).to_have_text("Videokonsultationer mellem plejehjem og almen praksis")
    expect(first.locator(".badge-effect")).to_have_text("Dokumenteret effekt")
    expect(first.locator(".badge-theme")).to_contain_text("Tema: ")
    expect(first.locator(".outcomes li")).to_contain_text(["Færre lægebesøg"])
    expect(page.get_by_label("Sortér efter").locator("option")).to_have_text(
        ["Relevans", "Titel", "Nyeste start", "Status"]
    )
    total = api_json(origins, "/search", q="videokonsultationer plejehjem")["total"]

    page.get_by_role("link", name="Se overblik over resultaterne").click()
    assert query_of(page.url) == {"q": ["videokonsultationer plejehjem"], "view": ["overview"]}
    expect(page.locator(HEADING)).to_have_text(
        f"Overblik over {total} initiativer, der matcher »videokonsultationer plejehjem«"
    )
    counts = [int(text.split()[0]) for text in page.locator(".theme-count").all_inner_texts()]
    assert sum(counts) == total
    expect(page.locator(".intro")).to_be_hidden()
    page.get_by_role("link", name="Tilbage til søgeresultaterne").click()
    expect(page.locator(HEADING)).to_contain_text("matcher »videokonsultationer plejehjem«")


def test_the_csv_link_exports_what_is_shown(page: Page, origins) -> None:
    page.goto(f"{origins.api}/?sector=kommune")
    link = page.get_by_role("link", name="Eksportér som CSV")
    expect(link).to_have_attribute("href", f"{origins.api}/export.csv?sector=kommune")
    response = httpx.get(link.get_attribute("href"), timeout=30)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")

    page.goto(f"{origins.api}/?view=list&status=drift&sort=newest&page=1")
    expect(page.get_by_role("link", name="Eksportér som CSV")).to_have_attribute(
        "href", f"{origins.api}/export.csv?status=drift&sort=newest"
    )
    page.goto(f"{origins.api}/?q=KOL&sector=kommune")
    expect(page.get_by_role("link", name="Eksportér som CSV")).to_have_attribute(
        "href", f"{origins.api}/export.csv?q=KOL&sector=kommune"
    )


def test_the_overview_fits_a_narrow_screen(new_page, origins, screenshot) -> None:
    page = new_page(width=360, height=780)
    page.goto(origins.api)
    expect(page.locator(POINTS).first).to_be_visible()
    expect(page.get_by_role("button", name="Filtre", exact=True)).to_be_visible()
    expect(page.locator("#facet-groups")).to_be_hidden()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    assert page.locator("svg.map-svg").bounding_box()["width"] <= 360
    # The heat-map scrolls inside its own box when it is wider than the screen.
    scroller = page.get_by_role("region", name="Antal initiativer pr. tema og sektor")
    assert scroller.evaluate("el => getComputedStyle(el).overflowX") == "auto"
    assert scroller.bounding_box()["width"] <= 360
    screenshot(page, "overview-360")


def test_an_overview_that_fails_says_so_in_danish_and_can_be_retried(page: Page, origins) -> None:
    def unavailable(route) -> None:
        route.fulfill(status=503, content_type="application/json", body='{"detail": "Indekset indlæses …"}')

    page.route("**/overview?*", unavailable)
    page.goto(f"{origins.api}/?sector=kommune")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Overblikket kunne ikke vises")
    expect(alert).to_contain_text("Indekset indlæses …")
    expect(page.get_by_role("button", name="Fjern filteret Sektor: Kommune")).to_be_visible()

    page.unroute("**/overview?*")
    alert.get_by_role("button", name="Prøv igen").click()
    expect(page.locator(THEME_CARDS).first).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)
