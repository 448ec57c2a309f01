"""Keeps the current SearchEngine and swaps in a new one when an ingestion publishes a new index version.

The API only reads. A background thread checks the manifest every `reload_interval` seconds; on a new
version it builds a new engine while requests keep using the old one, then swaps the reference, so no request
fails in between. The new snapshot maps the version's saved segments (built once, by the ingestion or by
whichever process needs them first, from the change: see initiative_index/segment_view.py), so a reload costs
what changed plus the per-initiative records, not a read of the whole store. An embedded Chroma client caches
the vector index in memory and does not see another process's vector writes, but its reads of chunks and of
the manifest do; so the running engine's client reads the change, the delta's own vectors stand in for the
changed chunks, and no second copy of the vector index is loaded. A new client (Chroma's
`clear_system_cache`, then a new `PersistentClient`) is opened only for a new base segment, or when the old
client cannot read (one that first opened an empty collection). A Chroma server is simply read again.
"""

from __future__ import annotations

import logging
import threading
import time

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
from landscape.model import Landscape, ensure_landscape, landscape_key, stored_steering
from search_api.engine import SearchEngine

log = logging.getLogger("overblik.index")
LANDSCAPE_GRACE = (
    120.0  # seconds a new version is served with the previous landscape before computing its own
)


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
        # The newest engine whose landscape is of its own version: /overview answers from it, so an overview
        # is always one version's, also while a new version searches with the previous landscape.
        self._overview_engine: SearchEngine | None = None
        self._problem = "Søgeindekset indlæses …"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()  # one reload at a time
        self._landscape_wait: tuple[str, float] | None = (
            None  # (version, deadline) serving an older landscape
        )

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
    def overview_engine(self) -> SearchEngine:
        engine = self._overview_engine or self._engine
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
            if manifest.dirty:
                return False  # an ingestion is still writing: keep the complete old view
            if manifest.index_version == current.snapshot.version:
                return self._complete_landscape(current)
        # The running engine's client reads the new version's change: reads (manifest, chunks) see other
        # processes' writes; only an embedded client's vector index stays as first loaded, and the delta's
        # vectors stand in for what changed. A new client (which loads a second copy of the vector index
        # when it reads) is opened only when that fails or a new base segment was built.
        store = (
            current.store
            if current is not None
            else ChunkStore.open(self.settings, open_client(self.settings))
        )
        manifest = store.read_manifest()
        manifest.check_model(embedder_identity(self.settings), None, None, engine_identity(self.settings))
        if self._embedder is None:
            self._embedder = load_embedder(self.settings)
        embedder = self._embedder
        manifest.check_model(embedder.name, embedder.dimension, embedder.document_prompt, embedder.engine)
        started = time.perf_counter()
        try:
            snapshot = IndexSnapshot.load(store, self.settings, manifest)
        except Exception:
            if current is None:
                raise
            store = self._new_store()  # a client that first read an empty store cannot read it later
            snapshot = IndexSnapshot.load(store, self.settings, manifest)
        loaded = time.perf_counter()
        if (
            current is not None
            and store is current.store
            and snapshot.view.base != current.snapshot.view.base
        ):
            store = self._new_store()  # a new base: the vector index as it is now
        landscape, borrowed = self._landscape(store, snapshot, current, save=not manifest.dirty)
        engine = SearchEngine(self.settings, store, self._embedder, snapshot, landscape)
        built = time.perf_counter()
        try:
            engine.warm_up()  # the first user request should not pay for loading the vector index
        except Exception:
            if current is None or store is not current.store:
                raise
            store = self._new_store()  # see above: the old client cannot read the vectors written since
            engine = SearchEngine(self.settings, store, self._embedder, snapshot, landscape)
            engine.warm_up()
        if not borrowed:
            self._overview_engine = engine
        self._engine = engine
        log.info(
            "index version %s loaded: %d chunks (segments %s) in %.2f s "
            "(segments %.2f, engine %.2f, warm-up %.2f)",
            manifest.index_version,
            snapshot.chunk_count,
            snapshot.view.built,
            time.perf_counter() - started,
            loaded - started,
            built - loaded,
            time.perf_counter() - built,
        )
        return True

    def _new_store(self) -> ChunkStore:
        if not self.settings.server_mode:
            reset_embedded_clients()  # Chroma caches one client per folder; this forgets it
        return ChunkStore.open(self.settings, open_client(self.settings))

    def _landscape(
        self, store: ChunkStore, snapshot: IndexSnapshot, current: SearchEngine | None, save: bool
    ) -> tuple[Landscape, bool]:
        """(landscape, borrowed): this version's, saved by the ingestion that published it or computed here
        (once), or the previous version's for now (borrowed).

        The ingestion saves it after publishing the version, and computing it costs minutes at scale, so a
        running worker first searches the new version with the previous landscape (new initiatives without a
        theme for a moment) and swaps in the saved one when it appears (`_complete_landscape`); only if it
        does not appear within LANDSCAPE_GRACE does the worker compute it itself. Meanwhile /overview keeps
        answering from the previous engine, so an overview is never a mixture of two versions."""
        steering = stored_steering(store)
        saved = Landscape.load(self.settings.landscape_path, landscape_key(snapshot.version, steering))
        if saved is not None:
            return saved, False
        if current is not None and save:
            self._landscape_wait = (snapshot.version, time.monotonic() + LANDSCAPE_GRACE)
            return current.landscape, True
        return ensure_landscape(store, snapshot, steering, self.settings.landscape_path, save=save), False

    def _complete_landscape(self, current: SearchEngine) -> bool:
        """Swap in the landscape of the current version once it is saved (or computed after the grace)."""
        waiting = self._landscape_wait
        if waiting is None or waiting[0] != current.snapshot.version:
            return False
        steering = stored_steering(current.store)
        landscape = Landscape.load(
            self.settings.landscape_path, landscape_key(current.snapshot.version, steering)
        )
        if landscape is None and time.monotonic() < waiting[1]:
            return False
        if landscape is None:
            landscape = ensure_landscape(
                current.store, current.snapshot, steering, self.settings.landscape_path
            )
        self._landscape_wait = None
        self._engine = self._overview_engine = SearchEngine(
            self.settings, current.store, current.embedder, current.snapshot, landscape
        )
        log.info("landscape of index version %s loaded", current.snapshot.version)
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
