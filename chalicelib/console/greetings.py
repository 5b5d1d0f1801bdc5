"""The greetings screen for marketers: a year's holiday calendar, its overrides edited in place, the runs' history.

Each holiday row shows where its date comes from (the holidays library, the
library's estimate of a lunar date, or a staff override), whom it greets and
whether it greets at all. Saving a row calls the same `HolidayEditor` as
`PUT /holidays/{day}` (cancelling: `DELETE /holidays/{day}`), so the console
and the API keep one set of rules and one audit trail.
"""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

from chalice.app import Response
from pydantic import BaseModel, ConfigDict, Field

from chalicelib.access.roles import Permission
from chalicelib.console.pages import FormInvalid, Visit, page
from chalicelib.core import zones
from chalicelib.core.errors import ApiError
from chalicelib.greetings.schemas import FIRST_YEAR, HOLIDAY_NAME_MAX, LAST_YEAR

AUDIENCE_OPS = ("eq", "ne", "in", "not_in")
CHANNELS = ("whatsapp", "email")
RUNS_SHOWN = 100


class HolidayForm(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    name: str = Field(default="", max_length=HOLIDAY_NAME_MAX * 2)
    key: str = Field(default="", max_length=60)
    greet: str = Field(default="", max_length=5)
    day_off: str = Field(default="", max_length=5)
    template: str = Field(default="", max_length=100)
    channel_whatsapp: str = Field(default="", max_length=5)
    channel_email: str = Field(default="", max_length=5)
    audience_field: str = Field(default="", max_length=64)
    audience_op: str = Field(default="eq", max_length=10)
    audience_value: str = Field(default="", max_length=500)
    audience_json: str = Field(default="", max_length=4000, description="a combined audience, kept as it was")

    def body(self) -> dict[str, Any]:
        """The `PUT /holidays/{day}` body this form stands for."""
        channels = [c for c in CHANNELS if getattr(self, f"channel_{c}")]
        return {
            "name": self.name,
            "greet": bool(self.greet),
            "day_off": bool(self.day_off),
            "key": self.key or None,
            "template": self.template or None,
            "channels": channels or None,
            "audience": self.audience(),
        }

    def audience(self) -> Any:
        if self.audience_field:
            value: Any = self.audience_value
            if self.audience_op in ("in", "not_in"):
                value = [part.strip() for part in self.audience_value.split(",") if part.strip()]
            return {"field": self.audience_field, "op": self.audience_op, "value": value}
        if self.audience_json:
            try:
                return json.loads(self.audience_json)
            except ValueError:
                raise FormInvalid({"audience": "must be the audience as it was shown"}) from None
        return None


def _year(visit: Visit, raw: Any) -> int:
    today = zones.local_date(visit.now, visit.zone)
    text = str(raw or "")
    if text.isdigit() and FIRST_YEAR <= int(text) <= LAST_YEAR:
        return int(text)
    return today.year


def source_of(holiday: dict[str, Any]) -> str:
    """library, estimate (the library's guess at a lunar date) or override."""
    if holiday["source"] == "override":
        return "override"
    return "estimate" if holiday.get("estimated") else "library"


def simple_audience(audience: Any) -> dict[str, str] | None:
    """The one-condition audience the row's fields can edit, or None when it is combined (or everyone)."""
    if not isinstance(audience, dict) or set(audience) != {"field", "op", "value"}:
        return None
    if audience["op"] not in AUDIENCE_OPS:
        return None
    value = audience["value"]
    shown = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return {"field": str(audience["field"]), "op": str(audience["op"]), "value": shown}


def _rows_context(visit: Visit) -> dict[str, Any]:
    return {
        "source_of": source_of,
        "simple_audience": simple_audience,
        "audience_text": lambda audience: json.dumps(audience, ensure_ascii=False) if audience else "",
        "audience_ops": AUDIENCE_OPS,
        "channels": CHANNELS,
        "problems_by_day": {},
    }


def _page(visit: Visit, year: int, status: int = 200, problems: dict[str, dict[str, str]] | None = None) -> Response:
    from datetime import date

    greetings = visit.container.greetings
    holidays = [h.to_dict() for h in greetings.holiday_editor().calendar(year)]
    runs, _ = greetings.run_store().history(date(year, 1, 1), date(year, 12, 31), RUNS_SHOWN, None)
    context = _rows_context(visit)
    context["problems_by_day"] = problems or {}
    return visit.render(
        "greetings.html",
        status=status,
        section="greetings",
        year=year,
        holidays=holidays,
        runs=runs,
        notice=visit.query.get("notice"),
        first_year=FIRST_YEAR,
        last_year=LAST_YEAR,
        **context,
    )


@page(Permission.GREETINGS)
def greetings_page(visit: Visit) -> Response:
    return _page(visit, _year(visit, visit.query.get("year")))


def _answer(visit: Visit, day: str, problems: dict[str, str] | None, notice: str) -> Response:
    """htmx: the date's rows again, in place; a plain form: back to the year, or the page with the problems."""
    year = _year(visit, day[:4])
    if not visit.is_htmx:
        if problems:
            return _page(visit, year, status=400, problems={day: problems})
        query = urllib.parse.urlencode({"year": year, "notice": notice})
        return visit.redirect(f"/console/greetings?{query}#holiday-{day}")
    holidays = [h.to_dict() for h in visit.container.greetings.holiday_editor().calendar(year)]
    rows = [h for h in holidays if h["date"] == day]
    if not rows:  # a date that is not one (nothing to put back in place): the page, with the problem
        return _page(visit, year, status=400 if problems else 200, problems={day: problems} if problems else None)
    context = _rows_context(visit)
    context["problems_by_day"] = {day: problems} if problems else {}
    return visit.render(
        "_holiday_rows.html",
        section="greetings",
        holidays=rows,
        year=year,
        saved=None if problems else notice,
        **context,
    )


def _refused(error: ApiError) -> dict[str, str]:
    return {k: str(v) for k, v in error.fields.items()} or {"holiday": error.message}


@page(Permission.HOLIDAYS)
def save_holiday(visit: Visit, day: str) -> Response:
    staff = visit.session.name if visit.session else ""
    try:
        form = visit.parse(HolidayForm)
        visit.container.greetings.holiday_editor().set(day, form.body(), staff)
    except FormInvalid as invalid:
        return _answer(visit, day, invalid.problems, "")
    except ApiError as error:
        return _answer(visit, day, _refused(error), "")
    return _answer(visit, day, None, "Holiday saved")


@page(Permission.HOLIDAYS)
def add_holiday(visit: Visit) -> Response:
    """A date the calendar lacks (a company anniversary, a confirmed Idul Fitri): the whole year shown again."""
    staff = visit.session.name if visit.session else ""
    day = str(visit.form().get("date") or "")[:10]
    year = _year(visit, day[:4])
    try:
        form = visit.parse(HolidayForm)
        visit.container.greetings.holiday_editor().set(day, form.body(), staff)
    except FormInvalid as invalid:
        return _page(visit, year, status=400, problems={"new": invalid.problems})
    except ApiError as error:
        return _page(visit, year, status=400, problems={"new": _refused(error)})
    query = urllib.parse.urlencode({"year": year, "notice": "Holiday saved"})
    return visit.redirect(f"/console/greetings?{query}#holiday-{day}")


@page(Permission.HOLIDAYS)
def cancel_holiday(visit: Visit, day: str) -> Response:
    staff = visit.session.name if visit.session else ""
    try:
        visit.container.greetings.holiday_editor().cancel(day, staff)
    except ApiError as error:
        return _answer(visit, day, _refused(error), "")
    return _answer(visit, day, None, "No greetings on this day")
