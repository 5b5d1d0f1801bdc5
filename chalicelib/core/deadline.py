"""How long a Lambda invocation has left: long jobs checkpoint and hand over before the deadline."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any


def remaining_seconds(context: Any) -> Callable[[], float]:
    """Seconds left before Lambda's deadline (infinite outside Lambda)."""
    getter = getattr(context, "get_remaining_time_in_millis", None)
    if getter is None:
        return lambda: math.inf
    return lambda: getter() / 1000.0
