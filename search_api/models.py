"""Request and response models of the API, declared once (they are also the /docs manual)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from initiative_index.filters import SearchFilters

SearchMode = Literal["hybrid", "lexical", "semantic"]
MAX_QUERY_CHARS = 1000
MAX_LIMIT = 50
MAX_OFFSET = 10_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_query(value: str) -> str:
    """The query as searched: control characters refused, whitespace collapsed, not empty."""
    if _CONTROL.search(value):
        raise ValueError("control_characters")
    value = " ".join(value.split())
    if not value:
        raise ValueError("empty_query")
    return value


class SearchRequest(BaseModel):
    """A search, as the JSON body of POST /search."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "query": "video mellem plejehjem og egen læge",
                    "mode": "hybrid",
                    "filters": {"sector": ["kommune"], "cluster": ["midt"]},
                    "offset": 0,
                    "limit": 10,
                    "explain": False,
                }
            ]
        },
    )

    query: str = Field(max_length=MAX_QUERY_CHARS, description="The question, in Danish or English.")
    mode: SearchMode = Field("hybrid", description="hybrid (default), lexical (BM25) or semantic (vectors).")
    filters: SearchFilters = Field(default_factory=SearchFilters)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(10, ge=1, le=MAX_LIMIT)
    explain: bool = Field(False, description="Add each result's lexical rank, semantic rank and fused score.")

    @field_validator("query")
    @classmethod
    def _clean(cls, value: str) -> str:
        return clean_query(value)


class Passage(BaseModel):
    snippet: str = Field(description="HTML: escaped text with the matched words in <mark>.")
    document: str = Field(description="The document's name within its initiative.")
    document_title: str
    page: int | None = Field(None, description="First page of the passage, for PDFs.")
    url: str = Field(description="Link to the original document (with #page=N for PDFs).")


class Explanation(BaseModel):
    lexical_rank: int | None = Field(description="Rank of the initiative in the BM25 list, None if absent.")
    semantic_rank: int | None = Field(
        description="Rank of the initiative in the vector list, None if absent."
    )
    fused_score: float


class InitiativeSummary(BaseModel):
    """The fields of an initiative a result list shows."""

    id: str
    title: str
    summary: str
    organisations: list[str] = []
    sectors: list[str] = []
    cluster: str | None = None
    status: str | None = None
    target_groups: list[str] = []
    tags: list[str] = []
    start_date: str | None = None
    end_date: str | None = None
    url: str | None = None
    has_metadata: bool = True


class SearchHit(InitiativeSummary):
    score: float
    passages: list[Passage]
    detail_url: str
    explain: Explanation | None = None


class FacetValue(BaseModel):
    value: str
    label: str
    count: int


class SearchResponse(BaseModel):
    query: str
    mode: SearchMode
    total: int = Field(description="Initiatives that match the query and filters.")
    offset: int
    limit: int
    results: list[SearchHit]
    facets: dict[str, list[FacetValue]] = Field(
        description="Counts per value of sector, organisation, cluster, status and target_group."
    )
    index_version: str
    took_ms: float


class DocumentInfo(BaseModel):
    file: str
    title: str | None = None
    kind: str | None = None
    url: str
    chunks: int = Field(description="Passages indexed from the document; 0 if it could not be read.")


class InitiativeDetail(InitiativeSummary):
    contact: dict | None = None
    documents: list[DocumentInfo]
    similar_url: str


class SimilarInitiative(InitiativeSummary):
    similarity: float
    different_sector: bool = Field(description="Shares no sector with the initiative asked about.")
    different_organisation: bool = Field(
        description="Shares no organisation with the initiative asked about."
    )
    detail_url: str


class SimilarResponse(BaseModel):
    initiative_id: str
    results: list[SimilarInitiative]


class Stats(BaseModel):
    initiatives: int
    documents: int
    chunks: int
    embedding_model: str
    embedding_engines: list[str] = Field(description="The engines that wrote the index's vectors.")
    embedding_dimension: int
    language: str
    index_version: str
    last_ingested_at: str | None
    store: Literal["embedded", "server"]
    search_settings: dict[str, str | float | int] = Field(
        description="How hybrid search is tuned: fusion, lexical_weight, rrf_k, candidates, semantic_window."
    )


class ErrorResponse(BaseModel):
    detail: str = Field(description="What went wrong, in Danish.")
