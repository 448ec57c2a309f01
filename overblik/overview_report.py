"""`overblik overview`'s report: the themes table and heat map in Markdown, and a PNG chart.

The chart has two panels: themes × sectors as stacked bars (how many initiatives each theme has in each
sector), and the map of all initiatives coloured by theme with the theme labels where their members are.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from initiative_index.schema import SECTOR_LABELS, Sector
from search_api.models import OverviewResponse

SECTOR_COLOURS = {
    "region": "#4c72b0", "hospital": "#dd8452", "kommune": "#55a868", "almen praksis": "#c44e52",
    "psykiatri": "#8172b3", "tværsektoriel": "#937860",
}  # fmt: skip


def default_report_dir() -> Path:
    return Path("reports") / f"overview-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}"


def write_report(overview: OverviewResponse, folder: Path, seconds: float) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    plot_overview(overview, folder / "overview.png")
    (folder / "overview.json").write_text(overview.model_dump_json(indent=2), encoding="utf-8")
    (folder / "report.md").write_text(markdown(overview, seconds), encoding="utf-8")
    return folder


def markdown(overview: OverviewResponse, seconds: float) -> str:
    sectors = [s.value for s in Sector]
    lines = [
        "# Overblik: temaer, sektorer og virksomme initiativer",
        "",
        f"{overview.total} initiativer, {overview.with_effect} med dokumenteret eller delvis effekt; "
        f"indeksversion `{overview.index_version}`; landskabet beregnet på {seconds:.1f} s.",
        "",
        "![Temaer og sektorer; kort over initiativerne](overview.png)",
        "",
        "## Temaer",
        "",
        "| Tema | Initiativer | Med effekt | Nøgleord |",
        "| --- | ---: | ---: | --- |",
    ]
    for t in overview.themes:
        label = t.label + (" (navngivet)" if t.named else "")
        lines.append(f"| {label} | {t.count} | {t.with_effect} | {', '.join(t.keywords)} |")
    lines += [
        "",
        "## Temaer × sektorer",
        "",
        "| Tema | " + " | ".join(SECTOR_LABELS[Sector(s)] for s in sectors) + " |",
    ]
    lines.append("| --- |" + " ---: |" * len(sectors))
    for theme in overview.themes:
        row = overview.matrix.themes_x_sectors.get(theme.id, {})
        lines.append(f"| {theme.label} | " + " | ".join(str(row.get(s, 0)) for s in sectors) + " |")
    lines += [
        "",
        "## Samme idé andre steder",
        "",
        "| Initiativ | Initiativ | Score | Hvorfor |",
        "| --- | --- | ---: | --- |",
    ]
    for o in overview.overlaps:
        first, second = f"{o.titles[0]} ({o.organisations[0]})", f"{o.titles[1]} ({o.organisations[1]})"
        lines.append(f"| {first} | {second} | {o.score:.2f} | {o.reason} |")
    lines += ["", "## Virksomme initiativer", ""]
    for item in overview.effective:
        results = "; ".join(r.text for r in item.results[:2])
        lines.append(f"- **{item.title}** ({item.effect}): {results}")
    return "\n".join(lines) + "\n"


def plot_overview(overview: OverviewResponse, path: Path) -> None:
    from eval.caches import use_work_caches

    use_work_caches()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    themes = list(reversed(overview.themes))
    figure, (bars, map_axes) = plt.subplots(1, 2, figsize=(14, max(4.5, 0.38 * len(themes) + 1.5)), dpi=100)
    left = [0] * len(themes)
    for sector in Sector:
        counts = [overview.matrix.themes_x_sectors.get(t.id, {}).get(sector.value, 0) for t in themes]
        bars.barh(
            range(len(themes)),
            counts,
            left=left,
            color=SECTOR_COLOURS[sector.value],
            label=SECTOR_LABELS[sector],
        )
        left = [a + b for a, b in zip(left, counts, strict=True)]
    bars.set_yticks(range(len(themes)), [t.label for t in themes], fontsize=8)
    bars.set_xlabel("initiativer pr. sektor (et initiativ kan have flere)")
    bars.legend(fontsize=7, frameon=False, loc="lower right")
    bars.spines[["top", "right"]].set_visible(False)
    palette = plt.get_cmap("tab20")
    index = {t.id: i for i, t in enumerate(overview.themes)}
    for point in overview.map:
        map_axes.scatter(point.x, point.y, s=18, color=palette(index.get(point.theme, 0) % 20))
    for theme in overview.themes:
        members = [p for p in overview.map if p.theme == theme.id]
        if members:
            x = sorted(p.x for p in members)[len(members) // 2]
            y = sorted(p.y for p in members)[len(members) // 2]
            map_axes.annotate(theme.label, (x, y), fontsize=7, ha="center", weight="bold")
    map_axes.set_xticks([])
    map_axes.set_yticks([])
    map_axes.set_title("Kort over initiativerne (nær hinanden = ligner hinanden)", fontsize=9)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
