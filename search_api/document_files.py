"""Which file an initiative's document name stands for: the one place that turns a request into a path.

Both the original download and the rendered document view go through `document_path`, so the checks (the
index lists the document for the initiative; the file lies inside the initiative's folder) cannot drift.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import HTTPException

from search_api.engine import SearchEngine


def initiative_record(engine: SearchEngine, initiative_id: str) -> dict:
    """The initiative's record, or a Danish 404."""
    record = engine.records.get(initiative_id)
    if record is None:
        raise HTTPException(404, detail=f"Initiativet '{initiative_id}' findes ikke.")
    return record


def document_path(engine: SearchEngine, initiative_id: str, name: str) -> Path:
    """The checked path of document `name` of the initiative, or a Danish 404.

    Only documents the index lists for the initiative are served, and only from the initiative's folder
    (a name with '..' or a symlink out of it is refused as missing)."""
    record = initiative_record(engine, initiative_id)
    missing = HTTPException(404, detail=f"Dokumentet '{name}' findes ikke for dette initiativ.")
    if name not in {doc["file"] for doc in record.get("documents", [])}:
        raise missing
    base = Path(engine.snapshot.base_dirs.get(initiative_id, "")).resolve()
    path = (base / name).resolve()
    if not base.is_dir() or not path.is_relative_to(base) or not path.is_file():
        raise missing
    return path
