"""The initiative metadata schema: what an `initiative.yaml` may say, validated once for ingest and search.

An initiative is one effort (project, pilot, service in operation) described by a metadata file and the
documents that belong to it. Vocabularies that users filter on (sector, cluster, status) are closed so that
facets stay clean; organisations, target groups and tags are open lists of short labels.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

INITIATIVE_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{1,98}[a-z0-9]$"


class Sector(StrEnum):
    """Where in the health system an initiative lives; an initiative may span several."""

    REGION = "region"
    HOSPITAL = "hospital"
    KOMMUNE = "kommune"
    ALMEN_PRAKSIS = "almen praksis"
    PSYKIATRI = "psykiatri"
    TVAERSEKTORIEL = "tværsektoriel"


class Cluster(StrEnum):
    """The four North Jutland health clusters (sundhedsklynger); `ingen` when none applies."""

    NORD = "nord"
    SYD = "syd"
    VEST = "vest"
    MIDT = "midt"
    INGEN = "ingen"


class Status(StrEnum):
    """Phase of an initiative, from idea to closed."""

    IDE = "idé"
    PLANLAGT = "planlagt"
    PILOT = "pilot"
    DRIFT = "drift"
    EVALUERET = "evalueret"
    SKALERET = "skaleret"
    AFSLUTTET = "afsluttet"


class EvaluationKind(StrEnum):
    """Who evaluated the initiative: nobody, the initiative itself, an outside party, or researchers."""

    INGEN = "ingen"
    INTERN = "intern"
    EKSTERN = "ekstern"
    FORSKNING = "forskning"


class Effect(StrEnum):
    """What the evaluation showed: a documented effect, a partial one, none, or not measured."""

    DOKUMENTERET = "dokumenteret"
    DELVIS = "delvis"
    INGEN = "ingen"
    IKKE_MAALT = "ikke målt"


class Visibility(StrEnum):
    """Who may see an initiative: everyone, or only requests with an API key (see README, access levels)."""

    OFFENTLIG = "offentlig"
    INTERN = "intern"


# "Virksomme initiativer": those whose effect is documented, fully or in part.
EFFECTIVE = frozenset({Effect.DOKUMENTERET.value, Effect.DELVIS.value})

SECTOR_LABELS = {
    Sector.REGION: "Region",
    Sector.HOSPITAL: "Hospital",
    Sector.KOMMUNE: "Kommune",
    Sector.ALMEN_PRAKSIS: "Almen praksis",
    Sector.PSYKIATRI: "Psykiatri",
    Sector.TVAERSEKTORIEL: "Tværsektoriel",
}
CLUSTER_LABELS = {
    Cluster.NORD: "Sundhedsklynge Nord",
    Cluster.SYD: "Sundhedsklynge Syd",
    Cluster.VEST: "Sundhedsklynge Vest",
    Cluster.MIDT: "Sundhedsklynge Midt",
    Cluster.INGEN: "Ingen klynge",
}
STATUS_LABELS = {
    Status.IDE: "Idé",
    Status.PLANLAGT: "Planlagt",
    Status.PILOT: "Pilot",
    Status.DRIFT: "Drift",
    Status.EVALUERET: "Evalueret",
    Status.SKALERET: "Skaleret",
    Status.AFSLUTTET: "Afsluttet",
}

VISIBILITY_LABELS = {Visibility.OFFENTLIG: "Offentlig", Visibility.INTERN: "Intern"}

EVALUATION_LABELS = {
    EvaluationKind.INGEN: "Ikke evalueret",
    EvaluationKind.INTERN: "Intern evaluering",
    EvaluationKind.EKSTERN: "Ekstern evaluering",
    EvaluationKind.FORSKNING: "Forskning",
}
EFFECT_LABELS = {
    Effect.DOKUMENTERET: "Dokumenteret effekt",
    Effect.DELVIS: "Delvis effekt",
    Effect.INGEN: "Ingen påvist effekt",
    Effect.IKKE_MAALT: "Effekt ikke målt",
}

Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class Contact(BaseModel):
    """Who to ask about the initiative."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    role: str | None = None
    organisation: str | None = None
    email: str | None = None
    phone: str | None = None

    @field_validator("email")
    @classmethod
    def _email_has_at(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            raise ValueError(f"not an e-mail address: {value!r}")
        return value


class DocumentRef(BaseModel):
    """A document that belongs to the initiative, by path relative to the metadata file."""

    model_config = ConfigDict(extra="forbid")

    file: Label
    title: str | None = None
    kind: str | None = Field(default=None, description="e.g. projektbeskrivelse, evaluering, statusnotat")
    password: str | None = Field(
        default=None, description="for an encrypted PDF; never stored in the index or shown by the API"
    )

    @field_validator("file")
    @classmethod
    def _relative_inside(cls, value: str) -> str:
        parts = value.replace("\\", "/").split("/")
        if value.startswith("/") or ".." in parts:
            raise ValueError(f"document path must be relative and stay in the initiative folder: {value!r}")
        return value


class Result(BaseModel):
    """One short outcome statement, e.g. "32 % færre akutte indlæggelser fra plejehjem"."""

    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    document: str | None = Field(
        default=None, description="the listed document (its `file`) the statement comes from"
    )

    @model_validator(mode="before")
    @classmethod
    def _plain_string(cls, value: object) -> object:
        return {"text": value} if isinstance(value, str) else value


class Initiative(BaseModel):
    """One initiative as described by its metadata file."""

    model_config = ConfigDict(extra="forbid", use_enum_values=True)

    id: Annotated[str, StringConstraints(pattern=INITIATIVE_ID_PATTERN)]
    title: Label
    summary: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    organisations: list[Label] = Field(min_length=1)
    sectors: list[Sector] = Field(min_length=1)
    cluster: Cluster = Cluster.INGEN
    target_groups: list[Label] = Field(default_factory=list)
    status: Status
    start_date: date | None = None
    end_date: date | None = None
    contact: Contact | None = None
    url: str | None = None
    tags: list[Label] = Field(default_factory=list)
    documents: list[DocumentRef] = Field(default_factory=list)
    evaluation: EvaluationKind | None = Field(
        default=None, description="ingen | intern | ekstern | forskning: who evaluated it, if anyone"
    )
    effect: Effect | None = Field(
        default=None, description="dokumenteret | delvis | ingen | ikke målt: what the evaluation showed"
    )
    results: list[Result] = Field(
        default_factory=list, description="short outcome statements, each optionally naming its document"
    )
    visibility: Visibility = Field(
        Visibility.OFFENTLIG,
        description="offentlig (default) | intern: an internal initiative is shown only to requests with an "
        "API key",
    )

    @field_validator("url")
    @classmethod
    def _url_is_http(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://\S+$", value):
            raise ValueError(f"url must start with http:// or https://: {value!r}")
        return value

    @field_validator("organisations", "target_groups", "tags")
    @classmethod
    def _no_duplicate_labels(cls, values: list[str]) -> list[str]:
        return list(dict.fromkeys(values))

    @model_validator(mode="after")
    def _period_is_ordered(self) -> Initiative:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError(f"end_date {self.end_date} is before start_date {self.start_date}")
        files = [doc.file for doc in self.documents]
        if len(files) != len(set(files)):
            raise ValueError("a document is listed twice")
        for result in self.results:
            if result.document is not None and result.document not in files:
                raise ValueError(
                    f"result {result.text!r} names the document {result.document!r}, "
                    "which is not listed under documents"
                )
        return self

    def public_record(self) -> dict:
        """The record as stored in the index and shown by the API: JSON types, no document passwords."""
        record = self.model_dump(mode="json", exclude_none=True)
        for doc in record.get("documents", []):
            doc.pop("password", None)
        return record


def initiative_json_schema() -> dict:
    """JSON Schema of a metadata file, for editors and documentation."""
    return Initiative.model_json_schema()
