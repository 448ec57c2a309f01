"""Small measuring tools shared by the benchmarks: stopwatches, percentiles, process memory."""

from __future__ import annotations

import contextlib
import resource
import statistics
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


class Stopwatches:
    """Named accumulators of wall time (seconds) and call counts; safe to use from several threads."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.cpu: dict[str, float] = defaultdict(float)  # CPU time of the calling thread
        self.calls: dict[str, int] = defaultdict(int)
        self.longest: dict[str, float] = defaultdict(float)  # the slowest single call
        self._lock = threading.Lock()

    def add(self, name: str, seconds: float, cpu: float = 0.0) -> None:
        with self._lock:
            self.seconds[name] += seconds
            self.cpu[name] += cpu
            self.calls[name] += 1
            self.longest[name] = max(self.longest[name], seconds)

    @contextlib.contextmanager
    def timing(self, name: str) -> Iterator[None]:
        """Wall time and the calling thread's CPU time of the block."""
        started, cpu_started = time.perf_counter(), time.thread_time()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - started, time.thread_time() - cpu_started)

    def wrap(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        """`function`, timed under `name` on every call."""

        def timed(*args: Any, **kwargs: Any) -> Any:
            with self.timing(name):
                return function(*args, **kwargs)

        return timed

    def wrap_iterator(self, name: str, iterator: Iterator[Any]) -> Iterator[Any]:
        """Time spent waiting for each item of `iterator` (e.g. the main thread waiting on a prefetch)."""
        while True:
            started = time.perf_counter()
            try:
                item = next(iterator)
            except StopIteration:
                self.add(name, time.perf_counter() - started)
                return
            self.add(name, time.perf_counter() - started)
            yield item


@contextlib.contextmanager
def patched(target: Any, name: str, replacement: Any) -> Iterator[None]:
    """Replace `target.name` for the duration of the block (instrumentation in the bench process only)."""
    own = name in vars(target)  # False for a method looked up on an instance's class
    original = getattr(target, name)
    setattr(target, name, replacement)
    try:
        yield
    finally:
        if own:
            setattr(target, name, original)
        else:
            delattr(target, name)


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def latency_summary(seconds: Sequence[float]) -> dict[str, float]:
    """p50, p95 and mean in milliseconds."""
    return {
        "p50_ms": round(percentile(seconds, 50) * 1000, 2),
        "p95_ms": round(percentile(seconds, 95) * 1000, 2),
        "mean_ms": round(statistics.fmean(seconds) * 1000, 2) if seconds else float("nan"),
        "n": len(seconds),
    }


def _status_mib(field: str) -> float | None:
    """A memory figure of this process from /proc/self/status, in MiB (None where there is no /proc)."""
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def rss_mib() -> float | None:
    """Resident memory of this process now."""
    return _status_mib("VmRSS")


def reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark (VmHWM) of this process; False where the kernel does not allow it."""
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


def peak_rss_mib() -> float | None:
    """Peak resident memory since the last `reset_peak_rss` (or since the process started)."""
    return _status_mib("VmHWM")


def process_cpu_seconds() -> float:
    """User + system CPU time of every thread of this process and of its finished child processes."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def max_rss_mib() -> float:
    """getrusage's ru_maxrss: peak resident memory over the whole life of this process."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
