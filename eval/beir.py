"""`overblik eval beir PATH`: a BEIR collection ingested into a temporary index, one initiative per entry.

Each corpus entry is written as a loose Markdown document (`# title`, blank line, text). A document outside
any initiative folder becomes its own initiative (ingest/discovery.py), and its record lists the document's
file name; that file name, kept in a mapping because ids are sanitized for the file system, leads back to the
BEIR id when runs are scored.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from eval.dataset import EvalSetError
from ingest.pipeline import Ingestion
from ingest.summary import IngestSummary
from initiative_index.embedders import Embedder
from initiative_index.settings import Language, Settings
from initiative_index.snapshot import IndexSnapshot

MAX_STEM = 80  # characters of the id kept in a file name


@dataclass
class BeirIndex:
    """The ingested collection: settings that open it, and initiative id -> BEIR corpus id."""

    settings: Settings
    summary: IngestSummary
    file_ids: dict[str, str]  # document file name -> BEIR corpus id

    def id_map(self, snapshot: IndexSnapshot) -> dict[str, str]:
        """Initiative id -> BEIR id, through each initiative's one document."""
        mapping = {}
        for initiative_id, record in snapshot.records.items():
            documents = record.get("documents") or []
            if documents and documents[0]["file"] in self.file_ids:
                mapping[initiative_id] = self.file_ids[documents[0]["file"]]
        return mapping


def read_corpus(path: Path) -> Iterator[dict]:
    """Entries of a BEIR corpus.jsonl: {'_id', 'title', 'text'}."""
    if not path.is_file():
        raise EvalSetError(f"No corpus file at {path}")
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                yield {
                    "_id": str(entry["_id"]),
                    "title": entry.get("title") or "",
                    "text": entry.get("text") or "",
                }
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise EvalSetError(f"{path}:{number}: expected a JSON object with _id, title, text") from exc


def file_stem(doc_id: str, taken: set[str]) -> str:
    """A safe, unique file name stem for a corpus id (a hash is added when the id had to change)."""
    stem = re.sub(r"[^A-Za-z0-9_-]", "_", doc_id)[:MAX_STEM] or "doc"
    if stem != doc_id or stem.lower() in taken:
        stem = f"{stem}-{hashlib.sha1(doc_id.encode()).hexdigest()[:10]}"
    taken.add(stem.lower())
    return stem


def document_markdown(title: str, text: str) -> str:
    title = " ".join(title.split())
    return f"# {title}\n\n{text.strip()}\n" if title else f"{text.strip()}\n"


def write_documents(corpus: Path, folder: Path) -> dict[str, str]:
    """Write every corpus entry with text as `<stem>.md` in `folder`; returns file name -> corpus id."""
    folder.mkdir(parents=True, exist_ok=True)
    file_ids: dict[str, str] = {}
    taken: set[str] = set()
    for entry in read_corpus(corpus):
        if not (entry["title"].strip() or entry["text"].strip()):
            continue  # nothing to index; judged as never found
        name = file_stem(entry["_id"], taken) + ".md"
        (folder / name).write_text(document_markdown(entry["title"], entry["text"]), encoding="utf-8")
        file_ids[name] = entry["_id"]
    for stale in set(p.name for p in folder.glob("*.md")) - file_ids.keys():
        (folder / stale).unlink()  # a reused work folder must hold this corpus only
    return file_ids


def ingest_beir(
    collection: Path,
    work_dir: Path,
    settings: Settings,
    embedder: Embedder,
    language: Language,
    *,
    progress: bool = False,
) -> BeirIndex:
    """Ingest `collection/corpus.jsonl` into an embedded index under `work_dir` (incremental on reuse)."""
    documents = work_dir / "documents"
    file_ids = write_documents(collection / "corpus.jsonl", documents)
    if not file_ids:
        raise EvalSetError(f"{collection / 'corpus.jsonl'} has no entry with text")
    index_settings = settings.model_copy(
        update={"data_dir": work_dir / "index", "chroma_url": "", "language": language}
    )
    summary = Ingestion(index_settings, embedder, show_progress=progress).run([documents])
    return BeirIndex(index_settings, summary, file_ids)
