"""The card: an initiative's metadata written as one searchable passage, stored and embedded as a chunk.

Ingestion writes it so metadata is searchable like text (a search for "Thisted" or "pilot" finds the card);
the overview reads it without the evidence lines, to group initiatives by what they are.
"""

from __future__ import annotations

from typing import Any

from initiative_index.vocabulary import FIELD_BY_NAME


def card_text(record: dict[str, Any], evidence: bool = True) -> str:
    """The initiative's metadata as a searchable passage (the 'card'); `evidence=False` leaves out
    evaluation, effect and results (what it achieved, not what it is: the overview groups by the latter)."""
    lines = [record["title"], record["summary"]]
    labelled = [
        ("Organisationer", "organisation"),
        ("Sektorer", "sector"),
        ("Klynge", "cluster"),
        ("Målgrupper", "target_group"),
        ("Status", "status"),
        ("Nøgleord", "tag"),
        *([("Evaluering", "evaluation"), ("Effekt", "effect")] if evidence else []),
    ]
    for heading, name in labelled:
        field = FIELD_BY_NAME[name]
        values = [field.label(v) for v in field.values(record) if not (name == "cluster" and v == "ingen")]
        if values:
            lines.append(f"{heading}: {', '.join(values)}")
    results = [result["text"] for result in record.get("results", [])] if evidence else []
    if results:
        lines.append("Resultater: " + "; ".join(results))
    return "\n".join(lines)
