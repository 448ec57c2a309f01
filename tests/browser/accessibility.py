"""axe-core in the browser tests (axe-playwright-python bundles axe.min.js; nothing is downloaded)."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

AXE = Axe()
BLOCKING = ("serious", "critical")


def serious_violations(page, context: dict | None = None) -> list[str]:
    """axe-core's serious and critical violations on the page (or within `context`), as readable lines."""
    response = AXE.run(page, context=context).response
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in response["violations"]
        if v["impact"] in BLOCKING
    ]
