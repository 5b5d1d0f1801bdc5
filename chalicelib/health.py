"""Is Sapa able to work? Every table and queue it needs must answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalicelib.core import resources
from chalicelib.core.aws import AwsClients
from chalicelib.core.settings import VERSION, Settings


@dataclass(frozen=True)
class HealthReport:
    stage: str
    failing: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.failing

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"status": "ok" if self.ok else "unavailable", "stage": self.stage, "version": VERSION}
        if self.failing:
            body["failing"] = list(self.failing)
        return body


def check(settings: Settings, aws: AwsClients) -> HealthReport:
    """Describe each dependency; a dependency that does not answer is named."""
    probes: list[tuple[str, Callable[[], Any]]] = []
    for table in resources.TABLES:
        name = settings.table_name(table.logical)
        probes.append((f"table:{table.logical}", lambda name=name: aws.dynamodb.describe_table(TableName=name)))
    for queue in resources.QUEUES:
        name = settings.queue_name(queue.logical)
        probes.append((f"queue:{queue.logical}", lambda name=name: aws.sqs.get_queue_url(QueueName=name)))
    failing = []
    for label, probe in probes:
        try:
            probe()
        except Exception:  # noqa: BLE001 - any failure means "not reachable"
            failing.append(label)
    return HealthReport(stage=settings.stage, failing=tuple(failing))
