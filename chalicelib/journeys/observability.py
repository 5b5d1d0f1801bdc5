"""Journey conversion as CloudWatch metrics (EMF): one data point per counted fact, by journey and step.

The counters the API answers are DynamoDB's (`store.EnrolmentStore.counts`);
these are the same facts for dashboards and alarms: `JourneyStarted`,
`JourneyStepReached`, `JourneyStepSent`, `JourneyStepCalled`,
`JourneyStepSkipped` (with its reason), `JourneyExited` (with its reason) and
`JourneyCompleted`, each with the `journey` dimension (and `step`).
"""

from __future__ import annotations

from aws_lambda_powertools.metrics import MetricUnit, single_metric

from chalicelib.core.observability import NAMESPACE

OUTCOME_METRICS = {
    "reached": "JourneyStepReached",
    "sent": "JourneyStepSent",
    "called": "JourneyStepCalled",
    "skipped": "JourneyStepSkipped",
}


def metric_of(counter: str) -> tuple[str, dict[str, str]] | None:
    """The metric name and dimensions of one store counter ("step:<id>:skipped:<reason>", "exited:<reason>", ...)."""
    parts = counter.split(":")
    if parts == ["started"]:
        return "JourneyStarted", {}
    if parts == ["completed"]:
        return "JourneyCompleted", {}
    if parts[0] == "exited" and len(parts) == 2:
        return "JourneyExited", {"reason": parts[1]}
    if parts[0] == "step" and len(parts) >= 3 and parts[2] in OUTCOME_METRICS:
        dimensions = {"step": parts[1]}
        if len(parts) == 4:
            dimensions["reason"] = parts[3]
        return OUTCOME_METRICS[parts[2]], dimensions
    return None


def emit_count(journey_id: str, counter: str) -> None:
    found = metric_of(counter)
    if found is None:
        return
    name, dimensions = found
    with single_metric(name=name, unit=MetricUnit.Count, value=1, namespace=NAMESPACE) as metric:
        metric.add_dimension(name="journey", value=journey_id)
        for key, value in dimensions.items():
            metric.add_dimension(name=key, value=value)
