"""Property-based fuzzing of the whole OpenAPI with schemathesis against the live app: no response is a
5xx, and every response matches its declared status codes, content type and schema.

The real `schemathesis run` command against a real uvicorn server over the hardening corpus (public and
internal initiatives): every operation, valid and invalid inputs, a bounded number of generated requests
per operation and a fixed seed, so a run is repeatable and its time bounded.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from support import LiveServer

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
EXAMPLES = 30  # generated requests per operation in the fuzzing phase


def test_no_request_gets_a_5xx_or_an_undocumented_answer(security_index, e5, tmp_path: Path) -> None:
    settings, _ = security_index
    server = LiveServer(settings, e5).start()
    try:
        run = subprocess.run(
            [str(SCHEMATHESIS), "run", f"{server.url}/openapi.json", "--checks", CHECKS,
             "--phases", "examples,coverage,fuzzing", "--max-examples", str(EXAMPLES), "--seed", "13",
             "--generation-deterministic", "--request-timeout", "30", "--continue-on-failure",
             "--suppress-health-check", "all", "--no-color"],
            capture_output=True, text=True, timeout=240, cwd=tmp_path,
        )  # fmt: skip
    finally:
        server.stop()
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "No issues found" in run.stdout or " passed" in run.stdout, run.stdout[-3000:]
