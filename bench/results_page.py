"""The results page as staff see it, measured in Chromium against a running `overblik serve`.

For six searches at 1366×800 and 375×740: the result cards' heights, how many of the first three cards start
on the first screen and how many cards fit it whole; the Tab presses from the search box to the first
result; the printed pages of a results page; and whether every document-view link on the first pages
opens with its passage marked.

    overblik ingest corpus && overblik serve --port 8712 &
    .venv/bin/python bench/results_page.py --api http://127.0.0.1:8712
"""

from __future__ import annotations

import argparse
import re
import statistics

from playwright.sync_api import Page, sync_playwright

QUERIES = [
    "videokonsultation plejehjem",
    "borgere med KOL måler hjemme",
    "demens pårørende",
    "akutteam",
    "tidlig opsporing",
    "psykiatri udskrivning",
]
SCREENS = [(1366, 800), (375, 740)]
CARDS = ".result-list .card"


def card_figures(page: Page, api: str, height: int) -> tuple[list[float], list[tuple[int, int]]]:
    heights, per_query = [], []
    for query in QUERIES:
        page.goto(f"{api}/?q={query}")
        page.wait_for_selector(CARDS)
        boxes = [page.locator(CARDS).nth(i).bounding_box() for i in range(page.locator(CARDS).count())]
        heights += [box["height"] for box in boxes]
        starting = sum(1 for box in boxes[:3] if box["y"] < height)
        whole = sum(1 for box in boxes if box["y"] + box["height"] <= height)
        per_query.append((starting, whole))
    return heights, per_query


def tabs_to_first_result(page: Page, api: str) -> int:
    page.goto(f"{api}/?q=demens")
    page.wait_for_selector(CARDS)
    page.get_by_label("Søg i initiativer og dokumenter").focus()
    first = page.locator(CARDS).first.locator(".card-title a")
    presses = 0
    while presses < 60 and not first.evaluate("el => el === document.activeElement"):
        page.keyboard.press("Tab")
        presses += 1
    return presses


def printed_pages(page: Page, api: str) -> tuple[int, int]:
    page.goto(f"{api}/?q={QUERIES[0]}")
    page.wait_for_selector(CARDS)
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4")
    page.emulate_media(media="screen")
    return page.locator(".card").count(), len(re.findall(rb"/Type\s*/Page\b", pdf))


def marked_passages(page: Page, api: str) -> tuple[int, int]:
    links = marked = 0
    for query in QUERIES:
        page.goto(f"{api}/?q={query}")
        page.wait_for_selector(CARDS)
        for href in page.locator(".source a").evaluate_all("els => els.map(e => e.href)"):
            if "/view/" in href:
                links += 1
                page.goto(href)
                marked += page.locator("mark#passage").count()
    return links, marked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api", default="http://127.0.0.1:8000")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=args.chromium, headless=True, args=["--no-sandbox"]
        )
        for width, height in SCREENS:
            page = browser.new_page(viewport={"width": width, "height": height}, locale="da-DK")
            heights, per_query = card_figures(page, args.api, height)
            print(
                f"{width}x{height}: card height median {statistics.median(heights):.0f} px, max "
                f"{max(heights):.0f} px; per query (of the first 3 cards starting on screen, cards whole on "
                f"screen): {per_query}"
            )
            if width == SCREENS[0][0]:
                print(
                    "Tab presses from the search box to the first result:",
                    tabs_to_first_result(page, args.api),
                )
                cards, pages = printed_pages(page, args.api)
                print(f"printed: {cards} cards on {pages} A4 pages")
                links, marked = marked_passages(page, args.api)
                print(
                    f"document-view links on the first pages: {links}, opened with the passage marked: "
                    f"{marked}"
                )
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
