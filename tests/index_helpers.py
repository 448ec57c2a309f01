"""Small readers of a built index and a runner of the real `overblik` command, shared by ingestion tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from initiative_index.analyzer import get_analyzer
from initiative_index.lexical import LexicalIndex
from initiative_index.settings import Settings
from initiative_index.store import ChunkStore, reset_embedded_clients

OVERBLIK = Path(sys.executable).parent / "overblik"


def open_store(settings: Settings) -> ChunkStore:
    """The index as it is on disk now (an embedded client caches what it saw when first opened)."""
    reset_embedded_clients()
    return ChunkStore.open(settings)


def rows_by_id(settings: Settings) -> dict[str, dict]:
    """Every stored chunk: id -> {'id', 'document', 'metadata'}."""
    return {row["id"]: row for row in open_store(settings).iter_rows()}


def chunks_of(settings: Settings, doc_name: str) -> dict[str, dict]:
    """The stored chunks of the document an initiative names `doc_name`."""
    return {i: row for i, row in rows_by_id(settings).items() if row["metadata"]["doc_name"] == doc_name}


def lexical_search(settings: Settings, query: str, k: int = 10) -> list[str]:
    """Chunk ids the saved lexical index of the current version finds for `query`, best first."""
    version = open_store(settings).read_manifest().index_version
    lexical = LexicalIndex.load(
        settings.lexical_path / settings.collection, version, get_analyzer(settings.language)
    )
    assert lexical is not None, f"no saved lexical index for version {version}"
    rows, _ = lexical.search(query, k)
    return [lexical.ids[row] for row in rows]


def cli_env(data_dir: Path, **settings: str) -> dict[str, str]:
    """The environment of an `overblik` subprocess: this one without OVERBLIK_* plus the given settings."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("OVERBLIK_")}
    env["OVERBLIK_DATA_DIR"] = str(data_dir)
    env.update({f"OVERBLIK_{key.upper()}": value for key, value in settings.items()})
    return env


def start_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.Popen:
    """Start `overblik ARGS...` (cwd is a scratch folder, so no developer .env file is read)."""
    return subprocess.Popen(
        [str(OVERBLIK), *args], env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def run_cli(*args: str, env: dict[str, str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run `overblik ARGS...` to completion."""
    return subprocess.run(
        [str(OVERBLIK), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout
    )
