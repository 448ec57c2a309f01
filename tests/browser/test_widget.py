"""The intranet widget on host pages served from other origins, with and without CORS allowing them."""

from __future__ import annotations

import pytest
from accessibility import serious_violations
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

RED = "rgb(200, 0, 0)"  # what the host page's CSS forces on every element it can reach


def test_widget_searches_from_an_allowed_origin_unharmed_by_the_host_css(
    page: Page, origins, screenshot
) -> None:
    page.goto(f"{origins.allowed_host}/intranet.html")
    widget = page.locator(".overblik-widget")
    box = widget.get_by_label("Søg i sundhedsinitiativer i Nordjylland")
    expect(box).to_be_visible()
    box.fill("borgere med KOL")
    box.press("Enter")

    cards = widget.locator(".widget-list .card")
    expect(cards).to_have_count(3)  # data-limit="3"
    # Compact: title, organisations and one line of the best passage, each card a few lines high.
    expect(cards.first.locator(".one-line mark").first).to_be_visible()
    for i in range(3):
        assert cards.nth(i).bounding_box()["height"] < 140
    title_link = cards.first.locator(".card-title a")
    assert title_link.get_attribute("href").startswith(f"{origins.api}/?initiative=")
    more = widget.get_by_role("link", name="Se alle resultater")
    assert more.get_attribute("href").startswith(f"{origins.api}/?q=borgere")
    assert serious_violations(page, {"include": [[".overblik-widget"]]}) == []

    # The host's CSS does not reach inside: readable colour, normal size, visible controls.
    style = box.evaluate(
        "el => { const s = getComputedStyle(el.getRootNode().querySelector('.widget-status'));"
        " return {color: s.color, size: s.fontSize, spacing: s.letterSpacing}; }"
    )
    assert style["color"] != RED
    assert style["size"] == "16px"
    assert style["spacing"] == "normal"
    expect(widget.get_by_role("button", name="Søg")).to_be_visible()
    # ...and the widget's CSS does not reach out: the host's own .card-title keeps the host's look.
    note = page.locator("#host-note")
    assert note.evaluate("el => getComputedStyle(el).color") == RED
    assert note.evaluate("el => getComputedStyle(el).borderTopStyle") == "dashed"
    screenshot(page, "widget")

    title_link.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.url.startswith(f"{origins.api}/?initiative=")


def test_widget_explains_when_its_origin_is_not_allowed(page: Page, origins, screenshot) -> None:
    warnings: list[str] = []
    page.on("console", lambda message: warnings.append(message.text) if message.type == "warning" else None)
    page.goto(f"{origins.other_host}/intranet.html")
    alert = page.locator(".overblik-widget").get_by_role("alert")
    expect(alert).to_contain_text("Søgefeltet kan ikke bruges her")
    # The reader gets a way on, not the administrator's setting; the console has the technical reason.
    expect(alert).to_contain_text("Du kan søge direkte i Overblik")
    expect(alert).not_to_contain_text("OVERBLIK_CORS_ORIGINS")
    expect(alert.get_by_role("link", name="Gå til Overblik")).to_have_attribute("href", f"{origins.api}/")
    assert any("OVERBLIK_CORS_ORIGINS" in w and origins.other_host in w for w in warnings), warnings
    assert alert.evaluate("el => getComputedStyle(el).color") != RED
    screenshot(page, "widget-cors-refused")


def test_widget_explains_when_the_api_cannot_be_reached(page: Page, origins) -> None:
    page.goto(f"{origins.allowed_host}/unreachable.html")
    alert = page.locator(".overblik-widget").get_by_role("alert")
    expect(alert).to_contain_text("kan ikke nås lige nu")


def test_widget_shows_search_errors_in_danish(page: Page, origins) -> None:
    page.route(
        f"{origins.api}/search?*",
        lambda route: route.fulfill(
            status=503,
            content_type="application/json",
            headers={"Access-Control-Allow-Origin": origins.allowed_host},
            body='{"detail": "Søgeindekset indlæses …"}',
        ),
    )
    page.goto(f"{origins.allowed_host}/intranet.html")
    widget = page.locator(".overblik-widget")
    box = widget.get_by_label("Søg i sundhedsinitiativer i Nordjylland")
    box.fill("KOL")
    box.press("Enter")
    alert = widget.get_by_role("alert")
    expect(alert).to_contain_text("Søgningen kunne ikke gennemføres")
    expect(alert).to_contain_text("Søgeindekset indlæses …")
