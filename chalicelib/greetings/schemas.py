"""What the greetings API takes and answers, as pydantic models (the OpenAPI document's and the handlers')."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

FIRST_YEAR, LAST_YEAR = 1970, 2100
"""The years a greeting date, a holiday or a call list may be in: far dates overflow the calendar arithmetic."""
CALL_OUTCOMES = ("reached", "no_answer", "wrong_number", "declined", "callback", "done")
NOTES_MAX = 1000


def _iso_day(value: Any) -> date:
    try:
        day = date.fromisoformat(str(value)) if isinstance(value, str) else None
    except ValueError:
        day = None
    if day is None:
        raise PydanticCustomError("date", "must be a date YYYY-MM-DD")
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise PydanticCustomError("date_range", f"must be a date between {FIRST_YEAR} and {LAST_YEAR}")
    return day


Day = Annotated[
    date,
    BeforeValidator(_iso_day),
    WithJsonSchema({"type": "string", "format": "date", "description": f"YYYY-MM-DD, {FIRST_YEAR} to {LAST_YEAR}"}),
]


class HolidayBody(BaseModel):
    """`PUT /holidays/{day}`: add, move or edit the holiday on that date (staff decisions win over the calendar).

    `parse_override` checks it and reports every bad field at once.
    """

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    greet: bool = Field(description="send holiday greetings on this day")
    audience: dict[str, Any] | None = Field(default=None, description="a segment filter; null: everyone")
    template: str | None = Field(default=None, pattern=r"^[a-z0-9_/-]+$")
    channels: list[Literal["whatsapp", "email"]] | None = None
    key: str | None = Field(default=None, pattern=r"^[a-z0-9_]+$", max_length=50)
    day_off: bool = Field(default=True, description="a national holiday, a day off (no offers, no collection)")
    date: str | None = Field(default=None, description="if sent, must match the path")
    source: str | None = Field(default=None, description="read-only: ignored when echoed back")
    estimated: bool | None = Field(default=None, description="read-only: ignored when echoed back")


class Holiday(BaseModel):
    model_config = ConfigDict(extra="allow")

    date: str
    name: str
    key: str | None
    source: str
    greet: bool
    audience: dict[str, Any] | None
    template: str | None
    channels: list[str] | None
    estimated: bool
    day_off: bool


class Holidays(BaseModel):
    items: list[Holiday]
    next: None


class HolidayQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: int | None = Field(default=None, ge=FIRST_YEAR, le=LAST_YEAR, description="this year when left out")


class HolidayCancelled(BaseModel):
    date: str
    cancelled: bool


class GreetingRunRequest(BaseModel):
    """Run the birthday and holiday greetings of one date now (what the hourly schedule does)."""

    model_config = ConfigDict(extra="forbid")

    date: Day


class GreetingRunReport(BaseModel):
    model_config = ConfigDict(extra="allow")

    date: str
    birthday: int
    holiday: int
    telegreeting: int
    skipped: dict[str, int]


class GreetingTotals(BaseModel):
    date: str
    birthday: int
    holiday: int
    telegreeting: int
    skipped: dict[str, int]


class CallListQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=50, ge=1, le=500, description="items per page")
    cursor: str | None = Field(default=None, description="the `next` of the previous page")
    date: Day | None = Field(default=None, description="today when left out")


class CallTask(BaseModel):
    """One call on a day's telegreeting list."""

    model_config = ConfigDict(extra="allow")


class CallOutcome(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Literal[CALL_OUTCOMES]  # type: ignore[valid-type]
    notes: str | None = Field(default=None, max_length=NOTES_MAX)
