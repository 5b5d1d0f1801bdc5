"""Quality and speed of the inbound-message analyser, with a table for the README.

    python bench/analysis.py [--smsa PATH/TO/smsa] [--labelled tests/scrm/data/labelled.jsonl]
                             [--model PATH] [--n 20000] [--errors]

Quality: macro-F1 per head on the hand-written held-out set (and sentiment on the
SmSA validation split when it is available); topics as micro/macro F1 over labels.
Speed: single-threaded analyses per second over at least 20k messages.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from chalicelib.scrm.analysis import CATEGORIES, SENTIMENTS, TOPICS, Analyser, Analysis  # noqa: E402
from chalicelib.scrm.analysis.model import DEFAULT_PATH  # noqa: E402

# The SmSA corpus (IndoNLU) is not shipped; point SAPA_SMSA_DIR or --smsa at its folder.
DEFAULT_SMSA = Path(os.environ.get("SAPA_SMSA_DIR", "data/smsa"))
DEFAULT_LABELLED = ROOT / "tests" / "scrm" / "data" / "labelled.jsonl"
LANGUAGES = ("id", "en")


def f1_counts(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def per_label_f1(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> dict[str, float]:
    out = {}
    for lab in labels:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == lab and p == lab)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != lab and p == lab)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == lab and p != lab)
        out[lab] = f1_counts(tp, fp, fn)
    return out


def macro_f1(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> float:
    present = [lab for lab in labels if lab in gold or lab in pred]
    scores = per_label_f1(gold, pred, present)
    return sum(scores.values()) / len(scores) if scores else 0.0


def multilabel_f1(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]], labels: Sequence[str]) -> dict:
    """Micro F1 pools every (message, label) decision; macro F1 averages labels equally."""
    per: dict[str, float] = {}
    tp_all = fp_all = fn_all = 0
    for lab in labels:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if lab in g and lab in p)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if lab not in g and lab in p)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if lab in g and lab not in p)
        tp_all, fp_all, fn_all = tp_all + tp, fp_all + fp, fn_all + fn
        if tp + fp + fn:
            per[lab] = f1_counts(tp, fp, fn)
    return {
        "micro": f1_counts(tp_all, fp_all, fn_all),
        "macro": sum(per.values()) / len(per) if per else 0.0,
        "per_label": per,
    }


def read_labelled(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def read_smsa(path: Path) -> list[tuple[str, str]]:
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            text, _, label = line.rstrip("\n").rpartition("\t")
            if text:
                rows.append((text, label))
    return rows


def throughput(analyser: Analyser, texts: Sequence[str], n: int) -> float:
    """Messages per second, one thread, best of three runs of n analyses."""
    best = 0.0
    for _ in range(3):
        batch = list(itertools.islice(itertools.cycle(texts), n))
        start = time.perf_counter()
        for text in batch:
            analyser.analyse(text)
        best = max(best, n / (time.perf_counter() - start))
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smsa", type=Path, default=DEFAULT_SMSA)
    parser.add_argument("--labelled", type=Path, default=DEFAULT_LABELLED)
    parser.add_argument("--model", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--n", type=int, default=20_000, help="analyses for the throughput run (min 20k)")
    parser.add_argument("--errors", action="store_true", help="list misclassified held-out messages")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    analyser = Analyser.load(args.model)
    load_ms = (time.perf_counter() - start) * 1000
    size_kib = args.model.stat().st_size / 1024

    rows = read_labelled(args.labelled)
    results: list[Analysis] = [analyser.analyse(r["text"]) for r in rows]
    cat = macro_f1([r["category"] for r in rows], [a.category for a in results], CATEGORIES)
    sent = macro_f1([r["sentiment"] for r in rows], [a.sentiment for a in results], SENTIMENTS)
    lang = macro_f1([r["language"] for r in rows], [a.language for a in results], LANGUAGES)
    top = multilabel_f1([r["topics"] for r in rows], [a.topics for a in results], TOPICS)
    cat_acc = sum(r["category"] == a.category for r, a in zip(rows, results, strict=True)) / len(rows)
    review = sum(a.needs_review for a in results) / len(rows)
    print(f"held-out set: {args.labelled} ({len(rows)} messages)")
    print(f"  category  macro-F1 {cat:.3f}  (accuracy {cat_acc:.3f}; {review:.0%} flagged for review)")
    per_cat = per_label_f1([r["category"] for r in rows], [a.category for a in results], CATEGORIES)
    print("            per class: " + ", ".join(f"{k} {v:.2f}" for k, v in per_cat.items()))
    print(f"  sentiment macro-F1 {sent:.3f}")
    print(f"  topics    micro-F1 {top['micro']:.3f}  macro-F1 {top['macro']:.3f}")
    print("            per label: " + ", ".join(f"{k} {v:.2f}" for k, v in top["per_label"].items()))
    print(f"  language  macro-F1 {lang:.3f}")

    smsa_f1: float | None = None
    valid_path = args.smsa / "valid.tsv"
    speed_texts = [r["text"] for r in rows]
    if valid_path.exists():
        valid = read_smsa(valid_path)
        pred = [analyser.analyse(t).sentiment for t, _ in valid]
        smsa_f1 = macro_f1([lab for _, lab in valid], pred, SENTIMENTS)
        print(f"SmSA valid ({len(valid)} rows): sentiment macro-F1 {smsa_f1:.3f}")
    else:
        print(f"SmSA valid not found at {valid_path}; skipping the SmSA sentiment score")

    n = max(args.n, 20_000)
    speed = throughput(analyser, speed_texts, n)
    print(f"throughput: {speed:,.0f} messages/s on one core ({n:,} analyses of held-out messages)")
    print(f"model: {size_kib:.0f} KiB gzip'd, loaded in {load_ms:.0f} ms")

    if args.errors:
        print("\nmisclassified (gold -> predicted):")
        for r, a in zip(rows, results, strict=True):
            marks = []
            if r["category"] != a.category:
                marks.append(f"cat {r['category']}->{a.category} ({a.confidence:.2f})")
            if r["sentiment"] != a.sentiment:
                marks.append(f"sent {r['sentiment']}->{a.sentiment}")
            if set(r["topics"]) != set(a.topics):
                marks.append(f"topics {sorted(r['topics'])}->{sorted(a.topics)}")
            if r["language"] != a.language:
                marks.append(f"lang {r['language']}->{a.language}")
            if marks:
                print(f"  {r['text'][:70]!r}: " + "; ".join(marks))
        print(
            "confusions:",
            Counter(
                (r["category"], a.category) for r, a in zip(rows, results, strict=True) if r["category"] != a.category
            ).most_common(8),
        )

    smsa_cell = f"{smsa_f1:.3f}" if smsa_f1 is not None else "n/a"
    print("\n| Head | Metric | Data | Score |")
    print("|---|---|---|---|")
    print(f"| Category | macro-F1 | held-out labelled ({len(rows)}) | {cat:.3f} |")
    print(f"| Sentiment | macro-F1 | SmSA valid (1,260) | {smsa_cell} |")
    print(f"| Sentiment | macro-F1 | held-out labelled ({len(rows)}) | {sent:.3f} |")
    topic_cell = f"{top['micro']:.3f} / {top['macro']:.3f}"
    print(f"| Topics | micro-F1 / macro-F1 | held-out labelled ({len(rows)}) | {topic_cell} |")
    print(f"| Language | macro-F1 | held-out labelled ({len(rows)}) | {lang:.3f} |")
    print(f"| Throughput | messages/s, one core | {n:,} analyses | {speed:,.0f} |")
    print(f"| Model size | gzip'd JSON | model.json.gz | {size_kib:.0f} KiB |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
