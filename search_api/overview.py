"""The overview of a set of initiatives: counts over the index version's landscape, per request.

The set is what a search request selects: every initiative its filters allow, or, with a query, those the
query matches. Themes, overlaps and the map are the landscape's (computed once per index version); only the
counting happens here, so the overview of a filtered set is exactly the overview restricted to that set.
"""

from __future__ import annotations

import time
from collections import Counter

from initiative_index.schema import EFFECTIVE, SECTOR_LABELS, Effect, Sector
from initiative_index.vocabulary import CROSS_SECTOR, is_municipality
from search_api.engine import SearchEngine
from search_api.models import (
    EffectiveInitiative,
    MapPoint,
    MatrixColumn,
    OutcomeStatement,
    OverlapItem,
    OverviewMatrix,
    OverviewResponse,
    SearchRequest,
    ThemeOverview,
)

MAX_ORGANISATION_COLUMNS = 20
MAX_EFFECTIVE = 50
EFFECT_ORDER = {Effect.DOKUMENTERET.value: 0, Effect.DELVIS.value: 1}


def build_overview(engine: SearchEngine, request: SearchRequest, overlaps: int) -> OverviewResponse:
    """The overview of the initiatives `request` selects; at most `overlaps` pairs of the same idea."""
    started = time.perf_counter()
    ids = engine.matching_ids(request)
    chosen = set(ids)
    records = engine.records
    landscape = engine.landscape
    themes = []
    for theme in landscape.themes:
        members = sorted(
            (i for i in ids if landscape.theme_of.get(i) == theme.id), key=lambda i: records[i]["title"]
        )
        if not members:
            continue
        themes.append(
            ThemeOverview(
                id=theme.id,
                label=theme.label,
                keywords=theme.keywords,
                named=theme.named,
                initiatives=members,
                secondary=sorted(i for i in ids if theme.id in landscape.secondary_of.get(i, [])),
                count=len(members),
                by_sector=_count(records[i].get("sectors", []) for i in members),
                by_cluster=_count([records[i].get("cluster")] for i in members),
                with_effect=sum(records[i].get("effect") in EFFECTIVE for i in members),
            )
        )
    themes.sort(key=lambda t: (-t.count, t.label))
    positions = [engine.snapshot.initiative_position[i] for i in ids]
    return OverviewResponse(
        query=request.query,
        total=len(ids),
        with_effect=sum(records[i].get("effect") in EFFECTIVE for i in ids),
        themes=themes,
        matrix=_matrix(engine, ids),
        overlaps=_overlaps(engine, chosen, overlaps),
        map=[_point(engine, i) for i in ids if i in landscape.position],
        effective=_effective(engine, ids),
        facets=engine.facets(positions),
        index_version=engine.snapshot.version,
        took_ms=round((time.perf_counter() - started) * 1000, 2),
    )


def _count(values_per_initiative) -> dict[str, int]:
    counts = Counter(v for values in values_per_initiative for v in values if v)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _matrix(engine: SearchEngine, ids: list[str]) -> OverviewMatrix:
    records, theme_of = engine.records, engine.landscape.theme_of
    sectors = Counter(s for i in ids for s in records[i].get("sectors", []))
    organisations = Counter(o for i in ids for o in records[i].get("organisations", []))
    municipalities = Counter({o: n for o, n in organisations.items() if is_municipality(o)})
    by_sector: dict[str, Counter] = {}
    by_municipality: dict[str, Counter] = {}
    by_organisation: dict[str, Counter] = {}
    for i in ids:
        theme = theme_of.get(i)
        if theme is None:
            continue
        by_sector.setdefault(theme, Counter()).update(records[i].get("sectors", []))
        by_organisation.setdefault(theme, Counter()).update(records[i].get("organisations", []))
        by_municipality.setdefault(theme, Counter()).update(
            o for o in records[i].get("organisations", []) if is_municipality(o)
        )
    top_organisations = [o for o, _ in sorted(organisations.items(), key=lambda kv: (-kv[1], kv[0]))]
    top_organisations = top_organisations[:MAX_ORGANISATION_COLUMNS]
    return OverviewMatrix(
        sectors=[
            MatrixColumn(value=s.value, label=SECTOR_LABELS[s], count=sectors.get(s.value, 0)) for s in Sector
        ],
        municipalities=[MatrixColumn(value=m, label=m, count=n) for m, n in sorted(municipalities.items())],
        organisations=[MatrixColumn(value=o, label=o, count=organisations[o]) for o in top_organisations],
        themes_x_sectors={t: dict(c) for t, c in by_sector.items()},
        themes_x_municipalities={t: dict(c) for t, c in by_municipality.items()},
        themes_x_organisations={
            t: {o: n for o, n in c.items() if o in top_organisations} for t, c in by_organisation.items()
        },
    )


def _overlaps(engine: SearchEngine, chosen: set[str], limit: int) -> list[OverlapItem]:
    items = []
    for overlap in engine.landscape.overlaps:
        a, b = overlap.initiatives
        if a not in chosen or b not in chosen:
            continue
        first, second = engine.records[a], engine.records[b]
        items.append(
            OverlapItem(
                initiatives=[a, b],
                titles=[first["title"], second["title"]],
                organisations=[
                    (first.get("organisations") or [""])[0],
                    (second.get("organisations") or [""])[0],
                ],
                score=overlap.score,
                reason=overlap.reason,
                shared_target_groups=overlap.shared_target_groups,
                shared_keywords=overlap.shared_keywords,
            )
        )
        if len(items) >= limit:
            break
    return items


def _point(engine: SearchEngine, initiative_id: str) -> MapPoint:
    record = engine.records[initiative_id]
    x, y = engine.landscape.position[initiative_id]
    sectors = [s for s in record.get("sectors", []) if s != CROSS_SECTOR] or record.get("sectors", [])
    return MapPoint(
        id=initiative_id,
        title=record["title"],
        x=x,
        y=y,
        theme=engine.landscape.theme_of.get(initiative_id, ""),
        sector=sectors[0] if sectors else None,
        effect=record.get("effect"),
    )


def _effective(engine: SearchEngine, ids: list[str]) -> list[EffectiveInitiative]:
    records = engine.records
    effective = [i for i in ids if records[i].get("effect") in EFFECTIVE]
    effective.sort(
        key=lambda i: (
            EFFECT_ORDER[records[i]["effect"]],
            -len(records[i].get("results", [])),
            records[i]["title"],
        )
    )
    return [
        EffectiveInitiative(
            id=i,
            title=records[i]["title"],
            organisations=records[i].get("organisations", []),
            sectors=records[i].get("sectors", []),
            theme=records[i].get("theme"),
            evaluation=records[i].get("evaluation"),
            effect=records[i]["effect"],
            results=[OutcomeStatement(**r) for r in records[i].get("results", [])],
        )
        for i in effective[:MAX_EFFECTIVE]
    ]
