"""Every bad request gets a 4xx with a Danish sentence, never a 500."""

from __future__ import annotations

import httpx
import pytest

DANISH = ("ø", "æ", "å", "Skriv", "Ukendt", "skal", "mangler", "findes", "Søgningen", "forkert", "ikke")


def assert_danish_4xx(response: httpx.Response, status: int = 422) -> None:
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, str) and detail.strip()
    assert any(word in detail for word in DANISH), detail


@pytest.mark.parametrize(
    "params",
    [
        {"q": ""},
        {"q": "   \t "},
        {"q": "x" * 1001},
        {"q": "video", "mode": "magisk"},
        {"q": "video", "limit": 0},
        {"q": "video", "limit": 51},
        {"q": "video", "limit": "ti"},
        {"q": "video", "offset": -1},
        {"q": "video", "explain": "måske"},
        {"q": "video\x00plejehjem"},
        {"q": "video\x1b[31m"},
        {"q": "video", "sektor": "kommune"},
        {"q": "video", "period_from": "2024-13-45"},
        {"q": "video", "period_from": "2025-01-01", "period_to": "2024-01-01"},
        {"q": "video", "sort": "tilfældig"},
        {"sort": "alfabetisk"},
        {"sektor": "kommune"},
    ],
    ids=lambda p: ",".join(f"{k}={str(v)[:12]!r}" for k, v in p.items()),
)
def test_bad_get_search_requests_get_a_danish_422(api: httpx.Client, params: dict) -> None:
    assert_danish_4xx(api.get("/search", params=params))


@pytest.mark.parametrize(
    "body",
    [
        {"query": ""},
        {"query": None, "sort": "op"},
        {"query": "x" * 1001},
        {"query": "video", "mode": "fuzzy"},
        {"query": "video", "limit": 100},
        {"query": "video", "filters": "kommune"},
        {"query": "video", "filters": {"sector": "kommune"}},
        {"query": "video", "filters": {"sector": [1, 2]}},
        {"query": "video", "filters": {"sektor": ["kommune"]}},
        {"query": "video", "filters": {"period_to": "i går"}},
        {"query": "video", "ukendt": True},
        {"query": "video\u0007"},
        ["video"],
        "video",
    ],
    ids=repr,
)
def test_bad_post_search_bodies_get_a_danish_422(api: httpx.Client, body: object) -> None:
    assert_danish_4xx(api.post("/search", json=body))


def test_a_body_that_is_not_json_gets_a_danish_422(api: httpx.Client) -> None:
    response = api.post("/search", content=b"{query: video", headers={"content-type": "application/json"})
    assert_danish_4xx(response)


def test_unknown_filter_values_simply_match_nothing(api: httpx.Client) -> None:
    response = api.get("/search", params={"q": "video", "status": "findes-ikke"})
    assert response.status_code == 200
    assert response.json()["total"] == 0


def test_unknown_initiatives_documents_and_paths_are_danish_404s(api: httpx.Client) -> None:
    assert_danish_4xx(api.get("/initiatives/findes-ikke"), 404)
    assert_danish_4xx(api.get("/initiatives/findes-ikke/similar"), 404)
    assert_danish_4xx(api.get("/initiatives/demens-gps/documents/findes-ikke.md"), 404)
    assert_danish_4xx(api.get("/ingen-side-her"), 404)


@pytest.mark.parametrize(
    "name",
    [
        "..%2Fvideo-plejehjem-aalborg%2Finitiative.yaml",
        "..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "%2Fetc%2Fpasswd",
        "initiative.yaml",
    ],
)
def test_document_paths_cannot_escape_the_initiative_or_reach_unlisted_files(
    api: httpx.Client, name: str
) -> None:
    assert_danish_4xx(api.get(f"/initiatives/demens-gps/documents/{name}"), 404)


def test_similar_limit_is_checked(api: httpx.Client) -> None:
    assert_danish_4xx(api.get("/initiatives/demens-gps/similar", params={"limit": 0}))
    assert_danish_4xx(api.get("/initiatives/demens-gps/similar", params={"limit": 500}))
