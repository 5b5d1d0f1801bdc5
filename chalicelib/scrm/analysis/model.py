"""The shipped model file: linear heads over sparse features, scored in pure Python.

Lambda packages stay small and cold starts fast without numpy: a message has a
few dozen features, so a dict lookup per feature and a handful of additions per
class is all the arithmetic inference needs. The file is gzip'd JSON with
weights stored as integers (thousandths) to keep it well under 2 MB.
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import add
from pathlib import Path
from typing import Any

FORMAT_VERSION = 1
WEIGHT_SCALE = 1000
DEFAULT_PATH = Path(__file__).resolve().parent / "model.json.gz"


class ModelFormatError(ValueError):
    """The model file is not one this code can read."""


@dataclass(frozen=True)
class Head:
    """One linear classifier. Softmax over labels, or independent sigmoids when multi-label.

    With `length_norm` the summed weights are divided by sqrt(#features): right for
    tone, which is spread over the whole message, wrong for topics, where one word
    ("BPKB") settles it however long the message is.
    """

    labels: tuple[str, ...]
    bias: tuple[float, ...]
    weights: Mapping[str, tuple[float, ...]]
    multi_label: bool = False
    length_norm: bool = True

    @property
    def _zeros(self) -> tuple[float, ...]:
        return (0.0,) * len(self.labels)

    def logits(self, feats: Collection[str]) -> list[float]:
        # map(add) keeps the per-feature work in C; this loop is most of inference time.
        sums: Iterable[float] = self._zeros
        get = self.weights.get
        for feat in feats:
            w = get(feat)
            if w is not None:
                sums = list(map(add, sums, w))
        scale = feature_scale(len(feats)) if self.length_norm else 1.0
        return [b + scale * s for b, s in zip(self.bias, sums, strict=True)]

    def probabilities(self, feats: Collection[str]) -> list[float]:
        z = self.logits(feats)
        if self.multi_label:
            return [_sigmoid(v) for v in z]
        return softmax(z)


@dataclass(frozen=True)
class Model:
    heads: Mapping[str, Head]
    meta: Mapping[str, Any]

    def head(self, name: str) -> Head:
        try:
            return self.heads[name]
        except KeyError:
            raise ModelFormatError(f"model has no {name!r} head") from None


def feature_scale(n_features: int) -> float:
    """Divide by sqrt(n) so long rants are not more confident just for being long."""
    return 1.0 / math.sqrt(n_features) if n_features else 1.0


def softmax(z: Sequence[float]) -> list[float]:
    top = max(z)
    exps = [math.exp(v - top) for v in z]
    total = sum(exps)
    return [e / total for e in exps]


def _sigmoid(v: float) -> float:
    if v >= 0:
        return 1.0 / (1.0 + math.exp(-v))
    e = math.exp(v)
    return e / (1.0 + e)


def _head_from_json(raw: Mapping[str, Any]) -> Head:
    scale = float(WEIGHT_SCALE)
    return Head(
        labels=tuple(raw["labels"]),
        bias=tuple(b / scale for b in raw["bias"]),
        weights={feat: tuple(v / scale for v in w) for feat, w in raw["weights"].items()},
        multi_label=bool(raw.get("multi_label", False)),
        length_norm=bool(raw.get("length_norm", True)),
    )


def load(path: str | Path | None = None) -> Model:
    """Read a model file written by `dump`."""
    with gzip.open(Path(path) if path else DEFAULT_PATH, "rt", encoding="utf-8") as fh:
        raw = json.load(fh)
    if raw.get("format") != FORMAT_VERSION:
        raise ModelFormatError(f"unsupported model format {raw.get('format')!r}")
    return Model(heads={name: _head_from_json(h) for name, h in raw["heads"].items()}, meta=raw.get("meta", {}))


def _quantise(values: Iterable[float]) -> list[int]:
    return [round(v * WEIGHT_SCALE) for v in values]


def dump(
    heads: Mapping[str, Head], path: str | Path, meta: Mapping[str, Any] | None = None, min_weight: float = 0.0
) -> int:
    """Write heads as gzip'd JSON, dropping features whose weights all round below `min_weight`.

    Byte-identical output for identical input (sorted keys, zero gzip mtime), so a
    re-run of training does not produce a spurious diff. Returns the file size.
    """
    payload: dict[str, Any] = {"format": FORMAT_VERSION, "meta": dict(meta or {}), "heads": {}}
    threshold = max(min_weight, 0.5 / WEIGHT_SCALE)
    for name, head in heads.items():
        kept = {feat: _quantise(w) for feat, w in sorted(head.weights.items()) if max(abs(v) for v in w) >= threshold}
        payload["heads"][name] = {
            "labels": list(head.labels),
            "multi_label": head.multi_label,
            "length_norm": head.length_norm,
            "bias": _quantise(head.bias),
            "weights": kept,
        }
    data = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with (
        path.open("wb") as raw_fh,
        gzip.GzipFile(filename="", fileobj=raw_fh, mode="wb", compresslevel=9, mtime=0) as fh,
    ):
        fh.write(data)
    return path.stat().st_size
