"""GET /overview, browsing without a query, and the CSV export, over a live server and the fixture index."""

from __future__ import annotations

import csv
import io

import httpx
import pytest
from test_api_bad_input import assert_danish_4xx

from search_api.export import initiatives_csv


def overview(api: httpx.Client, **params) -> dict:
    response = api.get("/overview", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def browse(api: httpx.Client, **params) -> dict:
    response = api.get("/search", params={"limit": 50, **params})
    assert response.status_code == 200, response.text
    return response.json()


def test_every_initiative_has_exactly_one_primary_theme(api: httpx.Client) -> None:
    everything = overview(api)
    members = [i for theme in everything["themes"] for i in theme["initiatives"]]
    assert len(members) == len(set(members)) == everything["total"] == api.get("/stats").json()["initiatives"]
    assert sum(theme["count"] for theme in everything["themes"]) == everything["total"]
    assert {point["id"] for point in everything["map"]} == set(members)
    for theme in everything["themes"]:
        assert theme["label"] and theme["keywords"], theme
        assert all(0 <= point["x"] <= 1 and 0 <= point["y"] <= 1 for point in everything["map"])


def test_the_overview_with_a_filter_is_the_overview_of_the_filtered_set(api: httpx.Client) -> None:
    everything = overview(api, overlaps=200)
    filtered = overview(api, sector="kommune", overlaps=200)
    chosen = {hit["id"] for hit in browse(api, sector="kommune")["results"]}
    assert filtered["total"] == len(chosen) < everything["total"]
    expected = {
        theme["id"]: [i for i in theme["initiatives"] if i in chosen]
        for theme in everything["themes"]
        if any(i in chosen for i in theme["initiatives"])
    }
    assert {theme["id"]: theme["initiatives"] for theme in filtered["themes"]} == expected
    assert [o for o in everything["overlaps"] if set(o["initiatives"]) <= chosen] == filtered["overlaps"]
    assert [p for p in everything["map"] if p["id"] in chosen] == filtered["map"]
    for theme in filtered["themes"]:
        assert theme["by_sector"]["kommune"] == theme["count"]
        assert filtered["matrix"]["themes_x_sectors"][theme["id"]]["kommune"] == theme["count"]


def test_the_overview_of_a_search_is_the_overview_of_its_matches(api: httpx.Client) -> None:
    searched = overview(api, q="demens")
    hits = api.get("/search", params={"q": "demens", "limit": 50}).json()
    assert searched["query"] == "demens" and searched["total"] == hits["total"] > 0
    matches = {h["id"] for h in hits["results"] if h["match"] != "related"}  # not the near misses after them
    assert {i for t in searched["themes"] for i in t["initiatives"]} == matches


def test_effective_initiatives_are_those_with_documented_or_partial_effect(api: httpx.Client) -> None:
    everything = overview(api)
    assert [e["id"] for e in everything["effective"]] == [
        "video-plejehjem-aalborg",
        "kol-digitale-kompetencer",
    ]
    assert everything["with_effect"] == 2
    assert everything["effective"][0]["results"][0]["document"] == "beskrivelse.md"
    facets = {f["value"]: f["count"] for f in everything["facets"]["effect"]}
    assert facets == {"dokumenteret": 1, "delvis": 1}
    effective = browse(api, effect=["dokumenteret", "delvis"])
    assert {hit["id"] for hit in effective["results"]} == {
        "video-plejehjem-aalborg",
        "kol-digitale-kompetencer",
    }
    assert {hit["effect"] for hit in effective["results"]} == {"dokumenteret", "delvis"}


def test_a_theme_is_a_filter_and_a_facet(api: httpx.Client) -> None:
    theme = overview(api)["themes"][0]
    listed = browse(api, theme=theme["id"])
    assert {hit["id"] for hit in listed["results"]} == set(theme["initiatives"])
    assert all(
        hit["theme"] == theme["id"] and hit["theme_label"] == theme["label"] for hit in listed["results"]
    )
    assert listed["facets"]["theme"] == [
        {"value": theme["id"], "label": theme["label"], "count": theme["count"]}
    ]
    searched = api.get("/search", params={"q": "video", "theme": theme["id"]}).json()
    assert {hit["id"] for hit in searched["results"]} <= set(theme["initiatives"])


def test_browsing_without_a_query_lists_every_allowed_initiative_in_the_chosen_order(
    api: httpx.Client,
) -> None:
    by_title = browse(api)
    assert by_title["query"] is None and by_title["total"] == len(by_title["results"]) == 8
    titles = [hit["title"].casefold() for hit in by_title["results"]]
    assert titles == sorted(titles)
    assert all(hit["passages"] == [] for hit in by_title["results"])
    newest = [hit.get("start_date") for hit in browse(api, sort="newest")["results"]]
    dated = [d for d in newest if d]
    assert dated == sorted(dated, reverse=True) and newest[: len(dated)] == dated  # undated last
    order = ["idé", "planlagt", "pilot", "drift", "evalueret", "skaleret", "afsluttet"]
    statuses = [hit.get("status") for hit in browse(api, sort="status")["results"] if hit.get("status")]
    assert statuses == sorted(statuses, key=order.index)
    kommune = browse(api, sector="kommune")
    assert kommune["total"] == len(kommune["results"]) and all(
        "kommune" in h["sectors"] for h in kommune["results"]
    )
    assert {f["value"] for f in kommune["facets"]["sector"]} >= {"kommune"}
    posted = api.post("/search", json={"filters": {"sector": ["kommune"]}, "limit": 50}).json()
    assert [h["id"] for h in posted["results"]] == [h["id"] for h in kommune["results"]]


def test_csv_export_opens_in_excel_with_danish_letters_and_every_field(api: httpx.Client) -> None:
    response = api.get("/export.csv", params={"sector": "kommune"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    listed = browse(api, sector="kommune")
    assert [row["Id"] for row in rows] == [hit["id"] for hit in listed["results"]]
    by_id = {row["Id"]: row for row in rows}
    video = by_id["video-plejehjem-aalborg"]
    assert video["Titel"] == "Videokonsultationer mellem plejehjem og almen praksis"
    assert video["Resumé"].startswith("Plejepersonalet på Aalborg Kommunes plejehjem")  # æøå intact
    assert video["Sektorer"] == "Kommune, Almen praksis"
    assert video["Effekt"] == "Dokumenteret effekt" and video["Evaluering"] == "Ekstern evaluering"
    assert "Færre lægebesøg" in video["Resultater"] and video["Tema"]
    assert video["Link i Overblik"].endswith("?initiative=video-plejehjem-aalborg")
    searched = api.get("/export.csv", params={"q": "demens"})
    ids = [
        row["Id"] for row in csv.DictReader(io.StringIO(searched.content.decode("utf-8-sig")), delimiter=";")
    ]
    hits = api.get("/search", params={"q": "demens", "limit": 50}).json()["results"]
    assert ids == [h["id"] for h in hits if h["match"] != "related"]


def test_csv_cells_that_look_like_formulas_are_defused() -> None:
    text = initiatives_csv(
        [{"id": "x", "title": '=HYPERLINK("http://ondt.example")', "summary": "-1+1"}], "/"
    )
    row = next(csv.DictReader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert row["Titel"].startswith("'=") and row["Resumé"] == "'-1+1"


@pytest.mark.parametrize(
    "params",
    [
        {"overlaps": -1},
        {"overlaps": "mange"},
        {"q": ""},
        {"q": "x" * 1001},
        {"mode": "magisk"},
        {"sektor": "kommune"},
        {"period_from": "i går"},
        {"period_from": "2025-01-01", "period_to": "2024-01-01"},
        {"filters": "kommune"},
    ],
    ids=lambda p: ",".join(f"{k}={str(v)[:12]!r}" for k, v in p.items()),
)
def test_bad_overview_and_export_requests_get_a_danish_422(api: httpx.Client, params: dict) -> None:
    assert_danish_4xx(api.get("/overview", params=params))
    if "overlaps" not in params:
        assert_danish_4xx(api.get("/export.csv", params=params))
