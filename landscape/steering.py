"""themes.yaml: how the region steers the themes (names, seed terms, pinned initiatives, excluded words).

Optional. Put it at the root of an ingested folder (next to the initiative folders); `overblik ingest`
validates it like initiative.yaml and stores it with the index, so every API process uses the same one,
and a label the region chose survives every re-ingestion. Named themes are always kept; discovered themes
fill the rest. `overblik themes check FILE` validates a file; `overblik themes export` writes the current
themes in this format, as a starting point for renaming and merging.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from initiative_index.schema import INITIATIVE_ID_PATTERN

THEMES_FILE_NAMES = ("themes.yaml", "themes.yml")
THEME_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,58}[a-z0-9]$"
MIN_THEMES = 8
MAX_THEMES = 20

Term = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=60)]


class NamedTheme(BaseModel):
    """A theme the region names; its label is shown as written."""

    model_config = ConfigDict(extra="forbid")

    id: Annotated[str, StringConstraints(pattern=THEME_ID_PATTERN)] | None = Field(
        default=None, description="stable id (a-z, 0-9, '-'); default: made from the label"
    )
    label: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=60)]
    keywords: list[Term] = Field(
        default_factory=list, max_length=8, description="keywords to show; default: computed"
    )
    seed_terms: list[Term] = Field(
        default_factory=list, description="words or short phrases the theme is about"
    )
    initiatives: list[Annotated[str, StringConstraints(pattern=INITIATIVE_ID_PATTERN)]] = Field(
        default_factory=list, description="initiative ids whose primary theme this is"
    )

    @model_validator(mode="after")
    def _has_content(self) -> NamedTheme:
        if not self.seed_terms and not self.initiatives:
            raise ValueError(f"theme {self.label!r} needs seed_terms or initiatives (or both)")
        return self


class ThemeSteering(BaseModel):
    """The whole themes.yaml."""

    model_config = ConfigDict(extra="forbid")

    themes: list[NamedTheme] = Field(default_factory=list, max_length=MAX_THEMES)
    theme_count: int | None = Field(
        default=None, ge=MIN_THEMES, le=MAX_THEMES, description="themes in all; default: from the collection"
    )
    exclude_keywords: list[Term] = Field(
        default_factory=list, description="words never used as keywords (e.g. place names)"
    )

    @model_validator(mode="after")
    def _consistent(self) -> ThemeSteering:
        ids = [theme_id(theme) for theme in self.themes]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"two themes have the id {duplicates[0]!r}: give each its own id or label")
        pinned: dict[str, str] = {}
        for theme in self.themes:
            for initiative in theme.initiatives:
                if initiative in pinned and pinned[initiative] != theme.label:
                    first = pinned[initiative]
                    raise ValueError(
                        f"initiative {initiative!r} is pinned to both {first!r} and {theme.label!r}"
                    )
                pinned[initiative] = theme.label
        if self.theme_count is not None and len(self.themes) > self.theme_count:
            raise ValueError(f"{len(self.themes)} named themes but theme_count is {self.theme_count}")
        return self

    def is_empty(self) -> bool:
        return not self.themes and self.theme_count is None and not self.exclude_keywords


class SteeringError(ValueError):
    """A themes.yaml that cannot be used; the message names every problem."""


def theme_id(theme: NamedTheme) -> str:
    return theme.id or slug(theme.label)


def slug(label: str) -> str:
    """A theme id from a Danish label: 'Behandling i eget hjem' -> 'behandling-i-eget-hjem'."""
    text = label.lower().translate(str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "é": "e", "ü": "u"}))
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text[:60].strip("-") or "tema"


def parse_steering(text: str, origin: str = "themes.yaml") -> ThemeSteering:
    """Validate a themes.yaml's text; raises SteeringError naming every problem."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SteeringError(f"{origin}: not valid YAML: {exc}") from exc
    if data is None:
        return ThemeSteering()
    if not isinstance(data, dict):
        raise SteeringError(f"{origin}: expected a mapping with 'themes', got {type(data).__name__}")
    try:
        return ThemeSteering.model_validate(data)
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(part) for part in error['loc']) or '(file)'}: {error['msg']}"
            for error in exc.errors()
        ]
        raise SteeringError(f"{origin}: " + "; ".join(problems)) from exc


def read_steering(path: Path) -> ThemeSteering:
    return parse_steering(path.read_text(encoding="utf-8"), str(path))


def steering_json_schema() -> dict:
    return ThemeSteering.model_json_schema()
