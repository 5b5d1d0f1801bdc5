"""What the greetings API takes and answers, as pydantic models (the OpenAPI document's and the handlers')."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from chalicelib.core.api_models import PageQuery
from chalicelib.greetings import calls

FIRST_YEAR, LAST_YEAR = 1970, 2100
"""The years a greeting date, a holiday or a call list may be in: far dates overflow the calendar arithmetic."""
CALL_OUTCOMES = calls.OUTCOMES
NOTES_MAX = calls.NOTE_MAX


def _blank_is_none(value: Any) -> Any:
    return None if value == "" else value


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


ALLOWED_CHANNELS: frozenset[str] = frozenset({"whatsapp", "email"})


def check_audience(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        return "must be null or an object with field, op and value"
    missing = [k for k in ("field", "op", "value") if k not in value]
    if missing:
        return f"missing {', '.join(missing)}"
    for k in ("field", "op"):
        if not isinstance(value[k], str) or not value[k].strip():
            return f"{k} must be a non-empty string"
    return None


def check_channels(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, list) or not value:
        return "must be null or a non-empty list"
    if not all(isinstance(c, str) for c in value):
        return "must be a list of strings"
    unknown = sorted(set(value) - ALLOWED_CHANNELS)
    if unknown:
        return f"unknown channel(s) {', '.join(unknown)}; allowed: {', '.join(sorted(ALLOWED_CHANNELS))}"
    if len(set(value)) != len(value):
        return "must not repeat a channel"
    return None


def _problem(check: Any) -> Any:
    """A before-validator from one of the field checks above: its problem, word for word, is the error."""

    def validate(value: Any) -> Any:
        problem = check(value)
        if problem:
            raise PydanticCustomError("holiday", problem)
        return value

    return BeforeValidator(validate)


def _holiday_name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise PydanticCustomError("name", "must be a non-empty string")
    if len(value.strip()) > HOLIDAY_NAME_MAX:
        raise PydanticCustomError("name", f"must be at most {HOLIDAY_NAME_MAX} characters")
    return value.strip()


def _flag(message: str) -> Any:
    def validate(value: Any) -> bool:
        if not isinstance(value, bool):
            raise PydanticCustomError("flag", message)
        return value

    return BeforeValidator(validate)


def _matching(pattern: str, message: str, longest: int | None = None) -> Any:
    compiled = re.compile(pattern)

    def validate(value: Any) -> Any:
        if value is not None and (
            not isinstance(value, str) or not compiled.match(value) or (longest and len(value) > longest)
        ):
            raise PydanticCustomError("pattern", message)
        return value

    return BeforeValidator(validate)


HOLIDAY_NAME_MAX = 100
TEMPLATE_PATTERN = r"^[a-z0-9_/-]+$"
KEY_PATTERN = r"^[a-z0-9_]+$"


class HolidayBody(BaseModel):
    """`PUT /holidays/{day}`: add, move or edit the holiday on that date (staff decisions win over the calendar).

    Every bad field is reported at once; `parse_override` adds the date's checks and builds the override.
    """

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, BeforeValidator(_holiday_name)] = Field(min_length=1, max_length=HOLIDAY_NAME_MAX)
    greet: Annotated[bool, _flag("must be true or false")] = Field(description="send holiday greetings on this day")
    audience: Annotated[dict[str, Any] | None, _problem(check_audience)] = Field(
        default=None, description="a segment filter (field, op, value); null: everyone"
    )
    template: Annotated[
        str | None, _matching(TEMPLATE_PATTERN, "must be null or a template key of a-z, 0-9, _, / and -")
    ] = Field(default=None, pattern=TEMPLATE_PATTERN)
    channels: Annotated[list[Literal["whatsapp", "email"]] | None, _problem(check_channels)] = Field(
        default=None, min_length=1
    )
    key: Annotated[
        str | None, _matching(KEY_PATTERN, "must be null or a key of a-z, 0-9 and _ (at most 50 characters)", 50)
    ] = Field(default=None, pattern=KEY_PATTERN, max_length=50)
    day_off: Annotated[bool, _flag("must be true or false (is it a national holiday, a day off?)")] = Field(
        default=True, description="a national holiday, a day off (no offers, no collection)"
    )
    date: Any = Field(default=None, description="if sent, must match the path (YYYY-MM-DD)")
    source: Any = Field(default=None, description="read-only: ignored when echoed back")
    estimated: Any = Field(default=None, description="read-only: ignored when echoed back")


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


def _year(value: Any) -> int | None:
    if value in (None, ""):
        return None
    if not str(value).isdigit() or not FIRST_YEAR <= int(value) <= LAST_YEAR:
        raise PydanticCustomError("year", f"must be a year between {FIRST_YEAR} and {LAST_YEAR}")
    return int(value)


class HolidayQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: Annotated[int | None, Field(ge=FIRST_YEAR, le=LAST_YEAR), BeforeValidator(_year)] = Field(
        default=None, description="this year when left out"
    )


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


class GreetingRun(BaseModel):
    """A greeting date's run: whom it greeted or put on the call list, and what the pipeline did with it since."""

    model_config = ConfigDict(extra="allow")

    date: str
    greeted: int = Field(description="greetings queued (birthday + holiday)")
    birthday: int
    holiday: int
    called: int = Field(description="people put on the telemarketers' call list instead")
    sent: int = Field(description="accepted by WhatsApp or SES")
    delivered: int = Field(description="reported delivered (or read) by the provider")
    failed: int = Field(description="failed to send or reported failed")
    parked: int = Field(description="had to wait for their contact hours or a halt")
    read: int
    skipped: dict[str, int]
    first_run_at: str | None = None
    updated_at: str | None = None


def _run_day(value: Any) -> date | None:
    return None if value in (None, "") else _iso_day(value)


RunDay = Annotated[
    date | None,
    BeforeValidator(_run_day),
    WithJsonSchema({"type": "string", "format": "date", "description": f"YYYY-MM-DD, {FIRST_YEAR} to {LAST_YEAR}"}),
]


class GreetingRunsQuery(PageQuery):
    """`?year=` or `?from=&to=` (not both); this year when neither is given."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    year: Annotated[int | None, Field(ge=FIRST_YEAR, le=LAST_YEAR), BeforeValidator(_year)] = Field(
        default=None, description="the greeting dates of this year"
    )
    from_: RunDay = Field(default=None, alias="from", description="first greeting date, YYYY-MM-DD")
    to: RunDay = Field(default=None, description="last greeting date, YYYY-MM-DD")


def _blank_or(allowed: tuple[str, ...]) -> Any:
    def validate(value: Any) -> Any:
        if value in (None, ""):
            return None
        if value not in allowed:
            raise PydanticCustomError("choice", f"must be one of {', '.join(allowed)}")
        return value

    return BeforeValidator(validate)


class CallListQuery(PageQuery):
    date: Annotated[Day | None, BeforeValidator(_blank_is_none)] = Field(
        default=None, description="today when left out"
    )
    day: Annotated[Day | None, BeforeValidator(_blank_is_none)] = Field(
        default=None, description="the same as `date` (one of them)"
    )
    status: Annotated[Literal[calls.STATUSES] | None, _blank_or(calls.STATUSES)] = Field(  # type: ignore[valid-type]
        default=None, description="open (to call), done, or callback (to call back at a set time)"
    )
    kind: Annotated[Literal[calls.KINDS] | None, _blank_or(calls.KINDS)] = Field(  # type: ignore[valid-type]
        default=None, description="telegreeting (a greeting by phone), lead, or reminder"
    )


class CallAttempt(BaseModel):
    outcome: str
    by: str | None = None
    at: str | None = None
    note: str = ""
    callback_at: str | None = None


class CallTask(BaseModel):
    """One call on a day's list, with the script to read, every attempt made and the status they lead to."""

    model_config = ConfigDict(extra="allow")

    id: str | None
    kind: str | None = None
    day: str | None = None
    customer_id: str | None = None
    name: str | None = None
    phone: str | None = None
    occasion: str | None = None
    language: str | None = None
    script: str | None = None
    status: str | None = None
    outcome: str | None = Field(default=None, description="the latest attempt's")
    notes: str | None = None
    called_by: str | None = None
    called_at: str | None = None
    callback_at: str | None = None
    attempts: list[CallAttempt] = Field(default_factory=list, description="oldest first")


class CallOutcome(BaseModel):
    """One attempt: reached, wrong_number and not_interested close the task, no_answer keeps it open,
    callback (with `callback_at`) shows it again then."""

    model_config = ConfigDict(extra="forbid")

    outcome: Literal[CALL_OUTCOMES]  # type: ignore[valid-type]
    notes: str | None = Field(default=None, max_length=NOTES_MAX)
    callback_at: AwareDatetime | None = Field(
        default=None, description="with outcome callback: when to call again (ISO 8601 with its offset)"
    )
