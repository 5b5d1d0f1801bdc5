"""HTTP routes of the delivery pipeline: the outbound halt and the contact policy (staff only)."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Response

from chalicelib.access.authorizer import require, staff_auth
from chalicelib.access.roles import Permission
from chalicelib.core.composition import wired
from chalicelib.core.contract import api, read_body
from chalicelib.core.errors import Conflict
from chalicelib.core.http import json_response

bp = Blueprint(__name__)


def _deps() -> Any:
    return wired(bp).outbound


def _audit() -> Any:
    return wired(bp).customers.audit()


def _now() -> Any:
    return wired(bp).now()


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
    now = _now()
    state, changed = _deps().switch().halt(staff.name, request.reason, now)
    if changed:
        _audit().record(staff.name, "outbound.halt", "outbound", now, reason=request.reason)
    return json_response(state.public())


@bp.route("/outbound/resume", methods=["POST"], authorizer=staff_auth)
@api(responses={200: "Resumed"})
def resume_outbound() -> Response:
    """Lift the halt and release what it held (the rest within a minute, by the release schedule)."""
    staff = require(bp.current_request, Permission.OUTBOUND_HALT)
    from chalicelib.outbound.envelope import CHANNELS

    deps = _deps()
    ended, changed = deps.switch().resume()
    now = _now()
    released = 0
    if changed:
        _audit().record(staff.name, "outbound.resume", "outbound", now, halted_since=ended.since, halted_by=ended.by)
        release = deps.release()
        released = sum(release.release_partition(f"halt#{channel}", 2.0).released for channel in CHANNELS)
    return json_response({**deps.switch().state().public(), "released": released})


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
    from chalicelib.outbound.policy_store import PolicyChanged
    from chalicelib.outbound.schemas import ContactPolicyChange

    change = read_body(bp.current_request, ContactPolicyChange)
    store = _deps().contact_policy_store()
    current = store.read()
    if change.version is not None and change.version != current.version:
        raise Conflict(
            f"The policy was saved since version {change.version}; it is at version {current.version}",
            fields={"version": f"is {current.version} now"},
        )
    now = _now()
    try:
        saved = store.replace(change.purposes, staff.name, now, current.version)
    except PolicyChanged:
        raise Conflict(
            "The policy was saved by someone else just now; read it again", fields={"version": "stale"}
        ) from None
    _audit().record(
        staff.name,
        "settings.contact_policy",
        "contact-policy",
        now,
        old=current.policy.model_dump(mode="json"),
        new=saved.policy.model_dump(mode="json"),
    )
    return json_response(saved.public())
