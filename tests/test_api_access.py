"""Access levels: internal initiatives are shown only to requests with a valid API key, on every endpoint.

A real server over the hardening corpus (tests/security_corpus.py): two public initiatives and one
internal one about the same thing, so a leak through search, totals, facets, /similar, /overview, the
export, the documents, /stats or the widget's anonymous /search would show.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import httpx
import pytest
from security_corpus import INTERNAL_ID, INTERNAL_ORGANISATION, INTERNAL_WORD, PUBLIC_IDS
from support import LiveServer

from search_api.access import key_hash, new_key

KEY, _ = new_key()
OTHER_KEY, OTHER_HASH = new_key()
WIDGET_ORIGIN = "http://intranet.example"


@pytest.fixture(scope="module")
def server(security_index, e5, tmp_path_factory) -> Iterator[LiveServer]:
    settings, _ = security_index
    keys_file = tmp_path_factory.mktemp("keys") / "keys.txt"
    keys_file.write_text(f"# Overblik API keys\n{key_hash(KEY)}  intranet-portal\n", encoding="utf-8")
    settings = settings.model_copy(
        update={"api_keys": [OTHER_HASH], "api_keys_file": keys_file, "cors_origins": [WIDGET_ORIGIN]}
    )
    server = LiveServer(settings, e5).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def anonymous(server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def keyed(server) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {KEY}"}
    with httpx.Client(base_url=server.url, timeout=30, headers=headers) as client:
        yield client


def ids(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [hit["id"] for hit in response.json()["results"]]


def facet_values(body: dict, name: str) -> set[str]:
    return {entry["value"] for entry in body["facets"][name]}


def test_search_shows_internal_initiatives_only_with_a_key(anonymous, keyed) -> None:
    for params in ({"q": INTERNAL_WORD, "mode": "lexical"}, {"q": "sensorer om natten"}):
        assert INTERNAL_ID not in ids(anonymous.get("/search", params=params))
        assert INTERNAL_ID in ids(keyed.get("/search", params=params))
    body = {"query": "sensorer om natten hjemmeplejen"}
    assert INTERNAL_ID not in ids(anonymous.post("/search", json=body))
    assert INTERNAL_ID in ids(keyed.post("/search", json=body))


def test_anonymous_totals_and_facets_never_count_internal_initiatives(anonymous, keyed) -> None:
    public, everything = anonymous.get("/search").json(), keyed.get("/search").json()
    assert public["total"] == len(PUBLIC_IDS) and everything["total"] == len(PUBLIC_IDS) + 1
    assert INTERNAL_ORGANISATION not in facet_values(public, "organisation")
    assert "region" not in facet_values(public, "sector")
    assert INTERNAL_ORGANISATION in facet_values(everything, "organisation")
    # ...also when the anonymous request names the internal one's own values.
    filtered = anonymous.get("/search", params={"organisation": INTERNAL_ORGANISATION}).json()
    assert filtered["total"] == 0 and filtered["results"] == []
    assert anonymous.get("/stats").json()["initiatives"] == len(PUBLIC_IDS)
    assert keyed.get("/stats").json()["initiatives"] == len(PUBLIC_IDS) + 1


def test_overview_and_export_leave_internal_initiatives_out_without_a_key(anonymous, keyed) -> None:
    public = anonymous.get("/overview").json()
    assert public["total"] == len(PUBLIC_IDS)
    assert INTERNAL_ID not in {point["id"] for point in public["map"]}
    assert all(INTERNAL_ID not in theme["initiatives"] for theme in public["themes"])
    assert all(INTERNAL_ID not in pair["initiatives"] for pair in public["overlaps"])
    assert INTERNAL_ORGANISATION not in str(public["matrix"])
    assert keyed.get("/overview").json()["total"] == len(PUBLIC_IDS) + 1
    assert INTERNAL_ID not in anonymous.get("/export.csv").text
    rows = csv.DictReader(io.StringIO(keyed.get("/export.csv").text.lstrip("\ufeff")), delimiter=";")
    assert {row["Id"]: row["Synlighed"] for row in rows}[INTERNAL_ID] == "Intern"
    assert INTERNAL_ID not in anonymous.get("/overview", params={"q": INTERNAL_WORD}).text


def test_an_internal_initiative_and_its_documents_are_404_without_a_key(anonymous, keyed) -> None:
    for path in (f"/initiatives/{INTERNAL_ID}", f"/initiatives/{INTERNAL_ID}/documents/udkast.md",
                 f"/initiatives/{INTERNAL_ID}/similar"):  # fmt: skip
        refused = anonymous.get(path)
        assert refused.status_code == 404 and "findes ikke" in refused.json()["detail"]
        assert keyed.get(path).status_code == 200


def test_similar_never_names_an_internal_initiative_without_a_key(anonymous, keyed) -> None:
    path = "/initiatives/sikker-sensorer/similar"
    assert INTERNAL_ID in ids(keyed.get(path))  # its nearest neighbour...
    assert INTERNAL_ID not in ids(anonymous.get(path))  # ...which an anonymous request never sees


def test_the_widgets_cross_origin_search_is_anonymous(anonymous) -> None:
    headers = {"Origin": WIDGET_ORIGIN}
    answer = anonymous.get("/search", params={"q": "sensorer om natten", "limit": 5}, headers=headers)
    assert answer.headers["access-control-allow-origin"] == WIDGET_ORIGIN
    assert INTERNAL_ID not in ids(answer)
    preflight = anonymous.options(
        "/search",
        headers={"Origin": WIDGET_ORIGIN, "Access-Control-Request-Method": "GET",
                 "Access-Control-Request-Headers": "authorization"},
    )  # fmt: skip
    assert "authorization" not in preflight.headers.get("access-control-allow-headers", "").lower()


@pytest.mark.parametrize("header", [f"Bearer {KEY}x", "Bearer", f"Basic {KEY}", f"Bearer {key_hash(KEY)}"])
def test_a_wrong_key_is_a_danish_401_not_a_silent_anonymous_answer(anonymous, header: str) -> None:
    refused = anonymous.get("/search", params={"q": "sensorer"}, headers={"Authorization": header})
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == "Bearer"
    assert refused.json()["detail"] == "API-nøglen er ugyldig."


def test_every_configured_key_works_and_asking_for_internal_without_one_is_refused(anonymous) -> None:
    other = anonymous.get("/search", params={"q": INTERNAL_WORD, "mode": "lexical"},
                          headers={"Authorization": f"Bearer {OTHER_KEY}"})  # fmt: skip
    assert INTERNAL_ID in ids(other)
    refused = anonymous.get("/search", params={"visibility": "intern"})
    assert refused.status_code == 401 and "API-nøgle" in refused.json()["detail"]
