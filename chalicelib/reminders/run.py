"""Reminder runs: each zone's steps of one local date, read from the contracts' `due-index`.

For a run date D and a step "H+k" of a kind, the items due are those whose
date (pay-by, or service date) is D - k: one query of one sparse index key
("inst#<D-k>#<zone>") that holds only unpaid installments of active
contracts (or open service dates), so a run reads about as many items as it
reminds. The hourly schedule takes each zone once its local clock passes
08:00 and marks the (date, zone) done, so the later hours read nothing;
a run that failed midway is not done and is taken again the next hour (a
run by hand never marks a day done: what was imported after it is found).
Nothing is sent twice: the message log's key has no channel, and every
message is written conditionally.

A step on a day its window is closed (an overdue step on a Sunday) is
written waiting until the window opens (`not_before`), never dropped and
never early; an overdue installment nobody can be written to becomes a call
on the collection desk's list for the day the window opens.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from chalicelib.contracts.store import due_key
from chalicelib.core.observability import logger
from chalicelib.core.zones import ZONES, tzinfo_for
from chalicelib.greetings.birthdays import catch_up_zones
from chalicelib.greetings.messages import CallTask
from chalicelib.outbound.dispatch import DispatchReport
from chalicelib.outbound.envelope import Envelope
from chalicelib.reminders.ladder import Ladder, LadderStep
from chalicelib.reminders.messages import Due, decide
from chalicelib.reminders.store import ReminderLog, SentStep

SEND_HOUR = 8
PAGE_SIZE = 100
"""Customers are read 100 to a BatchGetItem; envelopes logged 100 to a transaction."""


@dataclass
class RunReport:
    sent: Counter[str] = field(default_factory=Counter)  # by "<step>#<channel>"
    calls: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    already_sent: int = 0
    deferred: int = 0
    items_read: int = 0
    zones_done: list[str] = field(default_factory=list)
    superseded: list[str] = field(default_factory=list)  # steps not taken: their window opens on the next one's day

    def merge(self, other: RunReport) -> None:
        self.sent.update(other.sent)
        self.calls += other.calls
        self.skipped.update(other.skipped)
        self.already_sent += other.already_sent
        self.deferred += other.deferred
        self.items_read += other.items_read
        self.zones_done += other.zones_done
        self.superseded += other.superseded

    @property
    def total_sent(self) -> int:
        return sum(self.sent.values())

    def by_step(self) -> dict[str, dict[str, int]]:
        steps: dict[str, dict[str, int]] = {}
        for name, count in sorted(self.sent.items()):
            step, _, channel = name.rpartition("#")
            steps.setdefault(step, {})[channel] = count
        return steps

    def body(self) -> dict[str, Any]:
        return {
            "sent": self.total_sent,
            "by_step": self.by_step(),
            "calls": self.calls,
            "deferred": self.deferred,
            "already_sent": self.already_sent,
            "skipped": dict(self.skipped),
            "items_read": self.items_read,
            "zones": self.zones_done,
            "superseded": sorted(set(self.superseded)),
        }

    def counters(self) -> dict[str, int]:
        counts: dict[str, int] = {f"sent_{name}": n for name, n in self.sent.items()}
        counts.update({f"skipped_{reason}": n for reason, n in self.skipped.items()})
        counts.update(calls=self.calls, deferred=self.deferred, items_read=self.items_read)
        return counts


Opening = Callable[[str, str, datetime], datetime | None]
"""(purpose, zone, now) -> when the purpose's window next opens in the zone, None while it is open."""


class ReminderRun:
    def __init__(
        self,
        due: Callable[[str], Iterable[Mapping[str, Any]]],
        customers: Callable[[list[str]], Mapping[str, Mapping[str, Any]]],
        ladder: Callable[[], Ladder],
        log: ReminderLog,
        dispatch: Callable[[list[Envelope]], DispatchReport],
        add_call: Callable[[CallTask, datetime], bool],
        opening: Opening,
        clock: Callable[[], datetime],
        observe: Callable[[RunReport], None] = lambda _report: None,
    ) -> None:
        self.due = due  # ContractStore.due: the items of one `due-index` key
        self.customers = customers  # customers by id, one consistent BatchGetItem per 100
        self.ladder = ladder
        self.log = log
        self.dispatch = dispatch
        self.add_call = add_call
        self.opening = opening
        self.clock = clock
        self.observe = observe

    # -- entry points ------------------------------------------------------------------------------------
    def run_hourly(self, now: datetime) -> RunReport:
        """Every zone whose local clock has passed 08:00 today and whose day is not done yet."""
        report = RunReport()
        for due in catch_up_zones(now, SEND_HOUR):
            if not self.log.is_done(due.local_date, due.zone):
                report.merge(self.run_zone(due.local_date, due.zone, done=True))
        return report

    def run_date(self, day: date) -> RunReport:
        """A manual run of one date in every zone, now (what `POST /reminders/runs` asks for).

        It does not mark the day done: a contract imported after it is still found by the schedule's run.
        """
        report = RunReport()
        for zone in ZONES:
            report.merge(self.run_zone(day, zone, done=False))
        return report

    def run_zone(self, day: date, zone: str, done: bool) -> RunReport:
        ladder = self.ladder()
        report = RunReport()
        for step in ladder.steps:
            report.merge(self._step(day, zone, step, ladder))
        report.zones_done.append(zone)
        self.log.record_run(day, zone, report.counters(), self.clock(), done=done)
        self.observe(report)
        logger.info("reminder run", extra={"date": day.isoformat(), "zone": zone, **report.counters()})
        return report

    # -- one step ----------------------------------------------------------------------------------------
    def _step(self, day: date, zone: str, step: LadderStep, ladder: Ladder) -> RunReport:
        report = RunReport()
        opening = self.opening(step.purpose, zone, self.clock())
        if opening is not None and _superseded(step, ladder, day, opening.astimezone(tzinfo_for(zone)).date()):
            # Its window opens on the day of the kind's next step (H-1 on a Sunday before a Monday pay-by date):
            # the customer gets that one, not two messages about one installment on one morning.
            report.superseded.append(step.step)
            return report
        target = day - timedelta(days=step.days)
        key = due_key("inst" if step.kind == "installment" else step.kind, target, zone)
        for page in _pages(self.due(key), PAGE_SIZE):
            report.items_read += len(page)
            self._page(day, zone, step, ladder, page, report, opening)
        return report

    def _page(
        self,
        day: date,
        zone: str,
        step: LadderStep,
        ladder: Ladder,
        items: list[Mapping[str, Any]],
        report: RunReport,
        opening: datetime | None,
    ) -> None:
        """One page of the step's due items; `opening` is the step's window, asked once for the whole step."""
        now = self.clock()
        # A call the window does not allow today goes on the list of the day it opens.
        call_day = opening.astimezone(tzinfo_for(zone)).date() if opening else day
        customers = self.customers(sorted({str(i["customer_id"]) for i in items}))
        envelopes: list[tuple[Envelope, Due]] = []
        for item in items:
            due = Due(item, step)
            # The item carries what the message says of its contract (virtual account, vehicle): no second read.
            decision = decide(customers.get(due.customer_id), due, item, ladder, opening, call_day)
            if isinstance(decision, Envelope):
                envelopes.append((decision, due))
            elif isinstance(decision, CallTask):
                if self.add_call(decision, now):
                    report.calls += 1
                    self._record(day, due, "call")
                else:
                    report.already_sent += 1
            else:
                report.skipped[decision] += 1
        if not envelopes:
            return
        result = self.dispatch([envelope for envelope, _ in envelopes])
        report.deferred += result.deferred
        for envelope, due in envelopes:
            # A retried run finds the step recorded: the message log has it too, and the sender's claim stops
            # a second send of one queued again (`requeued`: logged by a run that may have died before queuing).
            if self._record(day, due, envelope.channel):
                report.sent[f"{step.step}#{envelope.channel}"] += 1
            else:
                report.already_sent += 1

    def _record(self, day: date, due: Due, channel: str) -> bool:
        installment = int(due.item["number"]) if due.step.kind == "installment" else None
        return self.log.add_sent(
            SentStep(day, due.step.key, due.step.step, channel, due.contract_no, due.customer_id, due.ref, installment),
            self.clock(),
        )


def _superseded(step: LadderStep, ladder: Ladder, day: date, opens_on: date) -> bool:
    """True when the step's window opens no earlier than the day the same kind's next step is due."""
    later = [s.days for s in ladder.steps if s.kind == step.kind and s.days > step.days]
    return bool(later) and opens_on >= day + timedelta(days=min(later) - step.days)


def _pages(items: Iterable[Mapping[str, Any]], size: int) -> Iterator[list[Mapping[str, Any]]]:
    page: list[Mapping[str, Any]] = []
    for item in items:
        page.append(item)
        if len(page) == size:
            yield page
            page = []
    if page:
        yield page
