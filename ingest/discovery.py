"""Finding initiatives and their documents under the paths given to `overblik ingest`.

Rules (documented in README):
- A folder holding `initiative.yaml` (or `.yml` / `.json`) is one initiative; every document below it belongs
  to it, unless a deeper folder has its own metadata file. The `documents` list gives titles, kinds and
  passwords, and each listed file must exist.
- A document outside any initiative folder is its own initiative, titled from the document.
- Hidden files and folders, and paths matched by a `.overblikignore` file (gitignore syntax) in a given root,
  are skipped.
- A `themes.yaml` at the top of a given folder steers the overview's themes (landscape/steering.py); it is
  not a document.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pathspec
import yaml
from pydantic import ValidationError

from initiative_index.schema import DocumentRef, Initiative
from landscape.steering import THEMES_FILE_NAMES

METADATA_NAMES = ("initiative.yaml", "initiative.yml", "initiative.json")
IGNORE_FILE = ".overblikignore"


@dataclass
class SourceDocument:
    """One document file to ingest, with what the metadata says about it."""

    path: Path
    root: Path
    ref: DocumentRef | None = None

    @property
    def source(self) -> str:
        """The document's identity in the index: its absolute path."""
        return str(self.path)

    @property
    def display_name(self) -> str:
        return (
            self.path.relative_to(self.root).as_posix()
            if self.path.is_relative_to(self.root)
            else self.path.name
        )


@dataclass
class InitiativeSource:
    """An initiative found on disk: its metadata (None for a document without metadata) and documents."""

    initiative: Initiative | None
    metadata_path: Path | None
    documents: list[SourceDocument] = field(default_factory=list)

    @property
    def id(self) -> str:
        if self.initiative is not None:
            return self.initiative.id
        return auto_initiative_id(self.documents[0])

    def document_name(self, document: SourceDocument) -> str:
        """How the initiative names its document: the path below its folder, or the file name."""
        if self.metadata_path is None:
            return document.path.name
        return document.path.relative_to(self.metadata_path.parent).as_posix()


@dataclass(frozen=True)
class Problem:
    """A file that cannot be used as it is, and why."""

    path: str
    reason: str


@dataclass
class Discovery:
    initiatives: list[InitiativeSource]
    problems: list[Problem]
    roots: list[Path]
    files_seen: int
    themes_files: list[Path] = field(default_factory=list)  # themes.yaml at the top of a given folder


def auto_initiative_id(document: SourceDocument) -> str:
    """A stable, readable id for a document that has no metadata of its own."""
    relative = document.display_name.rsplit(".", 1)[0]
    ascii_name = unicodedata.normalize(
        "NFKD", relative.replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    )
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.encode("ascii", "ignore").decode().lower()).strip("-")[:60]
    digest = hashlib.sha1(document.source.encode()).hexdigest()[:6]
    return f"dok-{slug or 'dokument'}-{digest}"


def discover(paths: list[Path]) -> Discovery:
    """Walk `paths` (folders or files) and group what is found into initiatives."""
    roots = [p.resolve() for p in paths]
    initiatives: list[InitiativeSource] = []
    problems: list[Problem] = []
    seen_ids: dict[str, Path] = {}
    files_seen = 0
    themes_files: list[Path] = []
    for root in roots:
        if not root.exists():
            problems.append(Problem(str(root), "path does not exist"))
            continue
        base = root if root.is_dir() else root.parent
        files = _walk(root, _ignore_spec(base))
        steering = [f for f in files if f.parent == base and f.name in THEMES_FILE_NAMES and root.is_dir()]
        themes_files += steering
        files = [f for f in files if f not in steering]
        files_seen += len(files)
        initiatives.extend(_group(files, base, seen_ids, problems))
    return Discovery(initiatives, problems, roots, files_seen, themes_files)


def _ignore_spec(base: Path) -> pathspec.GitIgnoreSpec:
    ignore_file = base / IGNORE_FILE
    lines = ignore_file.read_text(encoding="utf-8").splitlines() if ignore_file.is_file() else []
    return pathspec.GitIgnoreSpec.from_lines(lines)


def _walk(root: Path, ignore: pathspec.GitIgnoreSpec) -> list[Path]:
    if root.is_file():
        return [root]
    found = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if ignore.match_file(relative.as_posix() + ("/" if path.is_dir() else "")):
            continue
        if path.is_file() and not any(ignore.match_file(p.as_posix() + "/") for p in relative.parents):
            found.append(path)
    return found


def _group(
    files: list[Path], base: Path, seen_ids: dict[str, Path], problems: list[Problem]
) -> list[InitiativeSource]:
    metadata_files = {f.parent: f for f in files if f.name in METADATA_NAMES}
    by_folder: dict[Path, InitiativeSource] = {}
    for folder, meta_path in sorted(metadata_files.items()):
        initiative = _load_metadata(meta_path, problems)
        if initiative is None:
            continue
        if initiative.id in seen_ids:
            problems.append(
                Problem(
                    str(meta_path),
                    f"initiative id {initiative.id!r} is already used by {seen_ids[initiative.id]}",
                )
            )
            continue
        seen_ids[initiative.id] = meta_path
        by_folder[folder] = InitiativeSource(initiative, meta_path)

    loose: list[InitiativeSource] = []
    for path in files:
        if path.name in METADATA_NAMES:
            continue
        owner = next((by_folder[p] for p in [path.parent, *path.parent.parents] if p in by_folder), None)
        if owner is None:
            loose.append(InitiativeSource(None, None, [SourceDocument(path, base)]))
            continue
        refs = {ref.file: ref for ref in owner.initiative.documents}  # type: ignore[union-attr]
        relative = path.relative_to(owner.metadata_path.parent).as_posix()  # type: ignore[union-attr]
        owner.documents.append(SourceDocument(path, base, refs.get(relative)))

    for source in by_folder.values():
        present = {doc.path.relative_to(source.metadata_path.parent).as_posix() for doc in source.documents}
        for ref in source.initiative.documents:  # type: ignore[union-attr]
            if ref.file not in present:
                problems.append(
                    Problem(str(source.metadata_path.parent / ref.file), "listed in metadata, not found")
                )
    return [*by_folder.values(), *loose]


def _load_metadata(path: Path, problems: list[Problem]) -> Initiative | None:
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, json.JSONDecodeError) as exc:
        problems.append(Problem(str(path), f"invalid metadata file: {exc}"))
        return None
    if not isinstance(data, dict):
        problems.append(Problem(str(path), "invalid metadata file: expected a mapping of fields"))
        return None
    try:
        return Initiative.model_validate(data)
    except ValidationError as exc:
        details = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'file'}: {e['msg']}" for e in exc.errors())
        problems.append(Problem(str(path), f"invalid metadata: {details}"))
        return None
