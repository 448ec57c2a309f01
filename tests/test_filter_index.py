"""The filter mask from the sparse filter index is what `SearchFilters.accepts` says of every record."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from eval.cli import open_engine
from initiative_index.filters import FilterIndex, SearchFilters
from initiative_index.vocabulary import FIELDS


@pytest.fixture(scope="module")
def records(built_index, e5) -> list[dict]:
    engine = open_engine(built_index[0], e5)
    return [engine.records[i] for i in engine.snapshot.initiative_ids]


def filters_to_try(records: list[dict]) -> list[SearchFilters]:
    tried = [SearchFilters(period_from=date(2024, 1, 1)), SearchFilters(period_to=date(2021, 6, 30))]
    tried.append(SearchFilters(period_from=date(2022, 1, 1), period_to=date(2022, 12, 31)))
    tried.append(SearchFilters(sector=["ingen sådan sektor"]))
    for field in FIELDS:
        values = sorted({value for record in records for value in field.values(record)})
        for value in values[:6]:
            tried.append(SearchFilters(**{field.name: [value]}))
        if len(values) > 1:
            tried.append(SearchFilters(**{field.name: [*values[:2], "ukendt værdi"]}))
    tried.append(SearchFilters(sector=["kommune"], status=["drift", "pilot"], period_from=date(2023, 1, 1)))
    return tried


def test_the_mask_is_accepts_for_every_record(records) -> None:
    index = FilterIndex(records)
    tried = filters_to_try(records)
    assert len(tried) > 30
    some = 0
    for filters in tried:
        expected = np.array([filters.accepts(record) for record in records])
        assert np.array_equal(index.mask(filters), expected), filters
        some += 0 < expected.sum() < len(records)
    assert some > 10  # most filters keep some initiatives and drop others
