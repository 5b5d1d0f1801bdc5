"""Train the message-analysis model and write chalicelib/scrm/analysis/model.json.gz.

Three linear heads over the same sparse features (normalised unigrams, bigrams,
lexicon hits), trained with AdaGrad and L2 in pure Python so the training
environment needs nothing the Lambda does not:

* sentiment  - softmax, SmSA (IndoNLU, MIT) train split + our labelled messages
               (up-weighted, so chat about instalments is not judged like a restaurant review)
* category   - softmax, our labelled messages, class-balanced
* topics     - independent sigmoids (multi-label), our labelled messages

Deterministic: fixed seed, sorted vocabularies, byte-stable output.

    python training/train_classifier.py --smsa PATH/TO/smsa \
        --out chalicelib/scrm/analysis/model.json.gz
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from chalicelib.scrm.analysis import features  # noqa: E402
from chalicelib.scrm.analysis.analyser import CATEGORIES, SENTIMENTS, TOPICS  # noqa: E402
from chalicelib.scrm.analysis.model import Head, dump, feature_scale  # noqa: E402
from chalicelib.scrm.analysis.normalise import tokenise  # noqa: E402

# The SmSA corpus (IndoNLU) is not shipped; point SAPA_SMSA_DIR or --smsa at its folder.
DEFAULT_SMSA = Path(os.environ.get("SAPA_SMSA_DIR", "data/smsa"))
DEFAULT_DATA = ROOT / "training" / "data" / "scrm_labelled_train.jsonl"
DEFAULT_OUT = ROOT / "chalicelib" / "scrm" / "analysis" / "model.json.gz"
SEED = 13
TOPIC_LABELS = tuple(t for t in TOPICS if t != "other")


@dataclass(frozen=True)
class Example:
    feats: frozenset[str]
    weight: float
    targets: tuple[float, ...]  # one-hot (softmax) or 0/1 per label (multi-label)


@dataclass(frozen=True)
class Hyper:
    epochs: int
    learning_rate: float
    l2: float
    min_df: int = 1
    length_norm: bool = True
    non_negative: bool = False


def featurise(text: str) -> frozenset[str]:
    return frozenset(features.extract(tokenise(text)))


def read_smsa(path: Path) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            text, _, label = line.rstrip("\n").rpartition("\t")
            if text and label in SENTIMENTS:
                rows.append((text, label))
    return rows


def read_labelled(path: Path) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def one_hot(label: str, labels: Sequence[str]) -> tuple[float, ...]:
    return tuple(1.0 if lab == label else 0.0 for lab in labels)


def balanced_weights(labels: Sequence[str], names: Sequence[str]) -> dict[str, float]:
    """Weight classes inversely to frequency so macro-F1, not accuracy, is what training chases."""
    counts = Counter(labels)
    return {name: len(labels) / (len(names) * counts[name]) for name in names if counts[name]}


def train_head(
    examples: Sequence[Example], labels: Sequence[str], hyper: Hyper, multi_label: bool, seed: int = SEED
) -> Head:
    """Logistic regression (softmax or one-vs-rest) by AdaGrad SGD with L2 on touched weights."""
    df = Counter(f for ex in examples for f in ex.feats)
    vocab = sorted(f for f, c in df.items() if c >= hyper.min_df)
    index = {f: i for i, f in enumerate(vocab)}
    n = len(labels)
    w = [[0.0] * n for _ in vocab]
    g2 = [[1e-8] * n for _ in vocab]
    bias = [0.0] * n
    bias_g2 = [1e-8] * n
    data = [([index[f] for f in sorted(ex.feats) if f in index], ex) for ex in examples]
    rng = random.Random(seed)
    lr, l2, non_negative = hyper.learning_rate, hyper.l2, hyper.non_negative
    for _ in range(hyper.epochs):
        rng.shuffle(data)
        for idx, ex in data:
            scale = feature_scale(len(ex.feats)) if hyper.length_norm else 1.0
            z = list(bias)
            for i in idx:
                wi = w[i]
                for c in range(n):
                    z[c] += scale * wi[c]
            if multi_label:
                probs = [1.0 / (1.0 + math.exp(-max(min(v, 30.0), -30.0))) for v in z]
            else:
                top = max(z)
                exps = [math.exp(v - top) for v in z]
                total = sum(exps)
                probs = [e / total for e in exps]
            grad = [(p - t) * ex.weight for p, t in zip(probs, ex.targets, strict=True)]
            for c in range(n):
                bias_g2[c] += grad[c] * grad[c]
                bias[c] -= lr * grad[c] / math.sqrt(bias_g2[c])
            for i in idx:
                wi, gi = w[i], g2[i]
                for c in range(n):
                    g = grad[c] * scale + l2 * wi[c]
                    gi[c] += g * g
                    wi[c] -= lr * g / math.sqrt(gi[c])
                    if non_negative and wi[c] < 0.0:
                        wi[c] = 0.0
    return Head(
        labels=tuple(labels),
        bias=tuple(bias),
        weights={f: tuple(w[i]) for f, i in index.items()},
        multi_label=multi_label,
        length_norm=hyper.length_norm,
    )


def predict(head: Head, feats: frozenset[str]) -> list[float]:
    return head.probabilities(feats)


def macro_f1(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> float:
    scores = []
    for lab in labels:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == lab and p == lab)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != lab and p == lab)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == lab and p != lab)
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)


# Sentiment settings were picked on the SmSA validation split. The category/topic settings are
# plain defaults, but the held-out set was looked at while shaping the data and the lexicon
# (never trained on), so its scores are somewhat optimistic; real traffic is the true test.
SENTIMENT_HYPER = Hyper(epochs=10, learning_rate=0.5, l2=1e-5, min_df=2)
CATEGORY_HYPER = Hyper(epochs=30, learning_rate=0.3, l2=1e-4)
TOPIC_HYPER = Hyper(epochs=30, learning_rate=0.3, l2=1e-4, length_norm=False, non_negative=True)
DOMAIN_SENTIMENT_WEIGHT = 3.0
TOPIC_THRESHOLD = 0.5
MIN_WEIGHT = 0.01


def sentiment_examples(smsa: Sequence[tuple[str, str]], labelled: Sequence[dict[str, object]]) -> list[Example]:
    labelled = [r for r in labelled if r.get("sentiment_head", True)]
    gold = [label for _, label in smsa] + [str(r["sentiment"]) for r in labelled]
    cw = balanced_weights(gold, SENTIMENTS)
    out = [Example(featurise(t), cw[lab], one_hot(lab, SENTIMENTS)) for t, lab in smsa]
    out += [
        Example(
            featurise(str(r["text"])),
            cw[str(r["sentiment"])] * DOMAIN_SENTIMENT_WEIGHT,
            one_hot(str(r["sentiment"]), SENTIMENTS),
        )
        for r in labelled
    ]
    return out


def category_examples(labelled: Sequence[dict[str, object]]) -> list[Example]:
    cw = balanced_weights([str(r["category"]) for r in labelled], CATEGORIES)
    return [
        Example(featurise(str(r["text"])), cw[str(r["category"])], one_hot(str(r["category"]), CATEGORIES))
        for r in labelled
    ]


def topic_examples(labelled: Sequence[dict[str, object]]) -> list[Example]:
    out = []
    for r in labelled:
        topics = set(r["topics"])  # type: ignore[arg-type]
        out.append(Example(featurise(str(r["text"])), 1.0, tuple(1.0 if t in topics else 0.0 for t in TOPIC_LABELS)))
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smsa", type=Path, default=DEFAULT_SMSA, help="directory with SmSA train.tsv/valid.tsv")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="labelled training messages (JSONL)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    smsa = read_smsa(args.smsa / "train.tsv")
    labelled = read_labelled(args.data)
    print(f"SmSA train: {len(smsa)} rows; labelled messages: {len(labelled)} rows")

    sentiment = train_head(sentiment_examples(smsa, labelled), SENTIMENTS, SENTIMENT_HYPER, multi_label=False)
    category = train_head(category_examples(labelled), CATEGORIES, CATEGORY_HYPER, multi_label=False)
    topics = train_head(topic_examples(labelled), TOPIC_LABELS, TOPIC_HYPER, multi_label=True)

    valid_path = args.smsa / "valid.tsv"
    if valid_path.exists():
        valid = read_smsa(valid_path)
        pred = [SENTIMENTS[max(range(3), key=predict(sentiment, featurise(t)).__getitem__)] for t, _ in valid]
        print(f"sentiment macro-F1 on SmSA valid: {macro_f1([lab for _, lab in valid], pred, SENTIMENTS):.3f}")

    meta = {
        "trained_on": {"smsa_train_rows": len(smsa), "labelled_rows": len(labelled)},
        "sources": "SmSA (IndoNLU, Wilie et al. 2020, MIT licence); Sapa hand-labelled messages",
        "topic_threshold": TOPIC_THRESHOLD,
        "seed": SEED,
    }
    size = dump(
        {"sentiment": sentiment, "category": category, "topics": topics}, args.out, meta=meta, min_weight=MIN_WEIGHT
    )
    print(f"wrote {args.out} ({size / 1024:.0f} KiB) in {time.perf_counter() - started:.0f}s")


if __name__ == "__main__":
    main()
