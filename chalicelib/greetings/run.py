"""Greeting runs: who is greeted today, in which zone, on which channel.

Birthdays are read from the birthday index one (month-day, zone) key at a
time, so a run reads about as many items as it greets. Holiday audiences can
be everyone: they are streamed from parallel-scan segments, inline for a
manual run on a small table and through the fan-out queue otherwise.
Sending twice is impossible by construction: every message's log record is
keyed by (customer, occasion, date, channel) and written conditionally.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from chalicelib.core.observability import logger
from chalicelib.core.zones import ZONES
from chalicelib.customers.repository import CustomerRepository
from chalicelib.greetings.birthdays import birthday_keys_for, catch_up_zones
from chalicelib.greetings.holidays_calendar import Holiday, holidays_on
from chalicelib.greetings.messages import CallTask, Occasion, decide
from chalicelib.greetings.store import CallList, HolidayStore, RunStore
from chalicelib.outbound.dispatch import Dispatcher
from chalicelib.outbound.envelope import Envelope
from chalicelib.outbound.message_log import stamp

PAGE_SIZE = 500


@dataclass
class RunReport:
    birthday: int = 0
    holiday: int = 0
    telegreeting: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    already_greeted: int = 0
    holiday_jobs: int = 0
    items_read: int = 0
    holiday_errors: list[str] = field(default_factory=list)  # holidays that could not be greeted, and why

    def merge(self, other: RunReport) -> None:
        self.birthday += other.birthday
        self.holiday += other.holiday
        self.telegreeting += other.telegreeting
        self.skipped.update(other.skipped)
        self.already_greeted += other.already_greeted
        self.holiday_jobs += other.holiday_jobs
        self.items_read += other.items_read
        self.holiday_errors += other.holiday_errors

    def body(self) -> dict[str, Any]:
        return {
            "birthday": self.birthday,
            "holiday": self.holiday,
            "telegreeting": self.telegreeting,
            "skipped": dict(self.skipped),
            "already_greeted": self.already_greeted,
            "holiday_jobs": self.holiday_jobs,
            "holiday_errors": self.holiday_errors,
        }

    def counters(self) -> dict[str, int]:
        counts = {"birthday": self.birthday, "holiday": self.holiday, "telegreeting": self.telegreeting}
        counts.update({f"skipped_{reason}": n for reason, n in self.skipped.items()})
        return counts


def occasion_for(holiday: Holiday) -> Occasion:
    return Occasion(
        kind="holiday",
        day=holiday.date,
        holiday_key=holiday.key,
        holiday_name=holiday.name,
        template=(holiday.template or "").removeprefix("holiday/") or None,
        channels=holiday.channels,
    )


class GreetingService:
    def __init__(
        self,
        customers: CustomerRepository,
        holidays: HolidayStore,
        runs: RunStore,
        calls: CallList,
        dispatcher: Dispatcher,
        clock: Callable[[], datetime],
        unsubscribe_url: Callable[[str], str],
        enqueue_jobs: Callable[[list[dict[str, Any]]], None],
        send_hour: int = 8,
        segments: int = 4,
        audience_matches: Callable[[Mapping[str, Any], Mapping[str, Any], date], bool] | None = None,
        opening: Callable[[Mapping[str, Any], datetime], datetime | None] = lambda _customer, _now: None,
    ) -> None:
        self.customers = customers
        self.holidays = holidays
        self.runs = runs
        self.calls = calls
        self.dispatcher = dispatcher
        self.clock = clock
        self.unsubscribe_url = unsubscribe_url
        self.enqueue_jobs = enqueue_jobs
        self.send_hour = send_hour
        self.segments = segments
        self.audience_matches = audience_matches or (lambda _audience, _customer, _day: True)
        self.opening = opening

    # -- entry points ------------------------------------------------------------
    def run_hourly(self, now: datetime) -> RunReport:
        """Greet every zone whose local clock has passed the send hour today (missed runs heal)."""
        report = RunReport()
        for due in catch_up_zones(now, self.send_hour):
            report.merge(self.greet_birthdays(due.local_date, due.zone))
            for holiday in self.greeted_holidays(due.local_date):
                if self.runs.claim_fanout(due.local_date, holiday.key, due.zone, self.clock()):
                    try:
                        self.enqueue_jobs(self.holiday_jobs(holiday, due.zone))
                    except Exception:
                        self.runs.release_fanout(due.local_date, holiday.key, due.zone)
                        raise
                    report.holiday_jobs += self.segments
        return report

    def run_date(self, day: date, inline_holidays: bool) -> RunReport:
        """A manual or catch-up run of one date, every zone, now."""
        report = RunReport()
        for zone in ZONES:
            report.merge(self.greet_birthdays(day, zone))
        for holiday in self.greeted_holidays(day):
            try:
                if inline_holidays:
                    for segment in range(self.segments):
                        report.merge(self.greet_holiday_segment(holiday, None, segment, self.segments))
                else:
                    for zone in ZONES:
                        if self.runs.claim_fanout(day, holiday.key, zone, self.clock()):
                            self.enqueue_jobs(self.holiday_jobs(holiday, zone))
                            report.holiday_jobs += self.segments
            except ValueError as error:  # e.g. an audience stored before it was validated: skip it, greet the rest
                report.holiday_errors.append(f"{holiday.key}: {error}")
                logger.warning("holiday not greeted", extra={"holiday": holiday.key, "error": str(error)})
        return report

    # -- birthdays ---------------------------------------------------------------------
    def greet_birthdays(self, day: date, zone: str) -> RunReport:
        occasion = Occasion(kind="birthday", day=day)

        def people() -> Iterator[dict[str, Any]]:
            for key in birthday_keys_for(day, zone):
                yield from self.customers.birthdays(key)

        return self._greet(occasion, people())

    # -- holidays ------------------------------------------------------------------------
    def greeted_holidays(self, day: date) -> list[Holiday]:
        """Holidays to greet on this date; a multi-day holiday greets only on its first day."""
        return holidays_on(day, self.holidays.overrides(day.year))

    def holiday_jobs(self, holiday: Holiday, zone: str | None) -> list[dict[str, Any]]:
        return [
            {
                "kind": "holiday",
                "date": holiday.date.isoformat(),
                "holiday": holiday.key,
                "zone": zone,
                "segment": segment,
                "total_segments": self.segments,
            }
            for segment in range(self.segments)
        ]

    def holiday_from_job(self, job: Mapping[str, Any]) -> Holiday | None:
        day = date.fromisoformat(str(job["date"]))
        return next((h for h in self.greeted_holidays(day) if h.key == job["holiday"]), None)

    def greet_holiday_segment(self, holiday: Holiday, zone: str | None, segment: int, total: int) -> RunReport:
        filter_kwargs: dict[str, Any] = {}
        if zone:
            filter_kwargs = {
                "FilterExpression": "#tz = :zone",
                "ExpressionAttributeNames": {"#tz": "timezone"},
                "ExpressionAttributeValues": {":zone": zone},
            }
        audience = holiday.audience

        def people() -> Iterator[dict[str, Any]]:
            for items, _resume in self.customers.segment(
                segment, total, page_size=PAGE_SIZE, filter_kwargs=filter_kwargs
            ):
                for item in items:
                    if audience is None or self.audience_matches(audience, item, holiday.date):
                        yield item

        return self._greet(occasion_for(holiday), people())

    # -- shared --------------------------------------------------------------------------
    def _greet(self, occasion: Occasion, people: Iterable[dict[str, Any]]) -> RunReport:
        report = RunReport()
        envelopes: list[Envelope] = []
        now = self.clock()
        for customer in people:
            report.items_read += 1
            decision = decide(customer, occasion, self.unsubscribe_url)
            if isinstance(decision, Envelope):
                # A catch-up run after the greeting window closed waits for tomorrow's opening.
                opens = self.opening(customer, now)
                envelopes.append(replace(decision, not_before=stamp(opens)) if opens else decision)
            elif isinstance(decision, CallTask):
                if self.calls.add(decision, now):
                    report.telegreeting += 1
                else:
                    report.already_greeted += 1
            else:
                report.skipped[decision] += 1
            if len(envelopes) >= PAGE_SIZE:
                self._dispatch(occasion, envelopes, report)
                envelopes = []
        self._dispatch(occasion, envelopes, report)
        self.runs.add(occasion.day, report.counters(), now)
        return report

    def _dispatch(self, occasion: Occasion, envelopes: list[Envelope], report: RunReport) -> None:
        if not envelopes:
            return
        result = self.dispatcher.dispatch(envelopes)
        if occasion.kind == "birthday":
            report.birthday += result.queued
        else:
            report.holiday += result.queued
        # Requeued: logged by an earlier run but maybe never queued; the sender's claim stops a repeat.
        report.already_greeted += result.duplicates + result.requeued
