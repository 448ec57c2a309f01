"""An ingested HTML document with a <script> and an onerror image, opened from the page in Chromium, runs
nothing: the page opens its document view (sanitised server-side, under a policy without scripts), and the
original is a sandboxed download, never a page of the API's origin. The page itself runs under its
Content-Security-Policy without a violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from security_corpus import XSS_GLOBAL

pytestmark = pytest.mark.browser


@pytest.fixture
def api(security_api: str) -> str:
    return security_api


def open_detail(page: Page, api: str, violations: list[str]) -> None:
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{api}/?initiative=sikker-hjemmepleje")
    expect(page.get_by_role("heading", level=1)).to_have_text("Faste ruter i hjemmeplejen")


def test_an_html_document_opened_from_the_page_runs_no_script(page: Page, api: str) -> None:
    violations: list[str] = []
    open_detail(page, api, violations)
    page.locator(".documents a", has_text="Nyhedsbrev").first.click()
    expect(page.locator("article.document")).to_be_visible()  # the document view, rendered
    page.wait_for_timeout(500)  # time for the script and the onerror handler, had they survived
    assert page.evaluate(f"window.{XSS_GLOBAL}") is None
    assert page.locator("article.document script, article.document [onerror]").count() == 0
    downloads = []
    page.on("download", lambda download: downloads.append(download))
    page.get_by_role("link", name="Hent originalen (HTML)").click()
    page.wait_for_timeout(500)
    for opened in page.context.pages:
        assert opened.evaluate(f"window.{XSS_GLOBAL}") is None
    assert [d.suggested_filename for d in downloads] == ["nyhedsbrev.html"]  # saved, not shown
    assert violations == []


def test_a_document_with_a_script_as_text_is_shown_as_text(page: Page, api: str) -> None:
    violations: list[str] = []
    open_detail(page, api, violations)
    page.locator(".documents a", has_text="Notat").click()
    expect(page.locator("body")).to_contain_text(f"<script>window.{XSS_GLOBAL}='md'</script>")
    assert page.evaluate(f"window.{XSS_GLOBAL}") is None
    assert violations == []


def test_even_navigated_to_directly_the_html_document_is_not_rendered(page: Page, api: str) -> None:
    page.goto(f"{api}/")
    document = f"{api}/initiatives/sikker-hjemmepleje/documents/nyhedsbrev.html"
    page.evaluate("url => { location.href = url; }", document)
    page.wait_for_timeout(500)
    assert page.evaluate(f"window.{XSS_GLOBAL}") is None
