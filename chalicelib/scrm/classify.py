"""The one analysis both the inbound worker and `sapa analyse` run on a message text."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from chalicelib.scrm import keywords
from chalicelib.scrm.analysis import Analyser, Analysis

CLI_FIELDS = ("category", "sentiment", "sentiment_score", "topics", "language")


def classify(text: str | None, analyser: Analyser | None = None) -> Analysis:
    """The analyser's verdict, plus the "office_hours" topic the chatbot answers but the model does not know."""
    analysis = (analyser or Analyser.load()).analyse(text or "")
    if keywords.asks_office_hours(text):
        topics = (*(t for t in analysis.topics if t != "other"), "office_hours")
        analysis = replace(analysis, topics=topics)
    return analysis


def summary(analysis: Analysis) -> dict[str, Any]:
    """The fields `sapa analyse` prints for each message."""
    data = analysis.to_dict()
    return {name: data[name] for name in CLI_FIELDS}
