"""The journeys context's collaborators: the stores, the engine and its date sources."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from chalicelib.journeys.store import EnrolmentStore, JourneyStore

if TYPE_CHECKING:  # pragma: no cover - typing only
    from chalicelib.contracts.events import ContractEvent
    from chalicelib.journeys.editing import JourneyEditor
    from chalicelib.journeys.engine import JourneyEngine
    from chalicelib.journeys.events import DateEventSource, JourneyEvent
    from chalicelib.wiring.container import Container


class JourneysWiring:
    def __init__(self, root: Container) -> None:
        self.root = root
        self.date_sources: list[DateEventSource] = []
        """Sources besides the contracts' anniversaries and the customers' attribute dates, added at wiring."""

    def now(self) -> datetime:
        return self.root.now()

    def store(self) -> JourneyStore:
        return JourneyStore(self.root.table("journeys"))

    def enrolments(self) -> EnrolmentStore:
        return EnrolmentStore(self.root.table("journeys"))

    def extra_fields(self) -> tuple[str, ...]:
        """The segment attribute names conditions may use besides the built-in ones: the campaigns'."""
        return self.root.campaigns.extra_fields()

    def editor(self) -> JourneyEditor:
        from chalicelib.journeys.editing import JourneyEditor

        return JourneyEditor(self.store(), self.root.customers.audit().record, self.root.now, self.extra_fields())

    def _unsubscribe(self, customer_id: str, purpose: str) -> str:
        from chalicelib.customers.unsubscribe import UnsubscribeGrant, unsubscribe_url

        config = self.root.settings
        return unsubscribe_url(
            config.public_url, config.secret("SAPA_SIGNING_SECRET"), UnsubscribeGrant(customer_id, "email", purpose)
        )

    def engine(self) -> JourneyEngine:
        from chalicelib.journeys.actions import StepActions
        from chalicelib.journeys.engine import JourneyEngine
        from chalicelib.journeys.observability import emit_count
        from chalicelib.outbound.contact_policy import zone_of

        hours = self.root.outbound.contact_hours()
        dispatcher = self.root.outbound.dispatcher()
        customers = self.root.customers.repository()

        def opening(customer: Mapping[str, Any], purpose: str, now: datetime) -> datetime | None:
            return hours.opening(purpose, zone_of(customer.get("timezone")), now)

        def local_day(customer: Mapping[str, Any], moment: datetime) -> date:
            return moment.astimezone(zone_of(customer.get("timezone"))).date()

        return JourneyEngine(
            journeys=self.store(),
            enrolments=self.enrolments(),
            customer=customers.get,
            actions=StepActions(self._unsubscribe, opening, local_day),
            dispatch=dispatcher.dispatch,
            add_call=self.root.greetings.call_list().add,
            clock=self.root.now,
            count=emit_count,
            extra_fields=self.extra_fields(),
        )

    def handle(self, event: JourneyEvent) -> dict[str, Any]:
        """The entry point the contracts context calls when a contract is approved, paid off or terminated."""
        return self.engine().handle(event).body()

    def tell_contract_event(self, event: ContractEvent) -> None:
        """The contracts' observer: the event onto the fan-out queue (`journey_event`), never the engine inline."""
        from chalicelib.journeys.contract_events import journey_event, to_job

        self.root.enqueue_fanout([to_job(journey_event(event))])

    def run_event_job(self, job: Mapping[str, Any]) -> dict[str, Any]:
        """One `journey_event` job of the fan-out queue: the engine takes the event (once per enrolment)."""
        from chalicelib.journeys.contract_events import from_job

        return self.handle(from_job(job))

    def sources(self) -> list[DateEventSource]:
        from chalicelib.journeys.sources import AttributeDates, ContractAnniversaries

        fields = sorted(
            {j.trigger.field for j in self.store().all() if j.trigger.kind == "attribute_date" and j.trigger.field}
        )
        found: list[DateEventSource] = [ContractAnniversaries(self.root.contracts.store().anniversaries)]
        found.extend(self.date_sources)
        if fields:
            found.append(AttributeDates(self.root.customers.repository().birthdays, fields))
        return found
