"""An ingestion killed half-way and run again ends with the same index as one that was never interrupted."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from index_helpers import cli_env, open_store, rows_by_id, run_cli, start_cli
from support import make_settings

from ingest.pipeline import Ingestion
from initiative_index.errors import IndexNotFoundError, StoreUnavailableError
from initiative_index.settings import Settings

DOCUMENTS = 60
BATCH_SIZE = 16  # chunks reach the store in four batches, so there is a "half-way"


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One initiative with 60 short notes: an ingestion that takes several seconds."""
    root = tmp_path_factory.mktemp("big-corpus") / "corpus"
    folder = root / "mange-notater"
    folder.mkdir(parents=True)
    (folder / "initiative.yaml").write_text(
        "id: mange-notater\ntitle: Opfølgning på hjemmebehandling\nsummary: Korte notater fra akutteamet.\n"
        "organisations: [Thisted Kommune]\nsectors: [kommune]\nstatus: pilot\n",
        encoding="utf-8",
    )
    for n in range(DOCUMENTS):
        (folder / f"notat-{n:02d}.md").write_text(
            f"# Notat {n}\n\nBorger {n} fik intravenøs behandling i eget hjem i uge {n % 52 + 1}; "
            f"akutsygeplejersken var på besøg {n % 5 + 1} gange.\n",
            encoding="utf-8",
        )
    return root


@pytest.fixture(scope="module")
def clean_index(tmp_path_factory: pytest.TempPathFactory, big_corpus: Path, e5) -> Settings:
    settings = make_settings(tmp_path_factory.mktemp("clean") / "data")
    Ingestion(settings, e5, show_progress=False).run([big_corpus])
    return settings


def stored_count(settings: Settings) -> int:
    try:
        return open_store(settings).count()
    except (IndexNotFoundError, StoreUnavailableError):  # not created yet, or caught mid-creation
        return 0


def interrupt_after_first_writes(corpus: Path, data_dir: Path, signum: signal.Signals) -> subprocess.Popen:
    """Start `overblik ingest`, send `signum` once some (not all) chunks are stored, and wait for it."""
    settings = make_settings(data_dir)
    process = start_cli(
        "ingest",
        "--json",
        str(corpus),
        env=cli_env(data_dir, batch_size=str(BATCH_SIZE)),
        cwd=data_dir.parent,
    )
    try:
        deadline = time.monotonic() + 240
        while stored_count(settings) == 0:
            assert process.poll() is None, f"ingest ended before it was interrupted: {process.stderr.read()}"
            assert time.monotonic() < deadline, "no chunk was written in time"
            time.sleep(0.05)
        process.send_signal(signum)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert 0 < stored_count(settings) < DOCUMENTS + 1, "the run was not interrupted half-way"
    return process


def assert_same_index(resumed: Settings, clean: Settings) -> None:
    resumed_rows, clean_rows = rows_by_id(resumed), rows_by_id(clean)
    assert resumed_rows == clean_rows  # ids, texts and metadata (incl. initiative and hashes)
    ids = sorted(clean_rows)
    assert np.allclose(
        open_store(resumed).get_embeddings(ids), open_store(clean).get_embeddings(ids), atol=1e-5
    )
    positions = [(row["metadata"]["source"], row["metadata"]["position"]) for row in resumed_rows.values()]
    assert len(positions) == len(set(positions)) == DOCUMENTS + 1  # no duplicates: each note and the card
    assert not open_store(resumed).read_manifest().dirty  # the resumed run published its version


def test_killed_ingestion_resumes_to_the_same_index_as_a_clean_run(tmp_path: Path, big_corpus, clean_index):
    data_dir = tmp_path / "data"
    killed = interrupt_after_first_writes(big_corpus, data_dir, signal.SIGKILL)
    assert killed.returncode == -signal.SIGKILL

    rerun = run_cli("ingest", "--json", str(big_corpus), env=cli_env(data_dir), cwd=tmp_path)
    assert rerun.returncode == 0, rerun.stderr
    summary = json.loads(rerun.stdout)
    assert summary["unchanged"] > 0  # resumed: what the killed run stored is kept
    assert summary["unchanged"] + summary["ingested"] == DOCUMENTS + 1
    assert_same_index(make_settings(data_dir), clean_index)


def test_ctrl_c_stops_with_exit_code_130_and_the_rerun_completes(tmp_path: Path, big_corpus, clean_index):
    data_dir = tmp_path / "data"
    interrupted = interrupt_after_first_writes(big_corpus, data_dir, signal.SIGINT)
    assert interrupted.returncode == 130
    assert "Run the same command again" in interrupted.stderr.read()
    partial = json.loads(interrupted.stdout.read())
    assert partial["interrupted"] is True and partial["chunks_written"] > 0

    rerun = run_cli("ingest", "--json", str(big_corpus), env=cli_env(data_dir), cwd=tmp_path)
    assert rerun.returncode == 0, rerun.stderr
    assert_same_index(make_settings(data_dir), clean_index)
