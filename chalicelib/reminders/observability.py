"""Reminder runs and their effect as CloudWatch metrics (EMF), the same facts `GET /reminders/metrics` answers.

`ReminderSent` (step, channel), `ReminderCallTask` (step), `ReminderSkipped`
(reason) per zone run; `InstallmentsOverdue` is the number of unpaid
installments the run's first overdue step found (the alarm a collection
desk wants: it rising means customers stopped paying).
"""

from __future__ import annotations

from aws_lambda_powertools.metrics import MetricUnit, single_metric

from chalicelib.core.observability import NAMESPACE
from chalicelib.reminders.run import RunReport


def _count(name: str, value: int, **dimensions: str) -> None:
    if value <= 0:
        return
    with single_metric(name=name, unit=MetricUnit.Count, value=value, namespace=NAMESPACE) as metric:
        for key, dimension in dimensions.items():
            metric.add_dimension(name=key, value=dimension)


def emit_run(report: RunReport) -> None:
    for step, channels in report.by_step().items():
        for channel, count in channels.items():
            _count("ReminderSent", count, step=step, channel=channel)
    _count("ReminderCallTask", report.calls)
    for reason, count in report.skipped.items():
        _count("ReminderSkipped", count, reason=reason)
    _count("ReminderDeferred", report.deferred)
