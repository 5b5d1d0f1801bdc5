"""Build the SCRM context's collaborators."""

from __future__ import annotations

from typing import Any


def social_senders() -> dict[str, Any]:
    """Adapters for replies on Instagram and Facebook (Messenger), keyed by channel."""
    return {}
