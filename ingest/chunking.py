"""Chunking sized in the embedding model's own tokens, so the model never silently truncates a chunk.

Each chunk is embedded as "<initiative title>\\n\\n<chunk>" with the document prompt, so the budget for
the chunk text is what remains of the model's window after the title; the configured chunk size is an upper
bound. Pages are joined before splitting (a paragraph may cross a page break) and every chunk records the
pages it spans.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from langchain_text_splitters import RecursiveCharacterTextSplitter

from ingest.readers import Page
from initiative_index.embedders import Embedder
from initiative_index.passage import passage_text

PAGE_SEPARATOR = "\n\n"
# Subword tokenisation is not additive (a piece may tokenise differently inside a longer text), so budgets
# keep a small reserve; every chunk is checked against the exact count afterwards anyway.
TOKEN_RESERVE = 4
_SEPARATORS = ["\n\n", "\n", ". ", "? ", "! ", "; ", ", ", " ", ""]


@dataclass(frozen=True)
class Chunk:
    text: str
    position: int
    page_start: int | None
    page_end: int | None
    # Offsets in `text` where each following page begins (page_start + 1, ...), so a passage can name the
    # page of the words that matched rather than the page it starts on.
    page_breaks: tuple[int, ...] = ()


def embedding_input(title: str, text: str) -> str:
    """What the model reads for a chunk: the initiative title gives every passage its context."""
    return passage_text(title, text)


class Chunker:
    """Splits pages of text into overlapping chunks that fit the embedder together with the title."""

    def __init__(self, embedder: Embedder, chunk_size: int, chunk_overlap: int) -> None:
        self.embedder = embedder
        self.chunk_size = chunk_size
        self.chunk_overlap = chunk_overlap
        self._overhead = embedder.count_tokens("")  # prompt and special tokens

    def count(self, text: str) -> int:
        """Tokens `text` costs inside a passage, without prompt and special tokens."""
        return self.embedder.count_tokens(text) - self._overhead

    def budget(self, title: str) -> int:
        """Tokens left for the chunk text once the title, prompt and special tokens are in."""
        title_cost = self.embedder.count_tokens(embedding_input(title, "")) if title else self._overhead
        return min(self.chunk_size, self.embedder.max_tokens - title_cost - TOKEN_RESERVE)

    def split(self, pages: list[Page], title: str) -> list[Chunk]:
        """Chunks of the pages, in order, each within the model's window together with `title`."""
        budget = self.budget(title)
        if budget < 16:
            raise ValueError(f"the title leaves only {budget} tokens for text: shorten it")
        text, page_starts = _join_pages(pages)
        pieces = self._split_text(text, budget)
        chunks: list[Chunk] = []
        for start, piece in pieces:
            first = _page_at(pages, page_starts, start)
            last = _page_at(pages, page_starts, start + len(piece) - 1)
            breaks = tuple(p - start for p in page_starts if start < p < start + len(piece))
            chunks.append(Chunk(piece, len(chunks), first, last, breaks))
        return chunks

    def _split_text(self, text: str, budget: int) -> list[tuple[int, str]]:
        """(offset, text) pieces; one over the exact limit is split again with a smaller budget, or cut."""
        splitter = RecursiveCharacterTextSplitter(
            chunk_size=budget,
            chunk_overlap=min(self.chunk_overlap, budget // 2),
            length_function=self.count,
            separators=_SEPARATORS,
            keep_separator="end",
            strip_whitespace=True,
        )
        pieces: list[tuple[int, str]] = []
        start = -1
        for piece in splitter.split_text(text):
            # Pieces come in order, each starting after the previous one; langchain's own start index
            # mixes token and character units, so offsets are found here.
            found = text.find(piece, start + 1)
            start = found if found >= 0 else start + 1
            if self.count(piece) <= budget:
                pieces.append((start, piece))
            elif piece != text and budget > 16:
                pieces.extend((start + offset, sub) for offset, sub in self._split_text(piece, budget - 8))
            else:
                # Nothing the splitter can break on (say, thousands of characters without a space, where
                # single characters count as no tokens): cut where the exact count says the budget ends.
                pieces.extend((start + offset, cut) for offset, cut in self._cut_to_fit(piece, budget))
        return pieces

    def _cut_to_fit(self, text: str, budget: int) -> list[tuple[int, str]]:
        """(offset, text) pieces of `text`, each the longest prefix of the rest that fits `budget`."""
        pieces: list[tuple[int, str]] = []
        start = 0
        while start < len(text):
            low, high = start + 1, len(text)
            while low < high:
                middle = (low + high + 1) // 2
                if self.count(text[start:middle]) <= budget:
                    low = middle
                else:
                    high = middle - 1
            pieces.append((start, text[start:low]))
            start = low
        return pieces


def _join_pages(pages: list[Page]) -> tuple[str, list[int]]:
    parts: list[str] = []
    starts: list[int] = []
    offset = 0
    for page in pages:
        starts.append(offset)
        parts.append(page.text)
        offset += len(page.text) + len(PAGE_SEPARATOR)
    return PAGE_SEPARATOR.join(parts), starts


def _page_at(pages: list[Page], page_starts: list[int], offset: int) -> int | None:
    index = max(0, bisect.bisect_right(page_starts, max(offset, 0)) - 1)
    return pages[index].number if pages else None
