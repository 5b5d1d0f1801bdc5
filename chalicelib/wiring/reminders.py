"""The reminders context's collaborators: the run on the contracts' due index, the ladder, the metrics."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from chalicelib.reminders.store import LadderStore, ReminderLog

if TYPE_CHECKING:  # pragma: no cover - typing only
    from chalicelib.reminders.run import ReminderRun
    from chalicelib.wiring.container import Container


class RemindersWiring:
    def __init__(self, root: Container) -> None:
        self.root = root

    def ladder_store(self) -> LadderStore:
        return LadderStore(self.root.table("settings"))

    def log(self) -> ReminderLog:
        return ReminderLog(self.root.table("reminders"))

    def run(self) -> ReminderRun:
        from chalicelib.outbound.contact_policy import zone_of
        from chalicelib.reminders.observability import emit_run
        from chalicelib.reminders.run import ReminderRun

        contracts = self.root.contracts.store()
        hours = self.root.outbound.contact_hours()
        customers = self.root.customers.repository()

        def opening(purpose: str, zone: str, now: datetime) -> datetime | None:
            return hours.opening(purpose, zone_of(zone), now)

        return ReminderRun(
            due=contracts.due,
            customers=customers.get_many,
            ladder=lambda: self.ladder_store().read().ladder,
            log=self.log(),
            dispatch=self.root.outbound.dispatcher().dispatch,
            add_call=self.root.greetings.call_list().add,
            opening=opening,
            clock=self.root.now,
            observe=emit_run,
        )

    def metrics(self, first: date, last: date) -> dict[str, Any]:
        """The reminders' metrics, and beside them each journey's conversion per step (the journeys' own)."""
        from chalicelib.core.zones import DEFAULT_ZONE, local_time
        from chalicelib.journeys.metrics import conversion
        from chalicelib.reminders.metrics import reminder_metrics, utc_day

        contracts = self.root.contracts.store()
        today = local_time(self.root.now(), DEFAULT_ZONE).date()
        journeys = self.root.journeys
        body = reminder_metrics(
            first,
            last,
            today,
            self.log(),
            contracts.installments,
            contracts.month,
            lambda moment: utc_day(moment, lambda at: local_time(at, DEFAULT_ZONE).date()),
        )
        body["journeys"] = [
            {"name": journey.name, **conversion(journey, journeys.enrolments().counts(journey.id))}
            for journey in journeys.store().all()
        ]
        return body
