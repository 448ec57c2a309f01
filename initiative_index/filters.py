"""Metadata filters, applied inside retrieval on both sides: a Chroma `where` and a mask for BM25.

Values within one field are alternatives (OR), fields combine with AND. The period filter keeps initiatives
whose period overlaps [period_from, period_to]; a missing start means "since always", a missing end "ongoing".
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from scipy import sparse

from initiative_index.vocabulary import FIELD_BY_NAME, FIELDS, FILTER_NAMES, FilterField

# Limits on what a request may ask for: every value becomes a clause of a Chroma `where` (many-valued fields
# an `$or` of `$contains`), so an unbounded list would build an unbounded query.
MAX_VALUES_PER_FIELD = 20
MAX_VALUES = 50
MAX_VALUE_CHARS = 200  # as long as an initiative label may be (schema.Label)

Value = Annotated[str, StringConstraints(max_length=MAX_VALUE_CHARS)]
Values = Annotated[list[Value], Field(default_factory=list, max_length=MAX_VALUES_PER_FIELD)]

OPEN_START = 0
OPEN_END = 99_991_231


def day_number(value: date | str | None, default: int) -> int:
    """A date as an int YYYYMMDD, which Chroma can compare; `default` when there is none."""
    if value is None:
        return default
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return value.year * 10_000 + value.month * 100 + value.day


class SearchFilters(BaseModel):
    """Which initiatives a search may return."""

    model_config = ConfigDict(extra="forbid")

    sector: Values = Field(examples=[["kommune", "almen praksis"]])
    organisation: Values = Field(examples=[["Thisted Kommune"]])
    cluster: Values = Field(examples=[["vest"]])
    status: Values = Field(examples=[["pilot", "drift"]])
    target_group: Values = Field(examples=[["borgere med KOL"]])
    tag: Values
    evaluation: Values = Field(examples=[["ekstern", "forskning"]])
    effect: Values = Field(
        description="'Virksomme initiativer': effect=dokumenteret&effect=delvis.",
        examples=[["dokumenteret", "delvis"]],
    )
    theme: Values = Field(description="Theme ids, as /overview gives them.")
    visibility: Values = Field(
        description="offentlig | intern. Internal initiatives need an API key; without one, only offentlig.",
        examples=[["offentlig"]],
    )
    period_from: date | None = Field(None, description="Keep initiatives running on or after this day.")
    period_to: date | None = Field(None, description="Keep initiatives running on or before this day.")

    @model_validator(mode="after")
    def _few_enough_values(self) -> SearchFilters:
        if sum(len(getattr(self, name)) for name in FILTER_NAMES) > MAX_VALUES:
            raise ValueError("too_many_filter_values")
        return self

    @model_validator(mode="after")
    def _period_is_ordered(self) -> SearchFilters:
        if self.period_from and self.period_to and self.period_to < self.period_from:
            raise ValueError("period_to is before period_from")
        return self

    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in FILTER_NAMES) and not (
            self.period_from or self.period_to
        )

    def chosen(self) -> list[tuple[FilterField, list[str]]]:
        """The filtered fields with their wanted values."""
        return [(field, getattr(self, field.name)) for field in FIELDS if getattr(self, field.name)]

    def chroma_where(self) -> dict[str, Any] | None:
        """The filter as a Chroma `where` clause over chunk metadata, or None when nothing is filtered."""
        clauses: list[dict[str, Any]] = []
        for field, values in self.chosen():
            if not field.in_chunks:
                continue  # a derived field: the engine restricts the search to its initiatives instead
            if field.many:  # Chroma's $in does not look inside list values; $contains does
                alternatives = [{field.record_key: {"$contains": v}} for v in values]
                clauses.append(alternatives[0] if len(alternatives) == 1 else {"$or": alternatives})
            else:
                clauses.append({field.record_key: {"$in": list(values)}})
        if self.period_to:
            clauses.append({"start_day": {"$lte": day_number(self.period_to, OPEN_END)}})
        if self.period_from:
            clauses.append({"end_day": {"$gte": day_number(self.period_from, OPEN_START)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def accepts(self, record: dict[str, Any]) -> bool:
        """Whether an initiative record passes the filter (the lexical side's mask)."""
        for field, wanted in self.chosen():
            if set(field.values(record)).isdisjoint(wanted):
                return False
        start = day_number(record.get("start_date"), OPEN_START)
        end = day_number(record.get("end_date"), OPEN_END)
        if self.period_to and start > day_number(self.period_to, OPEN_END):
            return False
        return not (self.period_from and end < day_number(self.period_from, OPEN_START))


def filter_metadata(record: dict[str, Any]) -> dict[str, Any]:
    """The chunk metadata fields `chroma_where` reads, written on every chunk of an initiative."""
    fields: dict[str, Any] = {}
    for field in FIELDS:
        if not field.in_chunks:
            continue
        values = field.values(record)
        if field.many:
            if values:  # Chroma rejects empty lists: leave the key out, which matches no value either
                fields[field.record_key] = values
        elif values:
            fields[field.record_key] = values[0]
    fields["start_day"] = day_number(record.get("start_date"), OPEN_START)
    fields["end_day"] = day_number(record.get("end_date"), OPEN_END)
    return fields


assert set(SearchFilters.model_fields) == {*FIELD_BY_NAME, "period_from", "period_to"}, (
    "SearchFilters declares exactly the fields of initiative_index.vocabulary"
)


class FilterIndex:
    """Which initiatives hold which filter values, as a sparse initiative x (field, value) matrix plus each
    initiative's period: a filter's mask is then a few column sums, not a Python call per initiative (35,000
    initiatives at a million chunks). `mask(filters)[i] == filters.accepts(records[i])` (tested)."""

    def __init__(self, records: list[dict[str, Any]]) -> None:
        columns: dict[tuple[str, str], int] = {}
        rows, cols = [], []
        for row, record in enumerate(records):
            for field in FIELDS:
                for value in set(field.values(record)):
                    rows.append(row)
                    cols.append(columns.setdefault((field.name, value), len(columns)))
        self._columns = columns
        self._matrix = sparse.csc_matrix(
            (np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(len(records), len(columns))
        )
        starts = [day_number(record.get("start_date"), OPEN_START) for record in records]
        self._starts = np.array(starts, dtype=np.int64)
        self._ends = np.array([day_number(r.get("end_date"), OPEN_END) for r in records], dtype=np.int64)

    def mask(self, filters: SearchFilters) -> np.ndarray:
        """Whether each initiative passes the filters."""
        mask = np.ones(len(self._starts), dtype=bool)
        for field, wanted in filters.chosen():
            cols = [self._columns[(field.name, v)] for v in wanted if (field.name, v) in self._columns]
            mask &= np.asarray(self._matrix[:, cols].sum(axis=1)).ravel() > 0 if cols else False
        if filters.period_to:
            mask &= self._starts <= day_number(filters.period_to, OPEN_END)
        if filters.period_from:
            mask &= self._ends >= day_number(filters.period_from, OPEN_START)
        return mask
