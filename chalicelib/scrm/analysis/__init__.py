"""Inbound-message analysis: category, sentiment, topics, language and routing priority.

Pure-Python inference over one small trained model file (model.json.gz), so it
runs inside the webhook Lambda with no extra dependency. Train with
`python training/train_classifier.py`; evaluate with `python bench/analysis.py`.
"""

from __future__ import annotations

from chalicelib.scrm.analysis.analyser import (
    CATEGORIES,
    SENTIMENTS,
    TOPICS,
    Analyser,
    Analysis,
    analyse,
    priority_for,
)

__all__ = ["CATEGORIES", "SENTIMENTS", "TOPICS", "Analyser", "Analysis", "analyse", "priority_for"]
