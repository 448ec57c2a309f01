"""`overblik overview` (the themes table and a report) and `overblik themes check|export|schema`."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
import yaml
from rich.console import Console
from rich.table import Table

from initiative_index.settings import Settings

themes_app = typer.Typer(help="Check, export or describe themes.yaml (how the region steers the themes).")
err = Console(stderr=True)
Parsed = TypeVar("Parsed")


def read_or_exit(path: Path, read: Callable[[Path], Parsed], invalid: type[Exception]) -> Parsed:
    """`read(path)`, or the reason it cannot be used on stderr and exit code 1."""
    try:
        return read(path)
    except (OSError, UnicodeDecodeError) as exc:
        err.print(f"[red]Cannot read {path}:[/] {exc}")
        raise typer.Exit(1) from None
    except invalid as exc:
        err.print(f"[red]Invalid:[/] {exc}")
        raise typer.Exit(1) from None


def overview(
    out: Annotated[
        Path | None, typer.Option("--out", help="Report folder (default: reports/overview-<UTC time>/).")
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the overview as JSON only.")] = False,
) -> None:
    """The overview of the whole index: themes with sectors and effect, the same idea elsewhere, a report."""
    from eval.cli import exit_on_error, open_engine
    from overblik.overview_report import default_report_dir, write_report
    from search_api.models import SearchRequest
    from search_api.overview import build_overview

    with exit_on_error():
        started = time.perf_counter()
        engine = open_engine(Settings())
        result = build_overview(engine, SearchRequest(), overlaps=25)
        seconds = engine.landscape.seconds or (time.perf_counter() - started)
    folder = write_report(result, out or default_report_dir(), seconds)
    if json_output:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
        return
    table = Table(title=f"{result.total} initiativer i {len(result.themes)} temaer", title_justify="left")
    for column in ("Tema", "Antal", "Med effekt", "Sektorer", "Nøgleord"):
        table.add_column(column, justify="right" if column in ("Antal", "Med effekt") else "left")
    for theme in result.themes:
        sectors = ", ".join(f"{s} {n}" for s, n in theme.by_sector.items())
        table.add_row(
            theme.label, str(theme.count), str(theme.with_effect), sectors, ", ".join(theme.keywords[:5])
        )
    console = Console()
    console.print(table)
    console.print(f"Rapport: {folder / 'report.md'}")


@themes_app.command("check")
def check(path: Annotated[Path, typer.Argument(help="The themes.yaml to validate.")]) -> None:
    """Validate a themes.yaml; every problem is named. Exit code 1 when it cannot be used."""
    from landscape.steering import SteeringError, read_steering

    steering = read_or_exit(path, read_steering, SteeringError)
    Console().print(f"{path}: ok ({len(steering.themes)} named themes)")


@themes_app.command("export")
def export() -> None:
    """Print the current themes as a themes.yaml (labels, keywords, members pinned): edit it to rename or
    merge themes, put it next to the initiative folders and ingest again."""
    from eval.cli import exit_on_error, open_engine

    with exit_on_error():
        engine = open_engine(Settings())
    landscape = engine.landscape
    themes = [
        {
            "id": theme.id,
            "label": theme.label,
            "keywords": theme.keywords,
            "initiatives": sorted(i for i, t in landscape.theme_of.items() if t == theme.id),
        }
        for theme in landscape.themes
    ]
    header = "# Themes of index version " + landscape.version + "; see README, 'Steering the themes'.\n"
    sys.stdout.write(
        header + yaml.safe_dump({"themes": themes}, allow_unicode=True, sort_keys=False, width=110)
    )


@themes_app.command("schema")
def schema() -> None:
    """Print the JSON Schema of themes.yaml."""
    from landscape.steering import steering_json_schema

    sys.stdout.write(json.dumps(steering_json_schema(), ensure_ascii=False, indent=2) + "\n")


thesaurus_app = typer.Typer(
    help="Check the thesaurus (staff language: abbreviations, synonyms, everyday words)."
)


@thesaurus_app.command("check")
def check_thesaurus(
    path: Annotated[
        Path | None, typer.Argument(help="The YAML file; default: the one OVERBLIK_THESAURUS names.")
    ] = None,
) -> None:
    """Validate a thesaurus file; every problem is named. Exit code 1 when it cannot be used."""
    from initiative_index.thesaurus import BUNDLED, BUNDLED_THESAURUS, ThesaurusError, read_thesaurus

    if path is None:
        setting = Settings().thesaurus
        path = BUNDLED_THESAURUS if setting in ("", BUNDLED) else Path(setting)
    parsed = read_or_exit(path, read_thesaurus, ThesaurusError)
    terms = sum(len(group.terms) for group in parsed.groups)
    kinds = {
        kind: sum(g.kind == kind for g in parsed.groups)
        for kind in ("abbreviation", "synonym", "everyday", "spelling")
    }
    summary = ", ".join(f"{n} {kind}" for kind, n in kinds.items())
    Console().print(f"{path}: ok ({len(parsed.groups)} groups, {terms} terms: {summary})")
