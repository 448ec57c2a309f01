"""Request and response models of the API, declared once (they are also the /docs manual)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from initiative_index.filters import SearchFilters

SearchMode = Literal["hybrid", "lexical", "semantic"]
# relevance (default with a query), title (A–Å; the default without one), newest (latest start first),
# status (lifecycle: idé first, afsluttet last)
SortOrder = Literal["relevance", "title", "newest", "status"]
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

    query: str | None = Field(
        None,
        max_length=MAX_QUERY_CHARS,
        description="The question, in Danish or English; leave it out to list every initiative the filters "
        "allow (browsing).",
    )
    mode: SearchMode = Field("hybrid", description="hybrid (default), lexical (BM25) or semantic (vectors).")
    filters: SearchFilters = Field(default_factory=SearchFilters)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(10, ge=1, le=MAX_LIMIT)
    explain: bool = Field(False, description="Add each result's lexical rank, semantic rank and fused score.")
    sort: SortOrder = Field(
        "relevance",
        description="relevance (best match first; without a query: title), title, newest (latest start) "
        "or status (idé first).",
    )

    @field_validator("query")
    @classmethod
    def _clean(cls, value: str | None) -> str | None:
        return None if value is None else clean_query(value)


class Passage(BaseModel):
    snippet: str = Field(description="HTML: escaped text with the matched words in <mark>.")
    document: str = Field(description="The document's name within its initiative.")
    document_title: str
    page: int | None = Field(None, description="First page of the passage, for PDFs.")
    url: str = Field(description="Link to the original document (with #page=N for PDFs).")
    view_url: str | None = Field(
        None,
        description="Link to the document view: the document as HTML with this passage marked and scrolled "
        "to (Markdown, DOCX, HTML, text); null for PDFs and other formats (use `url`).",
    )


class Explanation(BaseModel):
    lexical_rank: int | None = Field(description="Rank of the initiative in the BM25 list, None if absent.")
    semantic_rank: int | None = Field(
        description="Rank of the initiative in the vector list, None if absent."
    )
    fused_score: float


class OutcomeStatement(BaseModel):
    text: str = Field(description="A short outcome, e.g. '32 % færre akutte indlæggelser'.")
    document: str | None = Field(None, description="The document it comes from (its file name).")


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
    evaluation: str | None = Field(None, description="ingen | intern | ekstern | forskning")
    effect: str | None = Field(None, description="dokumenteret | delvis | ingen | ikke målt")
    results: list[OutcomeStatement] = []
    theme: str | None = Field(None, description="The primary theme's id (see /overview).")
    theme_label: str | None = None


MatchKind = Literal["terms", "meaning", "place", "related"]


class SearchHit(InitiativeSummary):
    score: float
    match: MatchKind | None = Field(
        None,
        description="Why it is there: 'terms' (shares query words, their forms, parts or thesaurus terms), "
        "'meaning' (close in meaning only: 'Relateret indhold'), 'place' (a query that only names a place), "
        "'related' (not a match: a near miss listed after the matches and not counted); null when browsing.",
    )
    matched_terms: list[str] = Field(
        default_factory=list, description="The query's words and thesaurus terms this initiative contains."
    )
    passages: list[Passage] = Field(
        description="The best matching passages, best first; overlapping passages of a document are joined "
        "and repeated text left out."
    )
    contact_name: str | None = Field(None, description="The contact person's name, when the record has one.")
    detail_url: str
    explain: Explanation | None = None


class FacetValue(BaseModel):
    value: str
    label: str
    count: int


class ConceptExplanation(BaseModel):
    typed: str = Field(description="The query's word(s).")
    searched_as: list[str] = Field(
        description="Forms searched: the word, its compound parts, thesaurus terms."
    )
    thesaurus: list[str] = Field(description="The thesaurus terms among them (searched at a lower weight).")


class QueryExplanation(BaseModel):
    """What the engine made of the query (explain=true)."""

    searched: str
    concepts: list[ConceptExplanation]
    places: list[str] = Field(description="Places named in the query (a soft filter: they come first).")
    phrases: list[str] = Field(description="Quoted phrases every match must contain.")
    excluded: list[str] = Field(description="Words after a minus: no match contains them.")
    semantic_threshold: float
    semantic_margin: float


class SearchResponse(BaseModel):
    query: str | None = Field(description="The query as typed; null when browsing.")
    searched_query: str | None = Field(
        None, description="What was searched: the query, or its spelling correction when no word was known."
    )
    did_you_mean: str | None = Field(None, description="A suggested spelling ('Mente du …?').")
    places: list[str] = Field(default_factory=list, description="Places named in the query, boosted.")
    notice: str | None = Field(None, description="A Danish note on how the query was read, for the page.")
    mode: SearchMode
    sort: SortOrder
    total: int = Field(description="Initiatives that match the query and filters.")
    related: int = Field(
        0,
        description="Near misses listed after the matches (match = 'related'); not counted in total or "
        "facets. Pages run over total + related.",
    )
    offset: int
    limit: int
    results: list[SearchHit]
    facets: dict[str, list[FacetValue]] = Field(
        description="Counts per value of sector, organisation, cluster, status, target_group, evaluation, "
        "effect and theme, over all matching initiatives."
    )
    index_version: str
    took_ms: float
    analysis: QueryExplanation | None = None


class DocumentInfo(BaseModel):
    file: str
    title: str | None = None
    kind: str | None = None
    url: str
    view_url: str | None = Field(None, description="The document view (rendered as HTML), when it has one.")
    chunks: int = Field(description="Passages indexed from the document; 0 if it could not be read.")


class InitiativeDetail(InitiativeSummary):
    contact: dict | None = None
    documents: list[DocumentInfo]
    similar_url: str


class SimilarInitiative(InitiativeSummary):
    similarity: float
    different_sector: bool = Field(
        description="Shares no sector with the initiative asked about ('tværsektoriel' aside)."
    )
    different_organisation: bool = Field(
        description="Run by another lead organisation than the initiative asked about."
    )
    same_idea: bool = Field(
        description="Listed under 'the same idea elsewhere': another organisation or sector, same need and "
        "approach."
    )
    reason: str | None = Field(None, description="Why it is the same idea (shared target group, keywords).")
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
        description="How hybrid search is tuned: fusion, lexical_weight, rrf_k, candidates, "
        "semantic_threshold, semantic_margin."
    )


class ErrorResponse(BaseModel):
    detail: str = Field(description="What went wrong, in Danish.")


class ThemeOverview(BaseModel):
    """One theme within the overview's set of initiatives."""

    id: str
    label: str
    keywords: list[str] = Field(description="3–8 distinctive words of the theme, as they are written.")
    named: bool = Field(description="Named by the region in themes.yaml (its label stays).")
    initiatives: list[str] = Field(description="Ids of the initiatives whose primary theme this is.")
    secondary: list[str] = Field(description="Ids of initiatives that are also about this theme.")
    count: int
    by_sector: dict[str, int]
    by_cluster: dict[str, int]
    with_effect: int = Field(description="Initiatives with documented or partial effect ('virksomme').")


class MatrixColumn(BaseModel):
    value: str
    label: str
    count: int = Field(description="Initiatives in the set with this value (any theme).")


class OverviewMatrix(BaseModel):
    """Themes x sectors and themes x municipalities / organisations: primary members per cell."""

    sectors: list[MatrixColumn]
    municipalities: list[MatrixColumn]
    organisations: list[MatrixColumn] = Field(description="The most frequent organisations (up to 20).")
    themes_x_sectors: dict[str, dict[str, int]] = Field(description="theme id -> sector -> count")
    themes_x_municipalities: dict[str, dict[str, int]]
    themes_x_organisations: dict[str, dict[str, int]]


class OverlapItem(BaseModel):
    """Two initiatives of different organisations or sectors doing the same thing the same way."""

    initiatives: list[str] = Field(min_length=2, max_length=2)
    titles: list[str]
    organisations: list[str] = Field(description="Each initiative's lead organisation.")
    score: float
    reason: str
    shared_target_groups: list[str]
    shared_keywords: list[str]


class MapPoint(BaseModel):
    id: str
    title: str
    x: float = Field(ge=0, le=1)
    y: float = Field(ge=0, le=1)
    theme: str
    sector: str | None = Field(
        description="The first sector other than 'tværsektoriel' (the point's colour)."
    )
    effect: str | None = None


class EffectiveInitiative(BaseModel):
    id: str
    title: str
    organisations: list[str]
    sectors: list[str]
    theme: str | None
    evaluation: str | None
    effect: str
    results: list[OutcomeStatement]


class OverviewResponse(BaseModel):
    """The landscape of the initiatives a filter (and optional query) selects."""

    query: str | None
    total: int = Field(description="Initiatives in the set.")
    with_effect: int = Field(description="Of these, with documented or partial effect.")
    themes: list[ThemeOverview] = Field(description="Themes with members in the set, largest first.")
    matrix: OverviewMatrix
    overlaps: list[OverlapItem] = Field(description="The same idea elsewhere, best first (both in the set).")
    map: list[MapPoint]
    effective: list[EffectiveInitiative] = Field(description="'Virksomme initiativer': documented first.")
    facets: dict[str, list[FacetValue]]
    index_version: str
    took_ms: float
