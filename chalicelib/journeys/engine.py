"""Journeys at work: events enrol customers, the schedule takes each due step, exits end them.

Nothing reaches a customer twice. An enrolment is written only if absent
(one per journey, customer and occurrence of the trigger); a step's message
has a stable id in the message log (`journey:<journey>:<step>`, the
occurrence, the channel), so a retried step queues nothing new; a call task
is keyed by its due date and occasion; and the step's record, the move to
the next step and the counters are one conditional transaction. A crash
between the send and the record repeats the step, which finds its message
already logged.

A paused journey starts nobody and holds its enrolments where they are: they
stay due and move on once it is resumed.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from chalicelib.campaigns.segments import InvalidSegment
from chalicelib.core.observability import logger
from chalicelib.greetings.messages import CallTask
from chalicelib.journeys.actions import StepActions, Target, view
from chalicelib.journeys.events import EXIT_EVENTS, DateEventSource, JourneyEvent
from chalicelib.journeys.model import Journey, segment_of
from chalicelib.journeys.store import Enrolment, utc_iso
from chalicelib.outbound.envelope import Envelope

RESERVE_SECONDS = 20.0
"""A run stops taking steps this long before its Lambda's deadline; the rest are due still, for the next run."""


class Journeys(Protocol):
    def all(self) -> list[Journey]: ...


class Enrolments(Protocol):
    def start(self, enrolment: Enrolment) -> bool: ...
    def due(self, now: datetime) -> Iterable[Enrolment]: ...
    def active_of_customer(self, customer_id: str) -> list[Enrolment]: ...
    def record_step(
        self,
        enrolment: Enrolment,
        step_id: str,
        outcome: str,
        reason: str | None,
        now: datetime,
        next_due: str | None,
        counters: list[str],
        channel: str | None = None,
    ) -> bool: ...
    def exit(self, enrolment: Enrolment, reason: str, now: datetime) -> bool: ...


@dataclass
class Report:
    started: int = 0
    already_enrolled: int = 0
    sent: int = 0
    called: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    exited: Counter[str] = field(default_factory=Counter)
    held: int = 0
    completed: int = 0
    repeated: int = 0  # a step found already taken (a retry, an overlapping run)
    deferred_to_next_run: bool = False  # the run stopped before its deadline with steps still due

    def body(self) -> dict[str, Any]:
        return {
            "started": self.started,
            "already_enrolled": self.already_enrolled,
            "sent": self.sent,
            "called": self.called,
            "skipped": dict(self.skipped),
            "exited": dict(self.exited),
            "held": self.held,
            "completed": self.completed,
            "repeated": self.repeated,
            "deferred_to_next_run": self.deferred_to_next_run,
        }


class JourneyEngine:
    def __init__(
        self,
        journeys: Journeys,
        enrolments: Enrolments,
        customer: Callable[[str], Mapping[str, Any] | None],
        actions: StepActions,
        dispatch: Callable[[list[Envelope]], Any],
        add_call: Callable[[CallTask, datetime], bool],
        clock: Callable[[], datetime],
        count: Callable[[str, str], None] = lambda _journey, _counter: None,
        extra_fields: tuple[str, ...] = (),
    ) -> None:
        self.journeys = journeys
        self.enrolments = enrolments
        self.customer = customer
        self.actions = actions
        self.dispatch = dispatch
        self.add_call = add_call
        self.clock = clock
        self.count = count  # EMF: (journey id, counter) once per counted fact
        self.extra_fields = extra_fields

    # -- the port the contracts context calls ------------------------------------------------------------------------
    def handle(self, event: JourneyEvent) -> Report:
        """A contract approved or paid off, an anniversary, an attribute date: enrol, exit, take what is due now."""
        report = Report()
        journeys = {j.id: j for j in self.journeys.all()}
        if event.kind in EXIT_EVENTS:
            for enrolment in self.enrolments.active_of_customer(event.customer_id):
                journey = journeys.get(enrolment.journey_id)
                if journey is None or event.kind not in journey.exit.events:
                    continue
                if event.contract_no and enrolment.contract_no and enrolment.contract_no != event.contract_no:
                    continue
                self._exit(enrolment, event.kind, report)
        for journey in journeys.values():
            if not self._triggered(journey, event):
                continue
            enrolment = self._enrolment(journey, event)
            if not self.enrolments.start(enrolment):
                report.already_enrolled += 1
                continue
            report.started += 1
            self.count(journey.id, "started")
            if enrolment.next_due and enrolment.next_due <= utc_iso(self.clock()):
                self._advance(enrolment, journeys, report)
        return report

    def run_daily(self, day: date, sources: Iterable[DateEventSource]) -> Report:
        """The day's date triggers (anniversaries, attribute dates), from each source's index."""
        report = Report()
        wanted = {j.trigger.kind for j in self.journeys.all() if j.active}
        if not wanted & {"contract_anniversary", "attribute_date"}:
            return report
        now = self.clock()
        for source in sources:
            for event in source.events_on(day, now):
                if event.kind in wanted:
                    _merge(report, self.handle(event))
        return report

    # -- the schedule ----------------------------------------------------------------------------------------------
    def advance_due(self, remaining: Callable[[], float] = lambda: math.inf) -> Report:
        """Take every step due by now (each enrolment one step per visit; the next is due later or next run)."""
        return self.advance_enrolments(self.enrolments.due(self.clock()), remaining)

    def advance_enrolments(
        self, enrolments: Iterable[Enrolment], remaining: Callable[[], float] = lambda: math.inf
    ) -> Report:
        """Take the next step of each enrolment as read (a stale read, as an overlapping run has, repeats nothing)."""
        report = Report()
        journeys = {j.id: j for j in self.journeys.all()}
        for enrolment in enrolments:
            if remaining() < RESERVE_SECONDS:
                report.deferred_to_next_run = True
                break
            self._advance(enrolment, journeys, report)
        return report

    # -- one enrolment ---------------------------------------------------------------------------------------------
    def _triggered(self, journey: Journey, event: JourneyEvent) -> bool:
        if not journey.active or journey.trigger.kind != event.kind:
            return False
        return journey.trigger.kind != "attribute_date" or journey.trigger.field == event.facts.get("field")

    def _enrolment(self, journey: Journey, event: JourneyEvent) -> Enrolment:
        first = journey.steps[0]
        return Enrolment(
            journey_id=journey.id,
            customer_id=event.customer_id,
            ref=event.occurrence(),
            contract_no=event.contract_no,
            started_at=event.at.isoformat(),
            status="active",
            next_step=0,
            next_due=utc_iso(event.at + first.delay),
            facts=event.kept_facts(),
        )

    def _advance(self, enrolment: Enrolment, journeys: Mapping[str, Journey], report: Report) -> None:
        now = self.clock()
        journey = journeys.get(enrolment.journey_id)
        if journey is None:
            self._exit(enrolment, "journey_removed", report)
            return
        if not journey.active:
            report.held += 1
            return
        customer = self.customer(enrolment.customer_id)
        if customer is None:
            self._exit(enrolment, "customer_gone", report)
            return
        matching = view(customer, enrolment.facts)
        today = now.date()
        if self._matches(journey.exit.segment, matching, today):
            self._exit(enrolment, "segment", report)
            return
        step = journey.step_at(enrolment.next_step)
        if step is None:  # the journey was edited to fewer steps: nothing is left to take
            self._record(enrolment, journey, "-", "completed", None, None, report, [])
            return
        reached = f"step:{step.id}:reached"
        if step.condition is not None and not self._matches(step.condition, matching, today):
            self._record(enrolment, journey, step.id, "skipped", "condition", None, report, [reached])
            return
        due = datetime.fromisoformat(enrolment.next_due or now.isoformat())
        target = Target(journey, customer, enrolment.ref, enrolment.facts, due)
        decision = self.actions.decide(step, target, now)
        if isinstance(decision, str):
            self._record(enrolment, journey, step.id, "skipped", decision, None, report, [reached])
        elif isinstance(decision, CallTask):
            self.add_call(decision, now)  # keyed by its due date and occasion: a repeat adds nothing
            self._record(enrolment, journey, step.id, "called", None, None, report, [reached], due=due)
        else:
            self.dispatch([decision])  # the message log's id makes a repeat queue nothing
            self._record(enrolment, journey, step.id, "sent", None, decision.channel, report, [reached], due=due)

    def _matches(self, segment: Mapping[str, Any] | None, customer: Mapping[str, Any], today: date) -> bool:
        if segment is None:
            return False
        try:
            parsed = segment_of(segment, self.extra_fields)
        except (InvalidSegment, ValueError):
            logger.warning("journey segment no longer parses")
            return False
        return parsed is not None and parsed.matches(customer, today)

    def _record(
        self,
        enrolment: Enrolment,
        journey: Journey,
        step_id: str,
        outcome: str,
        reason: str | None,
        channel: str | None,
        report: Report,
        counters: list[str],
        due: datetime | None = None,
    ) -> None:
        following = journey.step_at(enrolment.next_step + 1)
        base = due or datetime.fromisoformat(enrolment.next_due or self.clock().isoformat())
        next_due = utc_iso(base + following.delay) if following is not None else None
        if step_id != "-":
            counters = [*counters, f"step:{step_id}:{outcome}" + (f":{reason}" if reason else "")]
        if not self.enrolments.record_step(
            enrolment, step_id, outcome, reason, self.clock(), next_due, counters, channel
        ):
            report.repeated += 1
            return
        for counter in counters:
            self.count(journey.id, counter)
        if outcome == "sent":
            report.sent += 1
        elif outcome == "called":
            report.called += 1
        elif outcome == "skipped":
            report.skipped[str(reason)] += 1
        if next_due is None:
            report.completed += 1
            self.count(journey.id, "completed")

    def _exit(self, enrolment: Enrolment, reason: str, report: Report) -> None:
        if self.enrolments.exit(enrolment, reason, self.clock()):
            report.exited[reason] += 1
            self.count(enrolment.journey_id, f"exited:{reason}")


def _merge(total: Report, other: Report) -> None:
    total.started += other.started
    total.already_enrolled += other.already_enrolled
    total.sent += other.sent
    total.called += other.called
    total.skipped.update(other.skipped)
    total.exited.update(other.exited)
    total.held += other.held
    total.completed += other.completed
    total.repeated += other.repeated
