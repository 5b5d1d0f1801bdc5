"""The agents' inbox in the console: the queue, one conversation's thread, and what an agent does with it.

Every read and action goes through the same `Inbox` service the API routes call, so the console and the
API keep one set of rules (the roster, the 24-hour window, the templates, idempotent sends).
"""

from __future__ import annotations

import urllib.parse
import uuid
from typing import Any

from chalice.app import Response
from pydantic import BaseModel, ConfigDict, Field

from chalicelib.access.roles import Permission
from chalicelib.console import i18n
from chalicelib.console.pages import FormInvalid, Visit, page
from chalicelib.core.errors import ApiError
from chalicelib.core.observability import logger

QUEUE_SIZE = 50
FILTER_NAMES = ("channel", "category", "sentiment", "topic", "assignee", "status", "past_sla")


def _filters(visit: Visit) -> tuple[dict[str, str], dict[str, Any], str | None]:
    """The GET form's choices, the inbox's filters from them ("mine" is the visitor), and a problem if any."""
    from chalicelib.scrm.inbox import UNASSIGNED, parse_filters

    chosen = {name: str(visit.query.get(name) or "") for name in FILTER_NAMES}
    params = {k: v for k, v in chosen.items() if v}
    if params.get("assignee") == "unassigned":
        params["assignee"] = UNASSIGNED
    elif params.get("assignee") == "mine" and visit.session is not None:
        params["assignee"] = visit.session.name
    if params.get("past_sla") == "true" and not params.get("status"):
        params["status"] = "open"
    if not params.get("status") and not params.get("past_sla"):
        params["status"] = "open"
    try:
        return chosen, parse_filters(params), None
    except ApiError as error:
        return chosen, {"status": "open"}, str(error)


def _queue(visit: Visit) -> dict[str, Any]:
    inbox = visit.container.scrm.inbox()
    chosen, filters, problem = _filters(visit)
    items, _ = inbox.page(filters, QUEUE_SIZE, None)
    ids = {str(c["customer_id"]) for c in items if c.get("customer_id")}
    known = visit.container.customers.repository().get_many(ids) if ids else {}
    names = {cid: str(item.get("name")) for cid, item in known.items() if item.get("name")}
    summary = inbox.summary(visit.session.name if visit.session else "")
    query = urllib.parse.urlencode({k: v for k, v in chosen.items() if v})
    return {
        "items": items,
        "names": names,
        "chosen": chosen,
        "problem": problem,
        "summary": summary,
        "rows_url": "/console/inbox/rows" + (f"?{query}" if query else ""),
        "masked": _masked,
    }


def _masked(conversation: dict[str, Any]) -> str:
    """The sender's handle with most of it hidden: enough to tell two senders apart, not to contact them."""
    handle = str(conversation.get("sender_id") or conversation.get("id") or "")
    return f"…{handle[-4:]}" if len(handle) > 4 else "…"


@page(Permission.SCRM)
def queue_page(visit: Visit) -> Response:
    return _queue_page(visit)


def _queue_page(visit: Visit) -> Response:
    from chalicelib.scrm import conversation
    from chalicelib.scrm.analysis import CATEGORIES, SENTIMENTS, TOPICS

    context = _queue(visit)
    return visit.render(
        "inbox.html",
        section="inbox",
        channels=conversation.CHANNELS,
        statuses=conversation.STATUSES,
        categories=CATEGORIES,
        sentiments=SENTIMENTS,
        topics=TOPICS,
        notice=visit.query.get("notice"),
        **context,
    )


@page(Permission.SCRM)
def queue_rows(visit: Visit) -> Response:
    """The list body htmx polls every 10 s (a full page without htmx, so the URL still works)."""
    if not visit.is_htmx:
        return _queue_page(visit)
    return visit.render("_inbox_rows.html", section="inbox", **_queue(visit))


def _detail(visit: Visit, conversation_id: str, status: int = 200, problems: dict[str, str] | None = None) -> Response:
    from chalicelib.scrm import templates

    scrm = visit.container.scrm
    inbox = scrm.inbox()
    try:
        detail = inbox.detail(conversation_id, 200, None)
    except ApiError:
        translate = i18n.gettext(visit.language)
        return visit.refuse(404, translate("Not found"), translate("There is no such conversation."))
    customer, campaigns = None, []
    if detail.get("customer_id"):
        from chalicelib.customers.model import customer_from_item

        item = visit.container.customers.repository().get(str(detail["customer_id"]))
        customer = customer_from_item(item) if item else None
        messages, _ = visit.container.customers.message_log().for_customer(str(detail["customer_id"]), 20, None)
        campaigns = [m for m in messages if m.get("campaign_id")][:5]
    window_open = _window_open(inbox, detail)
    replies, _ = scrm.replies().page(50, None, None)
    found: list[dict[str, Any]] = []
    search = str(visit.query.get("search") or "").strip()
    if not customer and search:
        found = _search(visit, search)
    return visit.render(
        "inbox_conversation.html",
        status=status,
        section="inbox",
        conversation=detail,
        customer=customer,
        campaigns=campaigns,
        window_open=window_open,
        replies=replies,
        templates=[t for t in templates.approved() if t.occasion != "csat"],
        agents=inbox.roster.agents() if inbox.roster else [],
        search=search,
        found=found,
        notice=visit.query.get("notice"),
        problems=problems or {},
    )


def _window_open(inbox: Any, detail: dict[str, Any]) -> bool:
    from chalicelib.scrm import times
    from chalicelib.scrm.inbox import WINDOW

    if detail.get("channel") != "whatsapp":
        return True
    opened = times.parse(detail.get("window_at"))
    return opened is not None and inbox.clock() - opened <= WINDOW


def _search(visit: Visit, text: str) -> list[dict[str, Any]]:
    """Customers by phone or external id (the indexed ways in); a name needs one of those here."""
    repository = visit.container.customers.repository()
    found: list[dict[str, Any]] = []
    phone = "+62" + text.lstrip("0") if text.startswith("0") else text
    if phone.startswith("+"):
        found.extend(repository.by_phone(phone))
    match = repository.by_external_id(text)
    if match:
        found.append(match)
    return found[:10]


@page(Permission.SCRM)
def conversation_page(visit: Visit, conversation_id: str) -> Response:
    return _detail(visit, conversation_id)


class ReplyForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    text: str = ""
    reply_id: str = ""
    template: str = ""
    parameters: str = Field(default="", description="one parameter per line")
    key: str = ""


class AssignForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    agent: str = ""


class LinkForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    customer_id: str = ""


def _back(visit: Visit, conversation_id: str, notice: str) -> Response:
    path = f"/console/inbox/{urllib.parse.quote(conversation_id, safe='')}"
    return visit.redirect(f"{path}?{urllib.parse.urlencode({'notice': notice})}")


def _act(visit: Visit, conversation_id: str, action: Any, done: str) -> Response:
    """Run one action; a domain refusal is shown on the page in the visitor's language, never a trace."""
    translate = i18n.gettext(visit.language)
    try:
        action()
    except FormInvalid as invalid:
        return _detail(visit, conversation_id, status=400, problems=invalid.problems)
    except ApiError as error:
        if error.code == "template_required":
            message = translate("WhatsApp's 24-hour window is closed: send one of the approved templates instead.")
        else:
            message = "; ".join(f"{k}: {v}" for k, v in error.fields.items()) or error.message
        return _detail(visit, conversation_id, status=error.status, problems={"action": message})
    return _back(visit, conversation_id, translate(done))


@page(Permission.SCRM)
def reply(visit: Visit, conversation_id: str) -> Response:
    from chalicelib.scrm.schemas import ReplyRequest

    def send() -> None:
        form = visit.parse(ReplyForm)
        scrm, staff = visit.container.scrm, visit.session
        parameters = [line.strip() for line in form.parameters.splitlines() if line.strip()]
        if form.template and not form.text.strip():
            body = ReplyRequest.model_validate({"template": form.template, "parameters": parameters})
        else:
            body = ReplyRequest.model_validate(
                {"text": form.text or None, "reply_id": form.reply_id or None}
                if form.text.strip() or form.reply_id
                else {"text": ""}
            )
        _tell_visitor(visit, conversation_id, "joined", staff.name if staff else "")
        scrm.inbox().reply(
            conversation_id, body, staff.name if staff else "", form.key or uuid.uuid4().hex, scrm.replies()
        )

    return _act(visit, conversation_id, _validated(send), "Reply sent")


def _tell_visitor(visit: Visit, conversation_id: str, what: str, agent: str) -> None:
    """A website visitor sees an agent join and type. Best effort: a socket that fails never fails the agent."""
    if not agent:
        return
    item = visit.container.scrm.scrm_store().conversation(conversation_id)
    if item is None or item.get("channel") != "web":
        return
    try:
        presence = visit.container.webchat.presence()
        if what == "joined":
            presence.joined(item, agent)
        else:
            presence.typing(item, agent)
    except Exception as error:  # noqa: BLE001 - presence is a courtesy, the reply is what matters
        logger.warning("web chat presence not pushed", extra={"what": what, "error": type(error).__name__})


@page(Permission.SCRM)
def typing(visit: Visit, conversation_id: str) -> Response:
    """The agent is typing a reply (console.js posts at most every few seconds): the widget shows it."""
    _tell_visitor(visit, conversation_id, "typing", visit.session.name if visit.session else "")
    return Response(body="", status_code=204, headers={"Cache-Control": "no-store"})


def _validated(action: Any) -> Any:
    """Pydantic's refusal of a reply body as the form's problems."""
    from pydantic import ValidationError

    def run() -> None:
        try:
            action()
        except ValidationError as error:
            raise FormInvalid(
                {str(e["loc"][0]) if e["loc"] else "text": str(e["msg"]) for e in error.errors()}
            ) from None

    return run


@page(Permission.SCRM)
def assign(visit: Visit, conversation_id: str) -> Response:
    session = visit.session
    form = visit.parse(AssignForm)

    def assign_and_tell() -> None:
        visit.container.scrm.inbox().assign(
            conversation_id,
            form.agent,
            session.name if session else "",
            supervisor=bool(session and session.role == "admin"),
        )
        _tell_visitor(visit, conversation_id, "joined", form.agent)

    return _act(visit, conversation_id, assign_and_tell, "Assigned")


@page(Permission.SCRM)
def resolve(visit: Visit, conversation_id: str) -> Response:
    name = visit.session.name if visit.session else ""
    return _act(visit, conversation_id, lambda: visit.container.scrm.inbox().resolve(conversation_id, name), "Resolved")


@page(Permission.SCRM)
def reopen(visit: Visit, conversation_id: str) -> Response:
    name = visit.session.name if visit.session else ""
    return _act(visit, conversation_id, lambda: visit.container.scrm.inbox().reopen(conversation_id, name), "Reopened")


@page(Permission.SCRM)
def lead(visit: Visit, conversation_id: str) -> Response:
    name = visit.session.name if visit.session else ""
    return _act(
        visit,
        conversation_id,
        lambda: visit.container.scrm.inbox().mark_lead(conversation_id, name),
        "Marked as a lead",
    )


@page(Permission.SCRM)
def link(visit: Visit, conversation_id: str) -> Response:
    name = visit.session.name if visit.session else ""
    form = visit.parse(LinkForm)
    return _act(
        visit,
        conversation_id,
        lambda: visit.container.scrm.inbox().link(conversation_id, form.customer_id, name),
        "Linked to the customer",
    )
