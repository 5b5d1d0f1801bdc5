"""A real dispatcher a test can step into: every call goes through; subclasses add what a scenario needs."""

from __future__ import annotations

from typing import Any

from tests.wiring import outbound as deps


class PassThroughDispatcher:
    """Sapa's dispatcher, with each step (`prepare`, `enqueue`, `requeue`) open to overriding."""

    def __init__(self) -> None:
        self.inner = deps.dispatcher()

    def dispatch(self, envelopes: Any, delay_seconds: int = 0) -> Any:
        report = self.prepare(envelopes)
        self.enqueue(report, delay_seconds)
        return report

    def prepare(self, envelopes: Any) -> Any:
        return self.inner.prepare(envelopes)

    def enqueue(self, report: Any, delay_seconds: int = 0) -> None:
        self.inner.enqueue(report, delay_seconds)

    def requeue(self, message_ids: list[str]) -> int:
        return int(self.inner.requeue(message_ids))
