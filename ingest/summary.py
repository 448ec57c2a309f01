"""The summary an ingestion run prints (a table for people, JSON for scripts)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from rich.console import Console
from rich.table import Table


@dataclass
class Failure:
    path: str
    reason: str


@dataclass
class IngestSummary:
    files_seen: int = 0
    ingested: int = 0
    unchanged: int = 0
    metadata_updated: int = 0
    removed: int = 0
    failed: int = 0
    chunks_written: int = 0
    chunks_total: int = 0
    initiatives: int = 0
    index_version: str = ""
    seconds: float = 0.0
    themes_file: str = ""  # the themes.yaml in use ("" when none)
    themes: list[str] = field(default_factory=list)  # theme labels of the new index version
    overview_seconds: float = 0.0
    failures: list[Failure] = field(default_factory=list)
    interrupted: bool = False
    ledger_full_scan: bool = False  # the ledger was read from every chunk, not from the covered sources
    ledger_chunks_read: int = 0  # chunk metadatas read to compare the files with what is stored

    def fail(self, path: str, reason: str) -> None:
        self.failed += 1
        self.failures.append(Failure(path, reason))

    def to_json(self) -> str:
        data = asdict(self)
        data["seconds"] = round(self.seconds, 2)
        return json.dumps(data, ensure_ascii=False, indent=2)

    def print(self, console: Console) -> None:
        table = Table(title="Ingestion summary", show_header=False, title_justify="left")
        for label, value in [
            ("files seen", self.files_seen),
            ("ingested", self.ingested),
            ("unchanged", self.unchanged),
            ("metadata updated", self.metadata_updated),
            ("removed", self.removed),
            ("failed", self.failed),
            ("chunks written", self.chunks_written),
            ("chunks in index", self.chunks_total),
            ("initiatives in index", self.initiatives),
            ("index version", self.index_version),
            (
                "themes",
                f"{len(self.themes)}" + (f" (steered by {self.themes_file})" if self.themes_file else ""),
            ),
            (
                "seconds",
                f"{self.seconds:.1f}" + (f" (overview {self.overview_seconds:.1f})" if self.themes else ""),
            ),
        ]:
            table.add_row(label, str(value))
        console.print(table)
        if self.failures:
            failures = Table(title="Not ingested", title_justify="left")
            failures.add_column("file")
            failures.add_column("reason")
            for failure in self.failures:
                failures.add_row(failure.path, failure.reason)
            console.print(failures)
