"""A small corpus for the hardening tests: public and internal initiatives, and hostile documents.

- `sikker-hjemmepleje` (public): an HTML page with a `<script>` and an `onerror` image that would set
  `window.__overblikDocumentXss`, a Markdown note that contains a script tag as text, and a PDF.
- `sikker-sensorer` (public) and `fortrolig-sensorer` (internal) are about the same thing (sensors in home
  care at night), so the internal one is the public one's nearest neighbour: a leak through /similar,
  /overview or the facets would show.
"""

from __future__ import annotations

from pathlib import Path

from fixture_corpus import encrypted_pdf, pdf_bytes

XSS_GLOBAL = "__overblikDocumentXss"
INTERNAL_ID = "fortrolig-sensorer"
INTERNAL_WORD = "natsensorpiloten"  # occurs only in the internal initiative
INTERNAL_ORGANISATION = "Fortrolig Enhed"
PUBLIC_IDS = ("sikker-hjemmepleje", "sikker-sensorer")
PDF_PASSWORD = "hemmelig-kode-17"  # of an encrypted PDF: must never reach a log or the index

HOSTILE_HTML = f"""<!doctype html>
<html lang="da"><head><meta charset="utf-8"><title>Nyhedsbrev om hjemmepleje</title>
<script>window.{XSS_GLOBAL} = "script";</script></head>
<body><h1>Nyhedsbrev om hjemmepleje</h1>
<p>Hjemmeplejen i Brønderslev prøver nye ruter, så borgerne får besøg på faste tider.</p>
<img src="findes-ikke.png" onerror="window.{XSS_GLOBAL} = 'onerror'">
</body></html>
"""

INITIATIVES = {
    "sikker-hjemmepleje": (
        f"""id: sikker-hjemmepleje
title: Faste ruter i hjemmeplejen
summary: Brønderslev Kommune planlægger hjemmeplejens ruter, så borgerne får besøg på faste tider.
organisations: [Brønderslev Kommune]
sectors: [kommune]
status: drift
documents:
  - {{file: nyhedsbrev.html, title: Nyhedsbrev}}
  - {{file: notat.md, title: Notat}}
  - {{file: plan.pdf, title: Plan}}
  - {{file: bilag.pdf, title: Bilag, password: {PDF_PASSWORD}}}
""",
        {
            "nyhedsbrev.html": HOSTILE_HTML,
            "notat.md": f"# Notat\n\nRuter planlægges. <script>window.{XSS_GLOBAL}='md'</script>\n",
        },
    ),
    "sikker-sensorer": (
        """id: sikker-sensorer
title: Sensorer om natten i hjemmeplejen
summary: Hjørring Kommune bruger sensorer i hjemmet om natten, så hjemmeplejen ser, når en borger falder.
organisations: [Hjørring Kommune]
sectors: [kommune]
status: pilot
documents:
  - {file: beskrivelse.md, title: Beskrivelse}
""",
        {"beskrivelse.md": "Sensorer i hjemmet om natten giver besked til hjemmeplejen ved fald.\n"},
    ),
    INTERNAL_ID: (
        f"""id: {INTERNAL_ID}
title: Fortrolig pilot med sensorer om natten
summary: Regionens {INTERNAL_WORD} tester sensorer i hjemmet om natten, så hjemmeplejen ser fald.
organisations: [{INTERNAL_ORGANISATION}]
sectors: [region]
status: idé
visibility: intern
documents:
  - {{file: udkast.md, title: Udkast}}
""",
        {"udkast.md": f"Udkast: {INTERNAL_WORD} med sensorer om natten i hjemmeplejen ved fald.\n"},
    ),
}


def build_security_corpus(target: Path) -> Path:
    """Write the corpus under `target`; returns `target`."""
    for initiative_id, (metadata, documents) in INITIATIVES.items():
        folder = target / initiative_id
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "initiative.yaml").write_text(metadata, encoding="utf-8")
        for name, text in documents.items():
            (folder / name).write_text(text, encoding="utf-8")
    (target / "sikker-hjemmepleje" / "plan.pdf").write_bytes(pdf_bytes([["Plan for faste ruter."]]))
    (target / "sikker-hjemmepleje" / "bilag.pdf").write_bytes(
        encrypted_pdf("Bilag om ruternes længde.", PDF_PASSWORD)
    )
    return target
