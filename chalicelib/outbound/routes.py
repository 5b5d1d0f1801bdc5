"""HTTP routes of the delivery pipeline: the outbound halt and the contact policy (staff only)."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Response

from chalicelib.access.authorizer import require, staff_auth
from chalicelib.access.roles import Permission
from chalicelib.core.composition import wired
from chalicelib.core.contract import api, read_body
from chalicelib.core.http import json_response

bp = Blueprint(__name__)


def _deps() -> Any:
    return wired(bp).outbound


@bp.route("/outbound/status", methods=["GET"], authorizer=staff_auth)
@api(responses={200: "OutboundStatus"})
def outbound_status() -> Response:
    """Whether outbound is halted, since when and by whom, and how many messages wait per channel."""
    require(bp.current_request, Permission.READ)
    from chalicelib.outbound.envelope import CHANNELS

    deps = _deps()
    log = wired(bp).customers.message_log()
    waiting = {channel: log.count_parked(f"halt#{channel}") for channel in CHANNELS}
    attributes = wired(bp).aws.sqs.get_queue_attributes(
        QueueUrl=deps.queue_url("outbound"), AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    return json_response(
        {
            **deps.switch().state().public(),
            "waiting": waiting,
            "queued": int(attributes.get("ApproximateNumberOfMessages", 0)),
        }
    )


@bp.route("/outbound/halt", methods=["POST"], authorizer=staff_auth)
@api(body="HaltRequest", responses={200: "HaltState"})
def halt_outbound() -> Response:
    """The incident switch: nothing reaches a provider until resume; everything waits, nothing is lost."""
    staff = require(bp.current_request, Permission.OUTBOUND_HALT)
    from chalicelib.outbound.schemas import HaltRequest

    request = read_body(bp.current_request, HaltRequest)
    return json_response(_deps().halt().halt(staff.name, request.reason).public())


@bp.route("/outbound/resume", methods=["POST"], authorizer=staff_auth)
@api(responses={200: "Resumed"})
def resume_outbound() -> Response:
    """Lift the halt and release what it held (the rest within a minute, by the release schedule)."""
    staff = require(bp.current_request, Permission.OUTBOUND_HALT)
    state, released = _deps().halt().resume(staff.name)
    return json_response({**state.public(), "released": released})


@bp.route("/settings/contact-policy", methods=["GET"], authorizer=staff_auth)
@api(tag="settings", responses={200: "StoredContactPolicy"})
def get_contact_policy() -> Response:
    """Every purpose's contact hours, with the regulation behind the regulated ones."""
    require(bp.current_request, Permission.READ)
    return json_response(_deps().contact_policy_store().read().public())


@bp.route("/settings/contact-policy", methods=["PUT"], authorizer=staff_auth)
@api(tag="settings", body="ContactPolicyChange", responses={200: "StoredContactPolicy"}, errors=(409,))
def put_contact_policy() -> Response:
    """An admin changes the contact hours: validated against the regulation, audited with old and new."""
    staff = require(bp.current_request, Permission.SETTINGS)
    from chalicelib.outbound.schemas import ContactPolicyChange

    change = read_body(bp.current_request, ContactPolicyChange)
    return json_response(_deps().policy_editor().change(change.purposes, change.version, staff.name).public())
