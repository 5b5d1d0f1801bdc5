"""HTTP routes and the hourly schedule of the greetings context."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import unquote

from chalice.app import Blueprint, CloudWatchEvent, Response

from chalicelib.access.authorizer import require, staff_auth
from chalicelib.access.roles import Permission
from chalicelib.core.composition import wired
from chalicelib.core.contract import api, read_body, read_query
from chalicelib.core.errors import ValidationFailed
from chalicelib.core.http import decode_cursor, json_object, json_response, limit_param, page, query
from chalicelib.core.observability import logger

# The calendar (the holidays library), rendering and DynamoDB access are imported by
# the handlers that need them, so a cold start of any other route does not pay for them.

bp = Blueprint(__name__)


FIRST_YEAR, LAST_YEAR = 1970, 2100
"""The years a greeting date, a holiday or a call list may be in: far dates overflow the calendar arithmetic."""


def _day(value: Any, name: str = "date") -> date:
    try:
        day = date.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed({name: "must be a date YYYY-MM-DD"}) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValidationFailed({name: f"must be a date between {FIRST_YEAR} and {LAST_YEAR}"})
    return day


# -- holidays ----------------------------------------------------------------------------


@bp.route("/holidays", methods=["GET"], authorizer=staff_auth)
@api(
    summary="The holiday calendar of a year, staff overrides applied", query="HolidayQuery", responses={200: "Holidays"}
)
def list_holidays() -> Response:
    require(bp.current_request, Permission.READ)
    from chalicelib.greetings.holidays_calendar import (
        calendar_for_year,
    )
    from chalicelib.greetings.schemas import HolidayQuery

    customer_deps = wired(bp).customers
    deps = wired(bp).greetings

    year = read_query(bp.current_request, HolidayQuery).year or customer_deps.utc_now().year
    holidays = calendar_for_year(year, deps.holiday_store().overrides(year))
    return json_response({"items": [h.to_dict() for h in holidays], "next": None})


@bp.route("/holidays/{day}", methods=["PUT"], authorizer=staff_auth)
@api(
    summary="Add, move or edit the holiday on a date",
    body="HolidayBody",
    responses={200: "Holidays"},
)
def put_holiday(day: str) -> Response:
    staff = require(bp.current_request, Permission.HOLIDAYS)
    deps = wired(bp).greetings

    _day(day, "date")
    merged = deps.holiday_editor().set(day, json_object(bp.current_request), staff.name)
    return json_response({"items": [h.to_dict() for h in merged], "next": None})


@bp.route("/holidays/{day}", methods=["DELETE"], authorizer=staff_auth)
@api(summary="Cancel the holiday on a date", responses={200: "HolidayCancelled"})
def cancel_holiday(day: str) -> Response:
    staff = require(bp.current_request, Permission.HOLIDAYS)
    deps = wired(bp).greetings

    _day(day, "date")
    deps.holiday_editor().cancel(day, staff.name)
    return json_response({"date": day, "cancelled": True})


# -- greeting runs ---------------------------------------------------------------------------


@bp.route("/greetings/runs", methods=["POST"], authorizer=staff_auth)
@api(summary="Run one date's greetings now", body="GreetingRunRequest", responses={200: "GreetingRunReport"})
def run_greetings() -> Response:
    staff = require(bp.current_request, Permission.GREETINGS)
    from chalicelib.greetings.schemas import GreetingRunRequest

    customer_deps = wired(bp).customers
    deps = wired(bp).greetings

    day = read_body(bp.current_request, GreetingRunRequest).date
    inline = deps.customer_count() <= deps.inline_audience_limit()
    report = deps.greeting_service().run_date(day, inline_holidays=inline)
    customer_deps.audit().record(
        staff.name, "greetings.run", day.isoformat(), customer_deps.utc_now(), **report.counters()
    )
    return json_response({"date": day.isoformat(), **report.body()})


@bp.route("/greetings/runs", methods=["GET"], authorizer=staff_auth)
@api(
    summary="The greeting dates' runs, newest first, with what became of their greetings",
    query="GreetingRunsQuery",
    responses={200: "Page[GreetingRun]"},
)
def list_greeting_runs() -> Response:
    require(bp.current_request, Permission.READ)
    from chalicelib.greetings.schemas import GreetingRunsQuery

    customer_deps = wired(bp).customers
    deps = wired(bp).greetings

    params = query(bp.current_request)
    asked = read_query(bp.current_request, GreetingRunsQuery)
    if asked.year is not None and (asked.from_ or asked.to):
        raise ValidationFailed({"year": "give either year or from and to, not both"})
    if asked.year is not None or not (asked.from_ or asked.to):
        year = asked.year or customer_deps.utc_now().year
        first, last = date(year, 1, 1), date(year, 12, 31)
    else:
        first = asked.from_ or date(FIRST_YEAR, 1, 1)
        last = asked.to or date(LAST_YEAR, 12, 31)
        if first > last:
            raise ValidationFailed({"to": "must not be before from"})
    items, resume = deps.run_store().history(
        first, last, limit_param(params), decode_cursor(params, bp.current_request)
    )
    return json_response(page(items, resume, bp.current_request))


@bp.route("/greetings/runs/{day}", methods=["GET"], authorizer=staff_auth)
@api(summary="What the greetings of a date sent and skipped", responses={200: "GreetingTotals"})
def greeting_run(day: str) -> Response:
    require(bp.current_request, Permission.READ)
    deps = wired(bp).greetings

    totals = deps.run_store().totals(_day(day))
    skipped = {k.removeprefix("skipped_"): v for k, v in totals.items() if k.startswith("skipped_")}
    return json_response(
        {
            "date": day,
            "birthday": totals.get("birthday", 0),
            "holiday": totals.get("holiday", 0),
            "telegreeting": totals.get("telegreeting", 0),
            "skipped": skipped,
        }
    )


@bp.schedule("cron(0 * * * ? *)", name="greet_hourly", description="Birthday and holiday greetings, every zone")
def greet_hourly(event: CloudWatchEvent) -> dict[str, Any]:
    customer_deps = wired(bp).customers
    deps = wired(bp).greetings

    report = deps.greeting_service().run_hourly(customer_deps.utc_now())
    logger.info("hourly greetings", extra=report.body())
    return report.body()


# -- telegreeting ------------------------------------------------------------------------------


@bp.route("/telegreeting", methods=["GET"], authorizer=staff_auth)
@api(summary="A day's call list, by status and kind", query="CallListQuery", responses={200: "Page[CallTask]"})
def call_list() -> Response:
    require(bp.current_request, Permission.TELEGREETING)
    from chalicelib.greetings.schemas import CallListQuery

    customer_deps = wired(bp).customers
    deps = wired(bp).greetings

    params = query(bp.current_request)
    asked = read_query(bp.current_request, CallListQuery)
    if asked.date and asked.day and asked.date != asked.day:
        raise ValidationFailed({"day": "must match date (give one of them)"})
    day = asked.date or asked.day or customer_deps.utc_now().date()
    items, last = deps.call_desk().page(
        day, limit_param(params), decode_cursor(params, bp.current_request), asked.status, asked.kind
    )
    return json_response(page(items, last, bp.current_request))


@bp.route("/telegreeting/{task_id}", methods=["POST"], authorizer=staff_auth)
@api(
    summary="Record one call attempt (every attempt is kept)",
    body="CallOutcome",
    responses={200: "CallTask"},
    errors=(404, 409),
)
def record_call(task_id: str) -> Response:
    staff = require(bp.current_request, Permission.TELEGREETING)
    from chalicelib.greetings.schemas import CallOutcome

    deps = wired(bp).greetings

    call = read_body(bp.current_request, CallOutcome)
    task_id = unquote(task_id)  # lead calls carry "#" in their id: clients send it encoded
    task = deps.call_desk().record(task_id, call.outcome, call.notes, call.callback_at, staff.name)
    return json_response(task)
