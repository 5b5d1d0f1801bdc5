"""The reminders API's request and response models (validation and the OpenAPI document)."""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.core.errors import ValidationFailed
from chalicelib.greetings.schemas import Day, RunDay
from chalicelib.reminders.ladder import Ladder
from chalicelib.reminders.metrics import MAX_DAYS

DEFAULT_DAYS = 30


class ReminderRunRequest(BaseModel):
    """Run every zone's reminder steps of one date now (what the hourly schedule does at 08:00 local)."""

    model_config = ConfigDict(extra="forbid")

    date: Day


class ReminderRunReport(BaseModel):
    model_config = ConfigDict(extra="allow")

    date: str
    sent: int = Field(description="steps queued (or waiting for their contact hours)")
    by_step: dict[str, dict[str, int]] = Field(description="queued per step and channel")
    calls: int = Field(description="overdue installments put on the collection desk's call list")
    deferred: int = Field(description="written waiting: outside the purpose's contact hours now")
    already_sent: int
    skipped: dict[str, int]
    items_read: int = Field(description="index items read: about one per reminder")
    zones: list[str]
    superseded: list[str] = Field(
        default_factory=list, description="steps not taken: their window opens on the day of the next step"
    )


class LadderBody(Ladder):
    """The ladder to save, with the version read (a 409 when someone saved since)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=0, description="the version this edit started from (0: the defaults)")


class LadderView(BaseModel):
    model_config = ConfigDict(extra="allow")

    steps: list[dict[str, object]]
    late_fee_permille_per_day: int
    bpkb_storage_fee_after_days: int
    source: str = Field(description="default or saved")
    version: int
    updated_at: str | None = None
    updated_by: str | None = None


class ReminderMetricsQuery(BaseModel):
    """`?from=&to=`: at most a quarter; the last 30 days when neither is given."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: RunDay = Field(default=None, alias="from", description="first run date, YYYY-MM-DD")
    to: RunDay = Field(default=None, description="last run date, YYYY-MM-DD")

    def period(self, today: date) -> tuple[date, date]:
        """The dates asked for; ValidationFailed naming `to` when they are reversed or span more than a quarter."""
        last = self.to or (self.from_ + timedelta(days=DEFAULT_DAYS - 1) if self.from_ else today)
        first = self.from_ or last - timedelta(days=DEFAULT_DAYS - 1)
        if first > last:
            raise ValidationFailed({"to": "must not be before from"})
        if (last - first).days >= MAX_DAYS:
            raise ValidationFailed({"to": f"the period is at most {MAX_DAYS} days"})
        return first, last


class PaidAfter(BaseModel):
    model_config = ConfigDict(extra="allow")

    reminded: int
    within_1_days: int
    within_3_days: int
    within_7_days: int
    rate_1_days: float
    rate_3_days: float
    rate_7_days: float


class OverdueMonth(BaseModel):
    month: str
    due: int = Field(description="installments whose pay-by date in the month has passed")
    late: int = Field(description="of those, paid after the pay-by date or not yet")
    rate: float | None


class ReminderMetrics(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    from_: str = Field(alias="from")
    to: str
    sent: dict[str, dict[str, int]] = Field(description="per step, per channel (call: a call task)")
    paid_after: dict[str, PaidAfter] = Field(description="per installment step: paid within 1, 3, 7 days")
    overdue_rate: list[OverdueMonth]
    journeys: list[dict[str, object]] = Field(description="each journey's conversion per step")
