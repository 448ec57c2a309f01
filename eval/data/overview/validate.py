"""Validate the hand-made overview gold data (themes and overlaps) against the corpus.

Run from the repository root:  python eval/data/overview/validate.py
Prints counts and exits non-zero on the first set of errors found.
"""

import collections
import csv
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
THEME_ID = re.compile(r"^[a-z0-9-]+$")


def read_tsv(name, header):
    with open(HERE / name, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    if rows[0] != header:
        sys.exit(f"{name}: header is {rows[0]!r}, expected {header!r}")
    for n, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            sys.exit(f"{name}:{n}: expected {len(header)} columns, got {len(row)}")
    return rows[1:]


def main():
    errors = []
    corpus_ids = {
        p.name for p in (ROOT / "corpus" / "initiatives").iterdir() if (p / "initiative.yaml").exists()
    }

    labels = read_tsv("theme-labels.tsv", ["theme", "label", "description"])
    label_ids = [r[0] for r in labels]
    for tid, count in collections.Counter(label_ids).items():
        if count > 1:
            errors.append(f"theme-labels.tsv: theme {tid} listed {count} times")
    for tid, label, desc in labels:
        if not THEME_ID.match(tid):
            errors.append(f"theme-labels.tsv: bad theme id {tid!r}")
        if not label.strip() or not desc.strip():
            errors.append(f"theme-labels.tsv: {tid} lacks label or description")

    themes = read_tsv("themes.tsv", ["initiative-id", "theme", "secondary"])
    seen = collections.Counter(r[0] for r in themes)
    for iid, count in seen.items():
        if count > 1:
            errors.append(f"themes.tsv: {iid} appears {count} times")
        if iid not in corpus_ids:
            errors.append(f"themes.tsv: {iid} is not an initiative in corpus/initiatives/")
    for iid in sorted(corpus_ids - set(seen)):
        errors.append(f"themes.tsv: initiative {iid} is missing")
    primary = collections.Counter()
    for iid, theme, secondary in themes:
        primary[theme] += 1
        sec = [s for s in secondary.split(",") if s] if secondary else []
        if len(sec) > 2:
            errors.append(f"themes.tsv: {iid} has more than two secondary themes")
        if theme in sec or len(set(sec)) != len(sec):
            errors.append(f"themes.tsv: {iid} repeats a theme in secondary")
        for t in [theme, *sec]:
            if not THEME_ID.match(t):
                errors.append(f"themes.tsv: {iid}: bad theme id {t!r}")
            if t not in label_ids:
                errors.append(f"themes.tsv: {iid}: theme {t} not in theme-labels.tsv")
    for tid in label_ids:
        if primary[tid] < 3:
            errors.append(f"theme {tid} has {primary[tid]} initiatives as primary theme (< 3)")

    overlaps = read_tsv("overlaps.tsv", ["initiative-a", "initiative-b", "grade", "reason"])
    pairs = collections.Counter()
    grades = collections.Counter()
    for a, b, grade, reason in overlaps:
        for iid in (a, b):
            if iid not in corpus_ids:
                errors.append(f"overlaps.tsv: unknown initiative {iid}")
        if not a < b:
            errors.append(f"overlaps.tsv: pair not in alphabetical order (a < b): {a} / {b}")
        if grade not in ("1", "2"):
            errors.append(f"overlaps.tsv: {a} / {b}: grade must be 1 or 2, got {grade!r}")
        if not reason.strip():
            errors.append(f"overlaps.tsv: {a} / {b}: empty reason")
        pairs[tuple(sorted((a, b)))] += 1
        grades[grade] += 1
    for pair, count in pairs.items():
        if count > 1:
            errors.append(f"overlaps.tsv: pair {pair} listed {count} times")

    if errors:
        print("\n".join(errors))
        sys.exit(1)
    print(f"themes.tsv: {len(themes)} initiatives, {len(label_ids)} themes")
    for tid in label_ids:
        print(f"  {tid}: {primary[tid]}")
    print(f"overlaps.tsv: {len(overlaps)} pairs (grade 2: {grades['2']}, grade 1: {grades['1']})")
    print("OK")


if __name__ == "__main__":
    main()
