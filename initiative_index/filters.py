"""Metadata filters, applied inside retrieval on both sides: a Chroma `where` and a mask for BM25.

Values within one field are alternatives (OR), fields combine with AND. The period filter keeps initiatives
whose period overlaps [period_from, period_to]; a missing start means "since always", a missing end "ongoing".
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

OPEN_START = 0
OPEN_END = 99_991_231

# Filter field -> (chunk metadata key, whether the metadata value is a list)
FILTER_FIELDS: dict[str, tuple[str, bool]] = {
    "sector": ("sectors", True),
    "organisation": ("organisations", True),
    "cluster": ("cluster", False),
    "status": ("status", False),
    "target_group": ("target_groups", True),
    "tag": ("tags", True),
}
# The same fields as they are named in an initiative record.
RECORD_KEYS = {
    "sector": "sectors",
    "organisation": "organisations",
    "cluster": "cluster",
    "status": "status",
    "target_group": "target_groups",
    "tag": "tags",
}


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

    sector: list[str] = Field(default_factory=list, examples=[["kommune", "almen praksis"]])
    organisation: list[str] = Field(default_factory=list, examples=[["Thisted Kommune"]])
    cluster: list[str] = Field(default_factory=list, examples=[["vest"]])
    status: list[str] = Field(default_factory=list, examples=[["pilot", "drift"]])
    target_group: list[str] = Field(default_factory=list, examples=[["borgere med KOL"]])
    tag: list[str] = Field(default_factory=list)
    period_from: date | None = Field(None, description="Keep initiatives running on or after this day.")
    period_to: date | None = Field(None, description="Keep initiatives running on or before this day.")

    @model_validator(mode="after")
    def _period_is_ordered(self) -> SearchFilters:
        if self.period_from and self.period_to and self.period_to < self.period_from:
            raise ValueError("period_to is before period_from")
        return self

    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in FILTER_FIELDS) and not (
            self.period_from or self.period_to
        )

    def chroma_where(self) -> dict[str, Any] | None:
        """The filter as a Chroma `where` clause over chunk metadata, or None when nothing is filtered."""
        clauses: list[dict[str, Any]] = []
        for name, (key, is_list) in FILTER_FIELDS.items():
            values = getattr(self, name)
            if not values:
                continue
            if is_list:  # Chroma's $in does not look inside list values; $contains does
                alternatives = [{key: {"$contains": v}} for v in values]
                clauses.append(alternatives[0] if len(alternatives) == 1 else {"$or": alternatives})
            else:
                clauses.append({key: {"$in": list(values)}})
        if self.period_to:
            clauses.append({"start_day": {"$lte": day_number(self.period_to, OPEN_END)}})
        if self.period_from:
            clauses.append({"end_day": {"$gte": day_number(self.period_from, OPEN_START)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def accepts(self, record: dict[str, Any]) -> bool:
        """Whether an initiative record passes the filter (the lexical side's mask)."""
        for name, key in RECORD_KEYS.items():
            wanted = getattr(self, name)
            if not wanted:
                continue
            have = record.get(key)
            have_values = set(have) if isinstance(have, list) else {have}
            if have_values.isdisjoint(wanted):
                return False
        start = day_number(record.get("start_date"), OPEN_START)
        end = day_number(record.get("end_date"), OPEN_END)
        if self.period_to and start > day_number(self.period_to, OPEN_END):
            return False
        return not (self.period_from and end < day_number(self.period_from, OPEN_START))


def filter_metadata(record: dict[str, Any]) -> dict[str, Any]:
    """The chunk metadata fields `chroma_where` reads, written on every chunk of an initiative."""
    fields: dict[str, Any] = {}
    for key, is_list in FILTER_FIELDS.values():
        value = record.get(key)
        if is_list:
            if value:  # Chroma rejects empty lists: leave the key out, which matches no value either
                fields[key] = list(value)
        elif value is not None:
            fields[key] = value
    fields["start_day"] = day_number(record.get("start_date"), OPEN_START)
    fields["end_day"] = day_number(record.get("end_date"), OPEN_END)
    return fields
