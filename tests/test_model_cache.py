"""The converted e5 folder is built once per cache, atomically, whichever process asks first."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from support import REPO

from initiative_index.embedders import E5OnnxEmbedder
from initiative_index.model_cache import BUILD_RECORD, CONVERTER_VERSION, ensure_e5_folder

FIRST_USE = """
import logging, sys
from pathlib import Path
logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
from initiative_index.model_cache import ensure_e5_folder
print(ensure_e5_folder(Path(sys.argv[1])))
"""


def test_two_processes_starting_together_build_the_folder_once(tmp_path: Path, e5: E5OnnxEmbedder):
    cache = tmp_path / "cache"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", FIRST_USE, str(cache)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=900) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs

    folders = {Path(out.strip()) for out, _ in outputs}
    assert len(folders) == 1
    folder = folders.pop()
    logs = "".join(err for _, err in outputs)
    assert logs.count("overblik.model: building") == 1  # one built it ...
    assert logs.count("overblik.model: waiting for another process") == 1  # ... the other waited for it
    assert sorted(p.name for p in cache.iterdir()) == [folder.name, folder.name + ".lock"]  # no half-builds
    assert json.loads((folder / BUILD_RECORD).read_text())["converter_version"] == CONVERTER_VERSION

    started = time.perf_counter()
    assert ensure_e5_folder(cache) == folder  # found, not built again
    assert time.perf_counter() - started < 2

    texts = ["Borgere med KOL får besøg af sygeplejersken.", "hjemmebehandling"]
    rebuilt = E5OnnxEmbedder(folder, threads=1)
    np.testing.assert_allclose(rebuilt.encode_documents(texts), e5.encode_documents(texts), atol=1e-5)
