"""HTTP routes and the hourly schedule of the reminders context.

Thin: authorise, parse, call the run, the ladder store or the metrics, shape
the answer. Every hour, each zone whose local clock has passed 08:00 gets its
day's steps, once.
"""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, CloudWatchEvent, Response

from chalicelib.access.authorizer import require, staff_auth
from chalicelib.access.roles import Permission
from chalicelib.core.composition import wired
from chalicelib.core.contract import api, read_body, read_query
from chalicelib.core.http import json_response
from chalicelib.core.observability import logger

bp = Blueprint(__name__)


def _deps() -> Any:
    return wired(bp).reminders


@bp.route("/reminders/runs", methods=["POST"], authorizer=staff_auth)
@api(summary="Run one date's reminder steps now, every zone", body="ReminderRunRequest",
     responses={200: "ReminderRunReport"})  # fmt: skip
def run_reminders() -> Response:
    staff = require(bp.current_request, Permission.REMINDERS)
    from chalicelib.reminders.schemas import ReminderRunRequest

    day = read_body(bp.current_request, ReminderRunRequest).date
    report = _deps().run().run_date(day)
    customers = wired(bp).customers
    customers.audit().record(staff.name, "reminders.run", day.isoformat(), customers.utc_now(), **report.counters())
    return json_response({"date": day.isoformat(), **report.body()})


@bp.route("/reminders/ladder", methods=["GET"], authorizer=staff_auth)
@api(summary="The reminder ladder: each step, its days and channels", responses={200: "LadderView"})
def get_ladder() -> Response:
    require(bp.current_request, Permission.READ)
    return json_response(_deps().ladder_store().read().public())


@bp.route("/reminders/ladder", methods=["PUT"], authorizer=staff_auth)
@api(summary="Replace the reminder ladder (version-checked, audited)", body="LadderBody",
     responses={200: "LadderView"}, errors=(409,))  # fmt: skip
def put_ladder() -> Response:
    staff = require(bp.current_request, Permission.REMINDERS)
    from chalicelib.reminders.ladder import Ladder
    from chalicelib.reminders.schemas import LadderBody

    body = read_body(bp.current_request, LadderBody)
    ladder = Ladder.model_validate(body.model_dump(exclude={"version"}))
    customers = wired(bp).customers
    now = customers.utc_now()
    stored = _deps().ladder_store().replace(ladder, staff.name, now, body.version)
    customers.audit().record(staff.name, "reminders.ladder", f"v{stored.version}", now, steps=len(ladder.steps))
    return json_response(stored.public())


@bp.route("/reminders/metrics", methods=["GET"], authorizer=staff_auth)
@api(summary="Reminders sent per step and channel, payments after each step, the overdue rate by month",
     query="ReminderMetricsQuery", responses={200: "ReminderMetrics"})  # fmt: skip
def reminder_metrics() -> Response:
    require(bp.current_request, Permission.METRICS_READ)
    from chalicelib.core.zones import DEFAULT_ZONE, local_time
    from chalicelib.reminders.schemas import ReminderMetricsQuery

    container = wired(bp)
    today = local_time(container.now(), DEFAULT_ZONE).date()
    first, last = read_query(bp.current_request, ReminderMetricsQuery).period(today)
    return json_response(_deps().metrics(first, last))


@bp.schedule("cron(0 * * * ? *)", name="remind_hourly", description="Payment and vehicle reminders, every zone")
def remind_hourly(event: CloudWatchEvent) -> dict[str, Any]:
    container = wired(bp)
    report = _deps().run().run_hourly(container.now())
    logger.info("hourly reminders", extra=report.body())
    return report.body()
