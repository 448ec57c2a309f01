"""The report's chart: the five metrics as groups of bars, one bar per search mode."""

from __future__ import annotations

from pathlib import Path

from eval.caches import use_work_caches
from eval.metrics import LABELS, METRICS

MODE_COLOURS = {"lexical": "#4c72b0", "semantic": "#dd8452", "hybrid": "#55a868"}


def plot_modes(means: dict[str, dict[str, float]], path: Path, title: str) -> None:
    """Write a grouped bar chart (PNG) of METRICS per mode."""
    use_work_caches()
    import matplotlib

    matplotlib.use("Agg")  # no display needed; set before pyplot is imported
    import matplotlib.pyplot as plt

    modes = list(means)
    width = 0.8 / max(len(modes), 1)
    figure, axes = plt.subplots(figsize=(8, 4.2), dpi=110)
    for i, mode in enumerate(modes):
        offsets = [j + (i - (len(modes) - 1) / 2) * width for j in range(len(METRICS))]
        values = [means[mode][m] for m in METRICS]
        bars = axes.bar(offsets, values, width, label=mode, color=MODE_COLOURS.get(mode))
        axes.bar_label(bars, labels=[f"{v:.2f}" for v in values], fontsize=7, padding=2)
    axes.set_xticks(range(len(METRICS)), [LABELS[m] for m in METRICS])
    axes.set_ylim(0, 1.08)
    axes.set_ylabel("score")
    axes.set_title(title, fontsize=10)
    axes.legend(loc="upper left", ncols=len(modes), fontsize=8, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
