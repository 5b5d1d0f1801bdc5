"""HTTP routes and the schedules of the journeys context.

Thin: authorise, parse, call the editor or the engine, shape the answer.
Every 15 minutes the due steps are taken; once a day (just after midnight
in Indonesia's first zone) the date triggers are fired.
"""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, CloudWatchEvent, Response

from chalicelib.access.authorizer import require, staff_auth
from chalicelib.access.roles import Permission
from chalicelib.core.composition import wired
from chalicelib.core.contract import api, read_body
from chalicelib.core.http import json_response
from chalicelib.core.observability import logger

bp = Blueprint(__name__)


def _deps() -> Any:
    return wired(bp).journeys


@bp.route("/journeys", methods=["POST"], authorizer=staff_auth)
@api(summary="Create a journey", body="JourneyBody", responses={201: "Journey"}, errors=(409,))
def create_journey() -> Response:
    staff = require(bp.current_request, Permission.CAMPAIGNS)
    from chalicelib.journeys.schemas import JourneyBody

    body = read_body(bp.current_request, JourneyBody)
    journey = _deps().editor().create(body.model_dump(exclude_none=True), staff.name)
    return json_response(journey.to_dict(), status=201)


@bp.route("/journeys", methods=["GET"], authorizer=staff_auth)
@api(summary="Every journey, by id", responses={200: "Page[Journey]"})
def list_journeys() -> Response:
    require(bp.current_request, Permission.CAMPAIGNS_READ)
    return json_response({"items": [j.to_dict() for j in _deps().store().all()], "next": None})


@bp.route("/journeys/defaults", methods=["POST"], authorizer=staff_auth)
@api(summary="Add the default journeys that are not there yet", responses={200: "DefaultsSeeded"})
def seed_default_journeys() -> Response:
    staff = require(bp.current_request, Permission.CAMPAIGNS)
    return json_response({"created": _deps().editor().seed_defaults(staff.name)})


@bp.route("/journeys/{journey_id}", methods=["GET"], authorizer=staff_auth)
@api(summary="One journey", responses={200: "Journey"})
def get_journey(journey_id: str) -> Response:
    require(bp.current_request, Permission.CAMPAIGNS_READ)
    return json_response(_deps().editor().get(journey_id).to_dict())


@bp.route("/journeys/{journey_id}", methods=["PUT"], authorizer=staff_auth)
@api(summary="Replace a journey's definition", body="JourneyUpdate", responses={200: "Journey"}, errors=(409,))
def update_journey(journey_id: str) -> Response:
    staff = require(bp.current_request, Permission.CAMPAIGNS)
    from chalicelib.journeys.schemas import JourneyUpdate

    body = read_body(bp.current_request, JourneyUpdate)
    journey = _deps().editor().update(journey_id, body.model_dump(exclude_none=True), staff.name)
    return json_response(journey.to_dict())


@bp.route("/journeys/{journey_id}/pause", methods=["POST"], authorizer=staff_auth)
@api(summary="Pause a journey: nobody new starts, enrolments wait where they are", responses={200: "Journey"})
def pause_journey(journey_id: str) -> Response:
    staff = require(bp.current_request, Permission.CAMPAIGNS)
    return json_response(_deps().editor().set_status(journey_id, "paused", staff.name).to_dict())


@bp.route("/journeys/{journey_id}/resume", methods=["POST"], authorizer=staff_auth)
@api(summary="Resume a paused journey: its waiting enrolments move on", responses={200: "Journey"})
def resume_journey(journey_id: str) -> Response:
    staff = require(bp.current_request, Permission.CAMPAIGNS)
    return json_response(_deps().editor().set_status(journey_id, "active", staff.name).to_dict())


@bp.route("/journeys/{journey_id}/metrics", methods=["GET"], authorizer=staff_auth)
@api(
    summary="A journey's conversion: starts, each step reached, sent or skipped by reason, exits",
    responses={200: "JourneyMetrics"},
)
def journey_metrics(journey_id: str) -> Response:
    require(bp.current_request, Permission.CAMPAIGNS_READ)
    from chalicelib.journeys.metrics import conversion

    deps = _deps()
    journey = deps.editor().get(journey_id)
    return json_response(conversion(journey, deps.enrolments().counts(journey_id)))


@bp.route("/customers/{customer_id}/journeys", methods=["GET"], authorizer=staff_auth)
@api(summary="The journeys a customer went through, each step and why", responses={200: "CustomerJourneys"})
def customer_journeys(customer_id: str) -> Response:
    require(bp.current_request, Permission.CUSTOMERS_READ)
    return json_response({"customer_id": customer_id, "items": _deps().enrolments().of_customer(customer_id)})


@bp.schedule("rate(15 minutes)", name="advance_journeys", description="Takes the journeys' due steps")
def advance_journeys(event: CloudWatchEvent) -> dict[str, Any]:
    from chalicelib.core.deadline import remaining_seconds

    report = _deps().engine().advance_due(remaining_seconds(event.context))
    logger.info("journey steps taken", extra=report.body())
    return report.body()


@bp.schedule("cron(5 17 * * ? *)", name="journey_dates", description="Fires the day's date triggers (00:05 WIB)")
def journey_dates(event: CloudWatchEvent) -> dict[str, Any]:
    from datetime import timedelta

    deps = _deps()
    # 17:05 UTC is 00:05 in Jakarta the next day: the day the dates are for.
    day = (deps.now() + timedelta(hours=7)).date()
    report = deps.engine().run_daily(day, deps.sources())
    logger.info("journey date triggers", extra=report.body())
    return report.body()
