"""How the benchmarks print: rich tables for people, and with `--json` one JSON line on stdout for scripts
(the tables then go to stderr, so stdout holds only the JSON)."""

from __future__ import annotations

import json
import math
import platform
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.table import Table


class Report:
    """Collects figures while a benchmark runs and prints them as tables and, at the end, JSON."""

    def __init__(self, name: str, json_output: bool) -> None:
        self.name = name
        self.json_output = json_output
        stream = sys.stderr if json_output else sys.stdout
        # Piped output (make bench | tee) would be cut to 80 columns, which truncates wide tables.
        self.console = Console(file=stream, highlight=False, width=None if stream.isatty() else 150)
        self.figures: dict[str, Any] = {
            "benchmark": name,
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "python": platform.python_version(),
            "cpus": _cpu_count(),
        }

    def say(self, text: str) -> None:
        self.console.print(text)

    def table(self, title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        table = Table(title=title, title_justify="left")
        for index, column in enumerate(columns):
            table.add_column(column, justify="left" if index == 0 else "right")
        for row in rows:
            table.add_row(*(format_value(value) for value in row))
        self.console.print(table)

    def finish(self) -> None:
        if self.json_output:
            sys.stdout.write(json.dumps(_clean(self.figures), ensure_ascii=False) + "\n")
            sys.stdout.flush()


def format_value(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        if math.isnan(value):
            return "–"
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def verdict(value: float | None, target: float, *, at_most: bool) -> str:
    """'ok' / 'MISSED' against a target (for the tables)."""
    if value is None or math.isnan(value):
        return "–"
    met = value <= target if at_most else value >= target
    return "ok" if met else "MISSED"


def _clean(value: Any) -> Any:
    """JSON without NaN (which is not JSON): NaN becomes null; floats are rounded for reading."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 4)
    return value


def _cpu_count() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 0)
