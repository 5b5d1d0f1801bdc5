"""A run's counts reach CloudWatch as EMF: the same facts the run report and the metrics API give."""

from __future__ import annotations

import json
from collections import Counter

from chalicelib.reminders.observability import emit_run
from chalicelib.reminders.run import RunReport


def _metrics(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith('{"_aws"')]


def test_each_step_and_channel_sent_is_one_data_point_and_nothing_is_emitted_for_zero(capsys) -> None:
    report = RunReport(sent=Counter({"H-3#whatsapp": 4, "H+1#email": 1}), calls=2, skipped=Counter(unreachable=1))

    emit_run(report)

    points = _metrics(capsys.readouterr().out)
    sent = {(p["step"], p["channel"]): p["ReminderSent"] for p in points if "ReminderSent" in p}
    assert sent == {("H-3", "whatsapp"): [4.0], ("H+1", "email"): [1.0]}
    assert [p["ReminderCallTask"] for p in points if "ReminderCallTask" in p] == [[2.0]]
    assert [(p["reason"], p["ReminderSkipped"]) for p in points if "ReminderSkipped" in p] == [("unreachable", [1.0])]
    assert not [p for p in points if "ReminderDeferred" in p]
