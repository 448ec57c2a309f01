"""`overblik serve` as a real subprocess on a free 127.0.0.1 port, for benchmarks over HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ApiServer:
    """Starts `overblik serve` with the given settings, waits for /readyz, and stops it again."""

    def __init__(
        self,
        data_dir: Path,
        *,
        workers: int = 1,
        embed_threads: int = 2,
        collection: str = "overblik",
        log_file: Path,
        ready_timeout: float = 900.0,
        env: dict[str, str] | None = None,
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.embed_threads = embed_threads
        self.seconds_to_ready = float("nan")
        self._log_file = log_file
        self._timeout = ready_timeout
        self._env = {
            **os.environ,
            "OVERBLIK_DATA_DIR": str(data_dir.resolve()),
            "OVERBLIK_COLLECTION": collection,
            "OVERBLIK_EMBED_THREADS": str(embed_threads),
            "HF_HUB_OFFLINE": "1",
            "OVERBLIK_QUERY_CACHE": "0",  # every search encodes its query, as a new query does
            **(env or {}),
        }
        self._process: subprocess.Popen | None = None

    def __enter__(self) -> ApiServer:
        self._log_file.parent.mkdir(parents=True, exist_ok=True)
        log = self._log_file.open("ab")
        started = time.perf_counter()
        self._process = subprocess.Popen(
            [sys.executable, "-m", "overblik", "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", str(self.workers)],
            cwd=self._log_file.parent,  # not the repository, so a developer's .env does not apply
            env=self._env,
            stdout=log,
            stderr=subprocess.STDOUT,
            # Its own process group (so the workers stop with it) but the benchmark's session: with the
            # kernel's autogroup scheduling a new session would get its own CPU share, and the server would
            # be measured under different contention than the in-process floor it is compared with.
            process_group=0,
        )  # fmt: skip
        log.close()
        try:
            self._wait_ready(started)
        except BaseException:
            self.__exit__()
            raise
        return self

    def _wait_ready(self, started: float) -> None:
        with httpx.Client(timeout=5.0) as client:
            while time.perf_counter() - started < self._timeout:
                if self._process.poll() is not None:
                    raise RuntimeError(
                        f"overblik serve exited with {self._process.returncode}: see {self._log_file}"
                    )
                try:
                    response = client.get(f"{self.url}/readyz")
                    if response.status_code == 200 and self._all_workers_ready():
                        self.seconds_to_ready = time.perf_counter() - started
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.25)
        raise TimeoutError(f"overblik serve not ready after {self._timeout:.0f} s: see {self._log_file}")

    def _all_workers_ready(self) -> bool:
        """With several workers each loads the index itself; fresh connections reach different workers."""
        for _ in range(4 * self.workers):
            with httpx.Client(timeout=5.0) as fresh:
                if fresh.get(f"{self.url}/readyz").status_code != 200:
                    return False
        return True

    @property
    def pid(self) -> int:
        return self._process.pid

    def __exit__(self, *exc: object) -> None:
        process = self._process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
