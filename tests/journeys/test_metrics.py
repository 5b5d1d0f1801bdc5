"""A journey's conversion, from its counters."""

from __future__ import annotations

from chalicelib.journeys.defaults import PAYOFF
from chalicelib.journeys.metrics import conversion
from chalicelib.journeys.model import parse_journey


def test_conversion_per_step_with_skips_by_reason_and_exits() -> None:
    counts = {
        "started": 10,
        "completed": 6,
        "exited:segment": 1,
        "step:congratulations:reached": 10,
        "step:congratulations:sent": 9,
        "step:congratulations:skipped:unreachable": 1,
        "step:repeat_order:reached": 8,
        "step:repeat_order:sent": 5,
        "step:repeat_order:skipped:no_consent": 3,
    }

    result = conversion(parse_journey(PAYOFF), counts)

    assert (result["started"], result["completed"], result["exited"]) == (10, 6, {"segment": 1})
    first, offer = result["steps"]
    assert (first["sent"], first["skipped"], first["reached_rate"]) == (9, {"unreachable": 1}, 1.0)
    assert (offer["reached"], offer["sent"], offer["skipped"], offer["reached_rate"]) == (8, 5, {"no_consent": 3}, 0.8)


def test_a_journey_nobody_started_has_no_rate() -> None:
    result = conversion(parse_journey(PAYOFF), {})

    assert result["started"] == 0
    assert [s["reached_rate"] for s in result["steps"]] == [None, None]
