"""Staff decisions on the holiday calendar and on the call list, one set of rules for the API and the console.

Both the API routes (`PUT/DELETE /holidays/{day}`, `POST /telegreeting/{task_id}`)
and the console's forms call these, so a holiday saved or a call recorded in
either is checked, stored and audited the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from chalicelib.core.errors import Conflict, NotFound, ValidationFailed
from chalicelib.greetings import calls
from chalicelib.greetings.holidays_calendar import (
    Holiday,
    InvalidOverride,
    calendar_for_year,
    cancel_override,
    parse_override,
)
from chalicelib.greetings.store import CallList, HolidayStore, TooManyAttempts

Audit = Callable[..., None]  # AuditLog.record(actor, action, target, now, **details)


class HolidayEditor:
    def __init__(
        self,
        store: HolidayStore,
        audit: Audit,
        clock: Callable[[], datetime],
        check_audience: Callable[[dict[str, Any]], None],
    ) -> None:
        self.store = store
        self.audit = audit
        self.clock = clock
        self.check_audience = check_audience  # raises ValidationFailed naming "audience..." fields

    def calendar(self, year: int) -> list[Holiday]:
        return calendar_for_year(year, self.store.overrides(year))

    def set(self, day: str, body: Any, actor: str) -> list[Holiday]:
        """Add, move or edit the holiday on `day`; the merged entries of that date."""
        try:
            override = parse_override(day, body)
        except InvalidOverride as error:
            raise ValidationFailed(dict(error.fields)) from None
        if override.audience is not None:
            # The same parser the greeting run uses: an audience it could not read never gets stored.
            self.check_audience(dict(override.audience))
        now = self.clock()
        self.store.save(override, actor, now)
        self.audit(actor, "holiday.set", day, now, name=override.name, greet=override.greet)
        return [h for h in self.calendar(override.date.year) if h.date == override.date]

    def cancel(self, day: str, actor: str) -> None:
        try:
            override = cancel_override(day)
        except InvalidOverride as error:
            raise ValidationFailed(dict(error.fields)) from None
        now = self.clock()
        self.store.save(override, actor, now)
        self.audit(actor, "holiday.cancelled", day, now)


class CallDesk:
    def __init__(self, calls_list: CallList, audit: Audit, clock: Callable[[], datetime]) -> None:
        self.calls = calls_list
        self.audit = audit
        self.clock = clock

    def page(
        self, day: date, limit: int, start: dict[str, Any] | None, status: str | None = None, kind: str | None = None
    ) -> tuple[list[dict[str, Any]], Any]:
        if status is not None and status not in calls.STATUSES:
            raise ValidationFailed({"status": f"must be one of {', '.join(calls.STATUSES)}"})
        if kind is not None and kind not in calls.KINDS:
            raise ValidationFailed({"kind": f"must be one of {', '.join(calls.KINDS)}"})
        return self.calls.page(day, limit, start, status=status, kind=kind)

    def record(
        self, task_id: str, outcome: str, notes: str | None, callback_at: datetime | None, by: str
    ) -> dict[str, Any]:
        """One more attempt on the task (the earlier ones stay); the task as it is now."""
        now = self.clock()
        try:
            attempt = calls.attempt(outcome, by, now, notes, callback_at)
        except calls.InvalidAttempt as error:
            raise ValidationFailed(error.fields) from None
        try:
            task = self.calls.record_attempt(task_id, attempt, now)
        except TooManyAttempts:
            raise Conflict(f"This call has {calls.MAX_ATTEMPTS} attempts already; no more can be recorded") from None
        if task is None:
            raise NotFound(f"No call task {task_id}")
        self.audit(by, "call.outcome", task_id, now, outcome=outcome)
        return task
