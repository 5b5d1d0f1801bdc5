"""HTTP routes, the fan-out queue consumer and the per-minute schedule of the campaigns context.

Thin: authorise, parse, call the service or lifecycle, shape the answer.
app.py registers only this blueprint for campaigns, so the queue consumer and
the schedule live here too. The campaign counters observe the sender through
the composition root (`chalicelib.wiring`). Every
function built from app.py imports this module, so the campaign machinery
(templates, segments, fan-out) is imported inside the handlers that use it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from chalice.app import Blueprint, CloudWatchEvent, Response, SQSEvent

from chalicelib.access.authorizer import require, staff_auth
from chalicelib.access.roles import Permission
from chalicelib.core import resources, settings
from chalicelib.core.composition import wired
from chalicelib.core.contract import api, read_body, read_optional_body
from chalicelib.core.errors import Conflict, NotFound, ValidationFailed
from chalicelib.core.http import decode_cursor, json_body, json_object, json_response, limit_param, page, query

bp = Blueprint(__name__)

_STAGE = settings.current().stage
T = TypeVar("T")


def _deps() -> Any:
    return wired(bp).campaigns


def _actor(name: str) -> Any:
    from chalicelib.campaigns.lifecycle import Actor

    return Actor(name)


@contextmanager
def _domain_errors() -> Iterator[None]:
    """Campaign errors as the API's 4xx bodies, each naming the field or state at fault."""
    from chalicelib.campaigns.lifecycle import StateConflict
    from chalicelib.campaigns.model import InvalidCampaign
    from chalicelib.campaigns.service import CampaignNotFound, CustomerNotFound

    try:
        yield
    except InvalidCampaign as error:
        raise ValidationFailed(error.fields) from None
    except CampaignNotFound as error:
        raise NotFound(f"No campaign {error.args[0]}") from None
    except CustomerNotFound:
        raise ValidationFailed({"customer_id": "no such customer"}) from None
    except StateConflict as error:
        raise Conflict(
            f"The campaign is {error.status}: cannot {error.action}",
            fields={"status": f"is {error.status}"},
        ) from None


def _call(action: Callable[[], T]) -> T:
    with _domain_errors():
        return action()


def _optional_body() -> Any:
    raw = bp.current_request.raw_body
    return json_body(bp.current_request) if raw and raw.strip() else {}


# -- campaigns -------------------------------------------------------------------------


@bp.route("/campaigns", methods=["POST"], authorizer=staff_auth)
@api(
    summary="Create a campaign (a draft, or scheduled with send_at)",
    body="CampaignBody",
    responses={201: "Campaign"},
)
def create_campaign() -> Response:
    staff = require(bp.current_request, Permission.CAMPAIGNS)
    # Validated by schemas.CampaignBody in the service, with the tenant's segment fields and the clock's rules.
    body = json_object(bp.current_request)
    return json_response(_call(lambda: _deps().service().create(body, _actor(staff.name))), status=201)


@bp.route("/campaigns", methods=["GET"], authorizer=staff_auth)
@api(summary="List campaigns", query="CampaignListQuery", responses={200: "Page[Campaign]"})
def list_campaigns() -> Response:
    require(bp.current_request, Permission.CAMPAIGNS_READ)
    params = query(bp.current_request)
    limit, cursor = limit_param(params), decode_cursor(params, bp.current_request)
    items, last = _call(lambda: _deps().service().page(limit, cursor, params.get("status")))
    return json_response(page(items, last, bp.current_request))


@bp.route("/campaigns/{campaign_id}", methods=["GET"], authorizer=staff_auth)
@api(summary="One campaign with its counts", responses={200: "Campaign"})
def get_campaign(campaign_id: str) -> Response:
    require(bp.current_request, Permission.CAMPAIGNS_READ)
    return json_response(_call(lambda: _deps().service().get(campaign_id)))


@bp.route("/campaigns/{campaign_id}", methods=["PATCH"], authorizer=staff_auth)
@api(
    summary="Change a draft or scheduled campaign",
    body="CampaignChanges",
    responses={200: "Campaign"},
    errors=(409,),
)
def update_campaign(campaign_id: str) -> Response:
    staff = require(bp.current_request, Permission.CAMPAIGNS)
    body = json_object(bp.current_request)  # schemas.CampaignChanges, in the service (after 404 and 409)
    return json_response(_call(lambda: _deps().service().update(campaign_id, body, _actor(staff.name))))


@bp.route("/campaigns/{campaign_id}/audience", methods=["GET"], authorizer=staff_auth)
@api(summary="How many customers the segment matches, and a sample", responses={200: "Audience"})
def campaign_audience(campaign_id: str) -> Response:
    require(bp.current_request, Permission.CAMPAIGNS)  # a sample of five customers: personal data
    return json_response(_call(lambda: _deps().service().audience(campaign_id)))


@bp.route("/campaigns/{campaign_id}/preview", methods=["POST"], authorizer=staff_auth)
@api(
    summary="The message one customer would get",
    body="PreviewRequest",
    responses={200: "Preview"},
)
def preview_campaign(campaign_id: str) -> Response:
    require(bp.current_request, Permission.CAMPAIGNS)
    from chalicelib.campaigns.schemas import PreviewRequest

    body = read_body(bp.current_request, PreviewRequest).model_dump()
    return json_response(_call(lambda: _deps().service().preview(campaign_id, body)))


@bp.route("/campaigns/{campaign_id}/test", methods=["POST"], authorizer=staff_auth)
@api(
    summary="Send now to test recipients only",
    body="TestSendRequest",
    body_required=False,
    responses={202: "TestSend"},
)
def test_send_campaign(campaign_id: str) -> Response:
    staff = require(bp.current_request, Permission.CAMPAIGNS)
    from chalicelib.campaigns.schemas import TestSendRequest, parse

    ids = parse(TestSendRequest, _optional_body()).customer_ids  # no body: every test recipient
    return json_response(_call(lambda: _deps().service().test_send(campaign_id, ids, _actor(staff.name))), status=202)


# -- state changes -----------------------------------------------------------------------


def _changed(campaign_id: str, change: Callable[[], Any], status: int) -> Response:
    _call(change)
    return json_response(_call(lambda: _deps().service().get(campaign_id)), status=status)


@bp.route("/campaigns/{campaign_id}/send", methods=["POST"], authorizer=staff_auth)
@api(summary="Start sending", responses={202: "Campaign"}, errors=(409,))
def send_campaign(campaign_id: str) -> Response:
    staff = require(bp.current_request, Permission.CAMPAIGNS)
    _call(lambda: _deps().service().get(campaign_id))  # 404 before 409
    return _changed(campaign_id, lambda: _deps().lifecycle().start(campaign_id, _actor(staff.name)), 202)


@bp.route("/campaigns/{campaign_id}/pause", methods=["POST"], authorizer=staff_auth)
@api(summary="Pause sending", body="PauseRequest", body_required=False, responses={200: "Campaign"}, errors=(409,))
def pause_campaign(campaign_id: str) -> Response:
    staff = require(bp.current_request, Permission.CAMPAIGNS)
    from chalicelib.campaigns.schemas import PauseRequest

    reason = read_optional_body(bp.current_request, PauseRequest).reason
    _call(lambda: _deps().service().get(campaign_id))
    return _changed(campaign_id, lambda: _deps().lifecycle().pause(campaign_id, _actor(staff.name), reason), 200)


@bp.route("/campaigns/{campaign_id}/resume", methods=["POST"], authorizer=staff_auth)
@api(summary="Resume sending", responses={202: "Campaign"}, errors=(409,))
def resume_campaign(campaign_id: str) -> Response:
    staff = require(bp.current_request, Permission.CAMPAIGNS)
    _call(lambda: _deps().service().get(campaign_id))
    return _changed(campaign_id, lambda: _deps().lifecycle().resume(campaign_id, _actor(staff.name)), 202)


@bp.route("/campaigns/{campaign_id}/cancel", methods=["POST"], authorizer=staff_auth)
@api(summary="Cancel the campaign", responses={200: "Campaign"}, errors=(409,))
def cancel_campaign(campaign_id: str) -> Response:
    staff = require(bp.current_request, Permission.CAMPAIGNS)
    _call(lambda: _deps().service().get(campaign_id))
    return _changed(campaign_id, lambda: _deps().lifecycle().cancel(campaign_id, _actor(staff.name)), 200)


@bp.route("/campaigns/{campaign_id}/retry-failed", methods=["POST"], authorizer=staff_auth)
@api(summary="Send the failed messages again", responses={202: "Campaign"}, errors=(409,))
def retry_failed_campaign(campaign_id: str) -> Response:
    staff = require(bp.current_request, Permission.CAMPAIGNS)
    _call(lambda: _deps().service().get(campaign_id))
    return _changed(campaign_id, lambda: _deps().lifecycle().retry_failed(campaign_id, _actor(staff.name)), 202)


# -- queue consumer and schedule ------------------------------------------------------------


@bp.on_sqs_message(
    queue=resources.queue_name(_STAGE, "fanout"),
    batch_size=resources.queue("fanout").batch_size,
    name="fan_out_audience",
)
def fan_out_audience(event: SQSEvent) -> dict[str, Any]:
    from chalicelib.campaigns import consumers

    return consumers.handle_batch(event.to_dict(), event.context, wired(bp).fanout_jobs())


@bp.schedule("rate(1 minute)", name="start_scheduled_campaigns")
def start_scheduled_campaigns(event: CloudWatchEvent) -> dict[str, Any]:
    from chalicelib.campaigns import consumers

    return _deps().scheduler().run(consumers.remaining_seconds(event.context))
