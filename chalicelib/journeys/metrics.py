"""A journey's conversion from its counters: starts, each step reached, sent, called or skipped by reason, exits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.journeys.model import Journey


def conversion(journey: Journey, counts: Mapping[str, int]) -> dict[str, Any]:
    started = int(counts.get("started", 0))
    steps = []
    for step in journey.steps:
        prefix = f"step:{step.id}:"
        reached = int(counts.get(prefix + "reached", 0))
        steps.append(
            {
                "id": step.id,
                "reached": reached,
                "sent": int(counts.get(prefix + "sent", 0)),
                "called": int(counts.get(prefix + "called", 0)),
                "skipped": {
                    k.removeprefix(prefix + "skipped:"): int(v)
                    for k, v in sorted(counts.items())
                    if k.startswith(prefix + "skipped:")
                },
                "reached_rate": round(reached / started, 4) if started else None,
            }
        )
    return {
        "journey_id": journey.id,
        "started": started,
        "completed": int(counts.get("completed", 0)),
        "exited": {k.removeprefix("exited:"): int(v) for k, v in sorted(counts.items()) if k.startswith("exited:")},
        "steps": steps,
    }
