"""HTTP routes and the inbound queue consumer of the scrm context; the logic lives in the modules beside it.

Handlers import their domain code on first use (like the other route modules), so a cold
start of the webhook does not pay for the analyser, the inbox or jinja2.
"""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Response, SQSEvent

from chalicelib.access.authorizer import require, staff_auth
from chalicelib.access.roles import Permission
from chalicelib.core import resources, settings
from chalicelib.core.composition import wired
from chalicelib.core.contract import api, read_body, read_query
from chalicelib.core.errors import Forbidden, NotFound
from chalicelib.core.http import decode_cursor, json_object, json_response, limit_param, page, query, raw_body
from chalicelib.core.observability import logger

bp = Blueprint(__name__)

_STAGE = settings.current().stage


# -- Meta webhooks (no staff auth: Meta signs them) ---------------------------------------------


@bp.route("/webhooks/meta", methods=["GET"])
@api(tag="webhooks", query="MetaHandshakeQuery", responses={200: "text/plain"}, errors=(403,))
def meta_verify() -> Response:
    """Meta's subscription handshake: echo hub.challenge when the verify token matches."""
    from chalicelib.scrm.meta import verify_handshake

    challenge = verify_handshake(query(bp.current_request), settings.current().secret("META_VERIFY_TOKEN"))
    if challenge is None:
        raise Forbidden("Verification failed")
    return Response(body=challenge, status_code=200, headers={"Content-Type": "text/plain; charset=utf-8"})


@bp.route("/webhooks/meta", methods=["POST"], content_types=["application/json"])
@api(
    tag="webhooks",
    body="MetaEvent",
    checked_by="chalicelib.scrm.meta.signature (the raw bytes' signature), then the worker's normaliser",
    headers="MetaSignature",
    responses={200: "WebhookAccepted"},
    errors=(401, 503),
)
def meta_webhook() -> Response:
    """Verify, enqueue, acknowledge: the analysis happens in `analyse_inbound`."""
    from chalicelib.scrm import metrics
    from chalicelib.scrm.meta import SIGNATURE_HEADER

    deps = wired(bp).scrm

    request = bp.current_request
    try:
        accepted = deps.intake().accept(raw_body(request), request.headers.get(SIGNATURE_HEADER))
    except Exception as error:
        metrics.emit_count("ScrmWebhookRefused")
        logger.info("meta webhook refused", extra={"error": type(error).__name__})
        raise
    metrics.emit_count("ScrmWebhookAccepted" if accepted.queued else "ScrmWebhookIgnored")
    if not accepted.queued:
        logger.info("meta webhook for an unhandled object", extra={"object": accepted.object})
    return json_response({"received": True, "queued": accepted.queued})


# -- the inbound queue --------------------------------------------------------------------------


@bp.on_sqs_message(
    queue=resources.queue_name(_STAGE, "inbound"),
    batch_size=resources.queue("inbound").batch_size,
    name="analyse_inbound",
)
def analyse_inbound(event: SQSEvent) -> dict[str, Any]:
    from chalicelib.scrm import worker

    deps = wired(bp).scrm

    return worker.handle_batch(event.to_dict(), event.context, deps.worker())


# -- the agents' inbox -----------------------------------------------------------------------------


@bp.route("/scrm/conversations", methods=["GET"], authorizer=staff_auth)
@api(
    summary="The inbox: conversations, most urgent first",
    query="ConversationQuery",
    responses={200: "Page[Conversation]"},
)
def list_conversations() -> Response:
    require(bp.current_request, Permission.SCRM)
    from chalicelib.scrm.inbox import parse_filters

    deps = wired(bp).scrm

    params = query(bp.current_request)
    items, last = deps.inbox().page(
        parse_filters(params), limit_param(params), decode_cursor(params, bp.current_request)
    )
    return json_response(page(items, last, bp.current_request))


@bp.route("/scrm/inbox/summary", methods=["GET"], authorizer=staff_auth)
@api(summary="What the console polls: the open queue's counts and the newest message", responses={200: "InboxSummary"})
def inbox_summary() -> Response:
    staff = require(bp.current_request, Permission.SCRM)
    deps = wired(bp).scrm

    return json_response(deps.inbox().summary(staff.name))


@bp.route("/scrm/conversations/{conversation_id}", methods=["GET"], authorizer=staff_auth)
@api(summary="A conversation and its events", query="ConversationPageQuery", responses={200: "ConversationDetail"})
def get_conversation(conversation_id: str) -> Response:
    require(bp.current_request, Permission.SCRM)
    from chalicelib.core.http import encode_cursor

    deps = wired(bp).scrm

    params = query(bp.current_request)
    detail = deps.inbox().detail(
        conversation_id, limit_param(params, default=200, maximum=200), decode_cursor(params, bp.current_request)
    )
    detail["next"] = encode_cursor(detail.get("next"), bp.current_request)
    return json_response(detail)


@bp.route("/scrm/conversations/{conversation_id}/reply", methods=["POST"], authorizer=staff_auth)
@api(
    summary="Answer the sender on their channel",
    body="ReplyRequest",
    headers="IdempotencyKey",
    responses={202: "ReplySent"},
    errors=(409, 422),
)
def reply_to_conversation(conversation_id: str) -> Response:
    request = bp.current_request
    staff = require(request, Permission.SCRM)
    from chalicelib.scrm.schemas import ReplyRequest

    deps = wired(bp).scrm

    body = read_body(request, ReplyRequest)
    result = deps.inbox().reply(
        conversation_id, body, staff.name, request.headers.get("Idempotency-Key"), deps.replies()
    )
    _audit(staff.name, "conversation.reply", conversation_id, message_id=result.get("message_id"))
    return json_response(result, status=202)


@bp.route("/scrm/conversations/{conversation_id}/assign", methods=["POST"], authorizer=staff_auth)
@api(
    summary="Assign the conversation to an agent",
    body="AssignRequest",
    responses={200: "Conversation"},
    errors=(403, 409),
)
def assign_conversation(conversation_id: str) -> Response:
    staff = require(bp.current_request, Permission.SCRM)
    from chalicelib.scrm.schemas import AssignRequest

    deps = wired(bp).scrm

    body = read_body(bp.current_request, AssignRequest).model_dump()
    assigned = deps.inbox().assign(conversation_id, body.get("agent"), staff.name, supervisor=staff.role == "admin")
    _audit(staff.name, "conversation.assign", conversation_id, agent=assigned.get("assignee"))
    return json_response(assigned)


@bp.route("/scrm/conversations/{conversation_id}/resolve", methods=["POST"], authorizer=staff_auth)
@api(summary="Mark the conversation resolved", responses={200: "Conversation"}, errors=(409,))
def resolve_conversation(conversation_id: str) -> Response:
    staff = require(bp.current_request, Permission.SCRM)
    deps = wired(bp).scrm

    resolved = deps.inbox().resolve(conversation_id, staff.name)
    _audit(staff.name, "conversation.resolve", conversation_id)
    return json_response(resolved)


@bp.route("/scrm/conversations/{conversation_id}/reopen", methods=["POST"], authorizer=staff_auth)
@api(summary="Reopen a resolved conversation", responses={200: "Conversation"}, errors=(409,))
def reopen_conversation(conversation_id: str) -> Response:
    staff = require(bp.current_request, Permission.SCRM)
    deps = wired(bp).scrm

    reopened = deps.inbox().reopen(conversation_id, staff.name)
    _audit(staff.name, "conversation.reopen", conversation_id)
    return json_response(reopened)


@bp.route("/scrm/conversations/{conversation_id}/lead", methods=["POST"], authorizer=staff_auth)
@api(summary="Mark the conversation's customer as a lead (a call on the telemarketers' list)", responses={200: "Lead"})
def mark_conversation_lead(conversation_id: str) -> Response:
    staff = require(bp.current_request, Permission.SCRM)
    deps = wired(bp).scrm

    lead = deps.inbox().mark_lead(conversation_id, staff.name)
    _audit(staff.name, "conversation.lead", conversation_id, lead_id=lead.get("id"))
    return json_response(lead)


@bp.route("/scrm/conversations/{conversation_id}/link", methods=["POST"], authorizer=staff_auth)
@api(
    summary="File the conversation under a known customer",
    body="LinkRequest",
    responses={200: "Conversation"},
    errors=(409,),
)
def link_conversation(conversation_id: str) -> Response:
    staff = require(bp.current_request, Permission.SCRM)
    from chalicelib.scrm.schemas import LinkRequest

    deps = wired(bp).scrm

    body = read_body(bp.current_request, LinkRequest).model_dump()
    linked = deps.inbox().link(conversation_id, body.get("customer_id"), staff.name)
    _audit(staff.name, "conversation.link", conversation_id, customer_id=linked.get("customer_id"))
    return json_response(linked)


@bp.route("/scrm/templates", methods=["GET"], authorizer=staff_auth)
@api(summary="The approved WhatsApp templates, with their parameters", responses={200: "TemplateList"})
def list_templates() -> Response:
    """What an agent may send when WhatsApp's 24-hour window is closed (Meta approves each one)."""
    require(bp.current_request, Permission.SCRM)
    from chalicelib.scrm import templates

    return json_response({"items": [t.public() for t in templates.approved()]})


# -- standard replies -----------------------------------------------------------------------------


@bp.route("/scrm/replies", methods=["GET"], authorizer=staff_auth)
@api(summary="Standard replies", query="ReplyListQuery", responses={200: "Page[StandardReply]"})
def list_replies() -> Response:
    require(bp.current_request, Permission.SCRM)
    deps = wired(bp).scrm

    params = query(bp.current_request)
    items, last = deps.replies().page(
        limit_param(params), decode_cursor(params, bp.current_request), params.get("language")
    )
    return json_response(page(items, last, bp.current_request))


@bp.route("/scrm/replies", methods=["POST"], authorizer=staff_auth)
@api(
    summary="Add a standard reply",
    body="StandardReplyBody",
    responses={201: "StandardReply"},
)
def create_reply() -> Response:
    staff = require(bp.current_request, Permission.SCRM)
    from chalicelib.scrm import times

    deps = wired(bp).scrm

    created = deps.replies().create(json_object(bp.current_request), staff.name, times.iso(_now()))
    _audit(staff.name, "reply.create", str(created.get("id")), title=created.get("title"))
    return json_response(created, status=201)


@bp.route("/scrm/replies/{reply_id}", methods=["DELETE"], authorizer=staff_auth)
@api(summary="Delete a standard reply", responses={204: None})
def delete_reply(reply_id: str) -> Response:
    staff = require(bp.current_request, Permission.SCRM)
    deps = wired(bp).scrm

    if not deps.replies().delete(reply_id):
        raise NotFound(f"No standard reply {reply_id}")
    _audit(staff.name, "reply.delete", reply_id)
    return Response(body="", status_code=204)


# -- leads and metrics ------------------------------------------------------------------------------


@bp.route("/leads", methods=["GET"], authorizer=staff_auth)
@api(summary="Leads found in conversations, newest first", query="PageQuery", responses={200: "Page[Lead]"})
def list_leads() -> Response:
    require(bp.current_request, Permission.LEADS)
    deps = wired(bp).scrm

    params = query(bp.current_request)
    items, last = deps.leads().page(limit_param(params), decode_cursor(params, bp.current_request))
    return json_response(page(items, last, bp.current_request))


@bp.route("/scrm/metrics", methods=["GET"], authorizer=staff_auth)
@api(
    summary="Inbox figures per day (up to 92 days) or per month (up to 731 days): volume, first response, resolution",
    query="MetricsQuery",
    responses={200: "MetricsReport"},
)
def scrm_metrics() -> Response:
    require(bp.current_request, Permission.METRICS_READ)
    from chalicelib.scrm import metrics, times
    from chalicelib.scrm.schemas import MetricsQuery

    deps = wired(bp).scrm

    wanted = read_query(bp.current_request, MetricsQuery)
    config = deps.config()
    now = _now()
    granularity = wanted.granularity or "day"
    start, end = metrics.report_period(
        wanted.from_, wanted.to, times.local_day(now, config.utc_offset_hours), granularity
    )
    sla_hours = wanted.sla_hours or config.sla_hours
    report_of = deps.report().build_months if granularity == "month" else deps.report().build
    report = report_of(start, end, now, sla_hours)
    metrics.emit_report(report)
    return json_response(report)


def _now() -> Any:
    customer_deps = wired(bp).customers

    return customer_deps.utc_now()


def _audit(actor: str, action: str, target: str, **details: Any) -> None:
    """Every staff write in the inbox is in the audit log: who answered, assigned, linked or resolved what."""
    customer_deps = wired(bp).customers

    customer_deps.audit().record(actor, action, target, _now(), **details)
