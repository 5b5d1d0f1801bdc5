"""Journey counters as EMF metrics, by journey and step."""

from __future__ import annotations

import json

from chalicelib.journeys.observability import emit_count, metric_of


def test_each_counter_has_its_metric_and_dimensions() -> None:
    assert metric_of("started") == ("JourneyStarted", {})
    assert metric_of("exited:paid_off") == ("JourneyExited", {"reason": "paid_off"})
    assert metric_of("step:welcome:sent") == ("JourneyStepSent", {"step": "welcome"})
    assert metric_of("step:offer:skipped:no_consent") == (
        "JourneyStepSkipped",
        {"step": "offer", "reason": "no_consent"},
    )
    assert metric_of("nonsense") is None


def test_a_count_is_printed_as_one_emf_blob(capsys) -> None:
    emit_count("payoff", "step:repeat_order:skipped:no_consent")

    [line] = [line for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    blob = json.loads(line)
    assert blob["JourneyStepSkipped"] == [1.0]
    assert (blob["journey"], blob["step"], blob["reason"]) == ("payoff", "repeat_order", "no_consent")
