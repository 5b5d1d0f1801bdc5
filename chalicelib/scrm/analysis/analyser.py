"""From one inbound message to a routing decision: what it is, how the customer feels, what it is about.

Everything runs in-process from one small model file so the webhook Lambda can
analyse a message in well under a millisecond, with no network call and no
native dependency.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, ClassVar

from chalicelib.scrm.analysis import features, language, lexicon
from chalicelib.scrm.analysis.model import DEFAULT_PATH, Model, load
from chalicelib.scrm.analysis.normalise import NUMBER_TOKEN, normalise_tokens, split

CATEGORIES = ("complaint", "question", "lead", "praise", "other")
SENTIMENTS = ("negative", "neutral", "positive")
TOPICS = ("installment", "due_date", "bpkb", "stnk_tax", "insurance", "early_payoff", "promo", "app", "other")

# Below this category confidence an agent should read the message before any automation acts on it.
REVIEW_BELOW = 0.5
DEFAULT_TOPIC_THRESHOLD = 0.5


@dataclass(frozen=True)
class Analysis:
    """What the CRM needs to route and report on one message."""

    category: str
    sentiment: str
    sentiment_score: float
    topics: tuple[str, ...]
    language: str
    priority: int
    confidence: float
    sentiment_confidence: float = 1.0

    @property
    def needs_review(self) -> bool:
        return self.confidence < REVIEW_BELOW

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["topics"] = list(self.topics)
        data["needs_review"] = self.needs_review
        return data


def priority_for(category: str, sentiment: str) -> int:
    """1 = angry complaint, 2 = other complaint or any unhappy customer, 3 = question/lead, 4 = the rest."""
    if category == "complaint":
        return 1 if sentiment == "negative" else 2
    if sentiment == "negative":
        return 2
    if category in ("question", "lead"):
        return 3
    return 4


# Nothing to read (stickers, images, whitespace, a bare number): safe to file away without a person.
EMPTY = Analysis(
    category="other",
    sentiment="neutral",
    sentiment_score=0.0,
    topics=("other",),
    language="id",
    priority=4,
    confidence=1.0,
)


class Analyser:
    """Scores messages with a loaded model; one instance is safe to share across threads."""

    _cache: ClassVar[dict[Path, Analyser]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, model: Model) -> None:
        self._model = model
        self._sentiment = model.head("sentiment")
        self._category = model.head("category")
        self._topics = model.head("topics")
        self._topic_threshold = float(model.meta.get("topic_threshold", DEFAULT_TOPIC_THRESHOLD))

    @classmethod
    def load(cls, path: str | Path | None = None) -> Analyser:
        """The analyser for a model file, read once per process (Lambda containers reuse it)."""
        key = Path(path).resolve() if path else DEFAULT_PATH
        cached = cls._cache.get(key)
        if cached is not None:
            return cached
        with cls._lock:
            if key not in cls._cache:
                cls._cache[key] = cls(load(key))
            return cls._cache[key]

    def _topic_set(self, feats: set[str], hits: list[str]) -> tuple[str, ...]:
        """Lexicon hits OR learned topic heads: the lexicon is precise on known words, the heads catch paraphrases."""
        probs = self._topics.probabilities(feats)
        chosen = {t for t, p in zip(self._topics.labels, probs, strict=True) if p >= self._topic_threshold}
        chosen.update(hits)
        return tuple(t for t in TOPICS if t in chosen)

    @property
    def model(self) -> Model:
        return self._model

    def analyse(self, text: str) -> Analysis:
        raw = split(text or "")
        tokens = normalise_tokens(raw, text or "")
        if all(t == NUMBER_TOKEN for t in tokens):  # nothing, or a bare contract/phone number
            return EMPTY
        hits = lexicon.hits(" ".join(tokens))
        feats = features.extract(tokens, hits)

        sent = dict(zip(self._sentiment.labels, self._sentiment.probabilities(feats), strict=True))
        sentiment = max(sent, key=sent.__getitem__)
        cat = dict(zip(self._category.labels, self._category.probabilities(feats), strict=True))
        category = max(cat, key=cat.__getitem__)
        topics = self._topic_set(feats, hits)

        return Analysis(
            category=category,
            sentiment=sentiment,
            sentiment_score=round(sent.get("positive", 0.0) - sent.get("negative", 0.0), 4),
            topics=topics or ("other",),
            language=language.detect(raw),
            priority=priority_for(category, sentiment),
            confidence=round(cat[category], 4),
            sentiment_confidence=round(sent[sentiment], 4),
        )


def analyse(text: str) -> Analysis:
    """Analyse with the shipped model, loaded on first use."""
    return Analyser.load().analyse(text)
