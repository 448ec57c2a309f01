"""Keeps the current SearchEngine and swaps in a new one when an ingestion publishes a new index version.

The API only reads. A background thread checks the manifest every `reload_interval` seconds; on a new
version it builds a complete new engine (snapshot, lexical index, landscape) while requests keep using the
old one, then swaps the reference, so no request fails in between. An embedded Chroma client caches the
vector index in memory and does not see another process's writes, so in embedded mode the client is
reopened for each new version; a Chroma server is simply read again.
"""

from __future__ import annotations

import logging
import threading

from initiative_index.embedders import Embedder, embedder_identity, engine_identity, load_embedder
from initiative_index.errors import (
    IndexMismatchError,
    IndexNotFoundError,
    OverblikError,
    StoreUnavailableError,
)
from initiative_index.settings import Settings
from initiative_index.snapshot import IndexSnapshot
from initiative_index.store import ChunkStore, open_client, reset_embedded_clients
from landscape.model import ensure_landscape, stored_steering
from search_api.engine import SearchEngine

log = logging.getLogger("overblik.index")


class NotReadyError(Exception):
    """No engine can answer yet; `reason` says why (in Danish, for the person asking)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class EngineHolder:
    """The current engine, its loading state, and the thread that reloads it."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self._embedder = embedder
        self._engine: SearchEngine | None = None
        self._problem = "Søgeindekset indlæses …"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()  # one reload at a time

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> None:
        """Load in the background (so /healthz answers at once) and keep watching for new versions."""
        self._thread = threading.Thread(target=self._watch, name="index-reloader", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _watch(self) -> None:
        while not self._stop.is_set():
            self.refresh()
            self._stop.wait(self.settings.reload_interval)

    # -- state -----------------------------------------------------------------------------------

    @property
    def engine(self) -> SearchEngine:
        engine = self._engine
        if engine is None:
            raise NotReadyError(self._problem)
        return engine

    @property
    def ready(self) -> bool:
        return self._engine is not None

    @property
    def problem(self) -> str | None:
        return None if self._engine is not None else self._problem

    def refresh(self) -> bool:
        """Load the index if its version changed; returns whether a new engine was swapped in."""
        with self._lock:
            try:
                return self._refresh()
            except OverblikError as exc:
                self._note_problem(exc)
            except Exception as exc:  # keep serving the old engine whatever went wrong while loading
                log.exception("reloading the index failed")
                self._note_problem(exc)
            return False

    def _refresh(self) -> bool:
        current = self._engine
        if current is not None:
            manifest = current.store.read_manifest()
            if manifest.index_version == current.snapshot.version or manifest.dirty:
                return False  # unchanged, or an ingestion is still writing: keep the complete old view
        if not self.settings.server_mode and current is not None:
            reset_embedded_clients()
        store = ChunkStore.open(self.settings, open_client(self.settings))
        manifest = store.read_manifest()
        manifest.check_model(embedder_identity(self.settings), None, None, engine_identity(self.settings))
        if self._embedder is None:
            self._embedder = load_embedder(self.settings)
        embedder = self._embedder
        manifest.check_model(embedder.name, embedder.dimension, embedder.document_prompt, embedder.engine)
        snapshot = IndexSnapshot.load(store, self.settings, manifest)
        # Saved by the ingestion that published this version; computed here (once) only when it is not.
        landscape = ensure_landscape(
            store, snapshot, stored_steering(store), self.settings.landscape_path, save=not manifest.dirty
        )
        engine = SearchEngine(self.settings, store, self._embedder, snapshot, landscape)
        engine.warm_up()  # the first user request should not pay for loading the vector index
        self._engine = engine
        log.info("index version %s loaded: %d chunks", manifest.index_version, len(snapshot.ids))
        return True

    def _note_problem(self, exc: Exception) -> None:
        if isinstance(exc, IndexNotFoundError):
            self._problem = "Der er endnu ikke indlæst noget indeks. Kør `overblik ingest` først."
        elif isinstance(exc, StoreUnavailableError):
            self._problem = "Chroma-serveren svarer ikke. Prøv igen om lidt."
        elif isinstance(exc, IndexMismatchError):
            self._problem = "Indekset passer ikke til søgetjenestens sprogmodel. Kør `overblik ingest` igen."
        else:  # the details go to the log, not to whoever asks /readyz
            self._problem = "Søgeindekset kunne ikke indlæses. Se søgetjenestens log."
        if self._engine is None:
            log.warning("index not ready: %s", exc)
        else:
            log.warning("keeping index version %s: %s", self._engine.snapshot.version, exc)

    def check_store(self) -> str | None:
        """In server mode, whether the Chroma server answers now (for /readyz); None when it does."""
        if not self.settings.server_mode:
            return None
        try:
            self.engine.store.client.heartbeat()
        except NotReadyError as exc:
            return exc.reason
        except Exception:
            return "Chroma-serveren svarer ikke."
        return None
