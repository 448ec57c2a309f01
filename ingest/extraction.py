"""Document readers run in a separate process, under a time limit.

A reader is third-party parsing of untrusted files: a malformed PDF can make pypdf loop for minutes or the
process run out of stack. In a child process such a file costs only itself: after `timeout` seconds the
child is killed, the document is reported, and the run goes on with a fresh child.
"""

from __future__ import annotations

import multiprocessing
import signal
import threading
import time
from multiprocessing.pool import AsyncResult, Pool
from pathlib import Path

from ingest.errors import DocumentError
from ingest.readers import ExtractedDocument, read_document


def _ignore_interrupts() -> None:
    # Ctrl-C goes to the whole process group; the parent decides what to do, the child just stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _read(path: str, data: bytes, password: str | None) -> ExtractedDocument:
    return read_document(Path(path), data, password)


def _started() -> bool:
    # Runs once in a new child: by then the readers (pypdf, lxml, ...) are imported, so the time limit
    # of the first document counts reading, not the start-up of a Python process on a busy machine.
    return True


# A child that cannot even start within this is a fault of the machine, not of a document.
_START_TIMEOUT = 120.0


class Extractor:
    """Extracts documents in one child process, restarting it after a file that overran its time."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        # "spawn": the parent holds threads (the embedder, Chroma), which a forked child must not inherit.
        self._context = multiprocessing.get_context("spawn")
        self._pool: Pool | None = None
        self._closed = threading.Event()

    def extract(self, path: Path, data: bytes, password: str | None) -> ExtractedDocument:
        """The document's pages; DocumentError when it cannot be read or takes too long."""
        if self._closed.is_set():
            raise DocumentError("ingestion was stopped before this document was read")
        pool = self._started_pool()
        pending = pool.apply_async(_read, (str(path), data, password))
        if not self._wait(pending, self.timeout):
            self._restart()
            raise DocumentError(
                f"reading took longer than {self.timeout:g} s and was stopped (OVERBLIK_EXTRACT_TIMEOUT)"
            )
        try:
            return pending.get()
        except DocumentError:
            raise
        except Exception as exc:  # anything else a reader raised is a defect of this file, not of the run
            raise DocumentError(f"the reader failed on this file: {type(exc).__name__}: {exc}") from exc

    def _started_pool(self) -> Pool:
        if self._pool is None:
            self._pool = self._context.Pool(1, initializer=_ignore_interrupts, maxtasksperchild=500)
            if not self._wait(self._pool.apply_async(_started), _START_TIMEOUT):
                self._restart()
                raise RuntimeError(f"the document reader process did not start within {_START_TIMEOUT:g} s")
        return self._pool

    def _wait(self, pending: AsyncResult, seconds: float) -> bool:
        """True when the task finished within `seconds`; DocumentError when ingestion is being stopped."""
        deadline = time.monotonic() + seconds
        # Wait in short steps, so closing (e.g. on Ctrl-C) releases a waiting caller at once.
        while not pending.ready():
            if self._closed.is_set():
                raise DocumentError("ingestion was stopped while this document was read")
            if time.monotonic() > deadline:
                return False
            pending.wait(0.1)
        return True

    def _restart(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

    def close(self) -> None:
        self._closed.set()
        self._restart()

    def __enter__(self) -> Extractor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
