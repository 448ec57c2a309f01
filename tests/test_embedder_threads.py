"""Ingestion counts tokens in its extraction thread while the main thread encodes: they must not interfere."""

from __future__ import annotations

import threading

import numpy as np

from initiative_index.embedders import SentenceTransformerEmbedder


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
