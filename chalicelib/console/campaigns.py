"""The campaign screens: the list, the wizard (template, audience, schedule, review) and a campaign's page.

Every step calls the services behind the campaigns API (`container.campaigns`):
the wizard creates a draft as `POST /campaigns` does, edits it as `PATCH`
does, counts as `/audience` does and starts it as `/send` does, so the
console keeps every rule the API keeps. No step asks for JSON: the audience
is rows of (field, operator, value) turned into the segment filter here, the
filter shown read-only beside them (and editable, for those who want it).
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from chalice.app import Response

from chalicelib.access.roles import Permission, allows
from chalicelib.console import i18n
from chalicelib.console.pages import Visit, page
from chalicelib.core import zones
from chalicelib.core.errors import ValidationFailed
from chalicelib.core.http import decode_cursor, encode_cursor

PAGE_SIZE = 25
RECIPIENTS_PAGE = 50
MAX_ROWS = 20
CHANNELS = ("whatsapp", "email")
OPS = ("eq", "ne", "in", "not_in", "before", "after", "exists", "gte", "lte")
LIVE = frozenset({"scheduled", "sending", "paused", "completed"})
"""States whose funnel still moves (a completed campaign still hears delivered and read)."""
CHART_HOURS = 24
MIN_CHART_HOURS = 12
"""A campaign's first hours are drawn against half a day ahead, not as one bar the chart's full width."""
_ROW = re.compile(r"segment\.all\[(\d+)\]")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
DAYS = {
    "id": ("Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}


def term(visit: Visit) -> Any:
    """`term("op", "eq")`: the words for a code (an operator, a state, a reason), or the code itself."""
    catalogue = i18n.CATALOGUES.get(visit.language, i18n.INDONESIAN)

    def words(kind: str, code: Any) -> str:
        return catalogue.get(f"{kind}:{code}", str(code))

    return words


def _render(visit: Visit, template: str, status: int = 200, **context: Any) -> Response:
    return visit.render(template, status=status, term=term(visit), **context)


def _deps(visit: Visit) -> Any:
    return visit.container.campaigns


def _actor(visit: Visit) -> Any:
    from chalicelib.campaigns.lifecycle import Actor

    assert visit.session is not None
    return Actor(visit.session.name, "console")


def _not_found(visit: Visit) -> Response:
    translate = i18n.gettext(visit.language)
    return visit.refuse(404, translate("Not found"), translate("There is no such campaign."))


def _campaign(visit: Visit, campaign_id: str) -> dict[str, Any] | None:
    from chalicelib.campaigns.service import CampaignNotFound

    try:
        return dict(_deps(visit).service().get(campaign_id))
    except CampaignNotFound:
        return None


def number(value: Any, language: str) -> str:
    """1.204 in Indonesian, 1,204 in English."""
    text = f"{int(value or 0):,}"
    return text.replace(",", ".") if language == "id" else text


def local_moment(value: Any, visit: Visit, zone: str | None = None) -> str:
    """'Sen 08.00 WIB': a day and time in `zone` (the customer's), for the contact policy's effect."""
    if not value:
        return "—"
    instant = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    zone = zone or visit.zone
    local = zones.local_time(instant, zone)
    day = DAYS.get(visit.language, DAYS["en"])[local.weekday()]
    return f"{day} {local.strftime('%d/%m %H.%M')} {zones.ZONE_LABELS.get(zone, '')}".strip()


# -- the list ---------------------------------------------------------------------------------------------------------


@page(Permission.CAMPAIGNS_READ)
def campaigns_page(visit: Visit) -> Response:
    from chalicelib.campaigns.model import Status

    status = visit.query.get("status", "")
    status = status if status in {s.value for s in Status} else ""
    try:
        start = decode_cursor(visit.query, "/console/campaigns")
    except ValidationFailed:
        start = None
    service = _deps(visit).service()
    items, last = service.page(PAGE_SIZE, start, status or None)
    campaigns = []
    for item in items:  # the funnel at a glance: one GetItem and a segment query per row, 25 rows a page
        full = _campaign(visit, str(item["id"]))
        campaigns.append(full or item)
    cursor = encode_cursor(last, "/console/campaigns")
    next_url = "/console/campaigns?" + urllib.parse.urlencode({"status": status, "cursor": cursor}) if cursor else None
    return _render(
        visit,
        "campaigns.html",
        section="campaigns",
        campaigns=campaigns,
        wanted=status,
        statuses=[s.value for s in Status],
        next_url=next_url,
        number=lambda value: number(value, visit.language),
    )


# -- step 1: channel and template -------------------------------------------------------------------------------------


def _template_of(form: Mapping[str, str]) -> Any:
    """The campaign's `template` field from the form: a named template's key, or an inline one."""
    channel = form.get("channel", "")
    if form.get("kind") == "named":
        return form.get("named", "").strip()
    body = form.get("body", "")
    if channel == "email":
        return {"subject": form.get("subject", ""), "body": body}
    return {
        "body": body,
        "whatsapp_template": {"name": form.get("wa_name", "").strip(), "language": form.get("wa_language", "").strip()},
    }


def _template_form(visit: Visit, status: int = 200, form: Mapping[str, str] | None = None, **extra: Any) -> Response:
    from chalicelib.campaigns.content import available_templates

    values = {
        "name": "",
        "channel": "whatsapp",
        "kind": "inline",
        "named": "",
        "subject": "",
        "body": "Halo {{ customer.first_name }}, ",
        "wa_name": "promo_teks",
        "wa_language": "id",
        **dict(form or {}),
    }
    return _render(
        visit,
        "campaign_new.html",
        status=status,
        section="campaigns",
        values=values,
        channels=CHANNELS,
        named={channel: available_templates(channel) for channel in CHANNELS},
        action=extra.pop("action", "/console/campaigns/new"),
        editing=extra.pop("editing", None),
        problems=extra.pop("problems", {}),
        preview=extra.pop("preview", None),
        **extra,
    )


@page(Permission.CAMPAIGNS)
def campaign_new(visit: Visit) -> Response:
    return _template_form(visit)


@page(Permission.CAMPAIGNS)
def campaign_create(visit: Visit) -> Response:
    from chalicelib.campaigns.model import InvalidCampaign

    form = {k: v for k, v in visit.form().items() if k != "csrf"}
    body = {
        "name": form.get("name", ""),
        "channel": form.get("channel", ""),
        "template": _template_of(form),
        "segment": {"all": []},
    }
    try:
        created = _deps(visit).service().create(body, _actor(visit))
    except InvalidCampaign as error:
        return _template_form(visit, 400, form, problems=dict(error.fields))
    return visit.redirect(f"/console/campaigns/{created['id']}/audience")


def _form_of(campaign: Mapping[str, Any]) -> dict[str, str]:
    """A stored draft's channel and message as the template form's fields."""
    template = campaign.get("template")
    values = {"name": str(campaign.get("name") or ""), "channel": str(campaign.get("channel") or "whatsapp")}
    if isinstance(template, str):
        return {**values, "kind": "named", "named": template}
    template = template if isinstance(template, Mapping) else {}
    reference = template.get("whatsapp_template") if isinstance(template.get("whatsapp_template"), Mapping) else {}
    return {
        **values,
        "kind": "inline",
        "subject": str(template.get("subject") or ""),
        "body": str(template.get("body") or ""),
        "wa_name": str(reference.get("name") or ""),
        "wa_language": str(reference.get("language") or ""),
    }


@page(Permission.CAMPAIGNS)
def template_form(visit: Visit, campaign_id: str) -> Response:
    """Step 1 again, for a draft: its channel and message, to change before it goes."""
    campaign, refused = _editable(visit, campaign_id)
    if refused:
        return refused
    assert campaign is not None
    return _template_form(
        visit, 200, _form_of(campaign), action=f"/console/campaigns/{campaign_id}/template", editing=campaign
    )


@page(Permission.CAMPAIGNS)
def template_save(visit: Visit, campaign_id: str) -> Response:
    from chalicelib.campaigns.lifecycle import StateConflict
    from chalicelib.campaigns.model import InvalidCampaign

    campaign, refused = _editable(visit, campaign_id)
    if refused:
        return refused
    assert campaign is not None
    form = {k: v for k, v in visit.form().items() if k != "csrf"}
    changes = {"name": form.get("name", ""), "channel": form.get("channel", ""), "template": _template_of(form)}
    try:
        _deps(visit).service().update(campaign_id, changes, _actor(visit))
    except InvalidCampaign as error:
        action = f"/console/campaigns/{campaign_id}/template"
        return _template_form(visit, 400, form, problems=dict(error.fields), action=action, editing=campaign)
    except StateConflict:
        return visit.redirect(f"/console/campaigns/{campaign_id}")
    return visit.redirect(f"/console/campaigns/{campaign_id}/audience")


@page(Permission.CAMPAIGNS)
def campaign_preview(visit: Visit) -> Response:
    """The live preview (an htmx fragment) of the template being typed, for a sample customer."""
    from chalicelib.campaigns.model import InvalidCampaign

    form = visit.form()
    channel = form.get("channel", "whatsapp")
    channel = channel if channel in CHANNELS else "whatsapp"
    try:
        preview = (
            _deps(visit)
            .service()
            .preview_draft(channel, _template_of(form), form.get("name", ""), form.get("customer_id") or None)
        )
        problems: dict[str, str] = {}
    except InvalidCampaign as error:
        preview, problems = None, dict(error.fields)
    return _render(visit, "_campaign_preview.html", preview=preview, problems=problems, channel=channel)


# -- step 2: the audience ---------------------------------------------------------------------------------------------


def _value(field: str, op: str, raw: str) -> Any:
    """What a row's value box means for its field and operator: lists for in/not_in, numbers where numbers go."""
    from chalicelib.campaigns.segments import DATE_FIELDS, KNOWN_FIELDS, NUMBER_FIELDS

    text = raw.strip()
    if op == "exists":
        return text.lower() not in ("false", "no", "tidak", "0")
    if op in ("in", "not_in"):
        return [_value(field, "eq", part) for part in text.split(",") if part.strip()]
    numeric = field in NUMBER_FIELDS or (field not in KNOWN_FIELDS and op in ("gte", "lte"))
    if numeric and field not in DATE_FIELDS and _NUMBER.fullmatch(text):
        return float(text) if "." in text else int(text)
    return text


def _display(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def rows_of(segment: Any) -> list[dict[str, str]] | None:
    """The builder's rows for a stored filter, or None when it is more than an `all` of conditions (JSON only)."""
    if not isinstance(segment, Mapping):
        return None
    if "field" in segment:
        conditions: Any = [segment]
    elif set(segment) <= {"all"}:
        conditions = segment.get("all", [])
    else:
        return None
    rows = []
    for condition in conditions:
        if not isinstance(condition, Mapping) or "field" not in condition:
            return None
        rows.append(
            {
                "field": str(condition["field"]),
                "op": str(condition.get("op", "eq")),
                "value": _display(condition.get("value", "")),
            }
        )
    return rows


def _form_rows(form: Mapping[str, str]) -> list[dict[str, str]]:
    rows = []
    for index in range(MAX_ROWS):
        if f"field_{index}" not in form:
            continue
        rows.append(
            {
                "field": form.get(f"field_{index}", "").strip(),
                "op": form.get(f"op_{index}", "eq").strip(),
                "value": form.get(f"value_{index}", ""),
            }
        )
    return rows


def segment_of(rows: list[dict[str, str]]) -> dict[str, Any]:
    """The filter the rows mean: every filled row must hold (an empty builder is everyone)."""
    kept = [row for row in rows if row["field"]]
    return {
        "all": [{"field": r["field"], "op": r["op"], "value": _value(r["field"], r["op"], r["value"])} for r in kept]
    }


def _row_problems(fields: Mapping[str, str], rows: list[dict[str, str]]) -> tuple[dict[int, str], list[str]]:
    """Problems by builder row (the path `segment.all[i]...` of a filled row), and the others."""
    filled = [index for index, row in enumerate(rows) if row["field"]]
    by_row: dict[int, str] = {}
    other: list[str] = []
    for path, problem in fields.items():
        found = _ROW.match(path)
        if found and int(found.group(1)) < len(filled):
            row = filled[int(found.group(1))]
            by_row[row] = f"{by_row[row]}; {problem}" if row in by_row else problem
        else:
            other.append(f"{path}: {problem}")
    return by_row, other


def _audience_view(
    visit: Visit,
    campaign: Mapping[str, Any],
    rows: list[dict[str, str]] | None,
    segment: Any,
    status: int = 200,
    **extra: Any,
) -> Response:
    from chalicelib.campaigns.segments import KNOWN_FIELDS

    deps = _deps(visit)
    fields = sorted(KNOWN_FIELDS | set(deps.extra_fields()))
    return _render(
        visit,
        "campaign_audience.html",
        status=status,
        section="campaigns",
        campaign=campaign,
        rows=rows if rows is not None else [],
        json_only=rows is None,
        fields=fields,
        ops=OPS,
        segment_json=json.dumps(segment, ensure_ascii=False, indent=2),
        row_problems=extra.pop("row_problems", {}),
        problems=extra.pop("problems", []),
        audience=extra.pop("audience", None),
        number=lambda value: number(value, visit.language),
        **extra,
    )


def _editable(visit: Visit, campaign_id: str) -> tuple[dict[str, Any] | None, Response | None]:
    campaign = _campaign(visit, campaign_id)
    if campaign is None:
        return None, _not_found(visit)
    if campaign.get("status") not in ("draft", "scheduled"):
        return None, visit.redirect(f"/console/campaigns/{campaign_id}")
    return campaign, None


def _count(visit: Visit, channel: str, segment: Any, at: datetime | None = None) -> tuple[Any, dict[str, str]]:
    from chalicelib.campaigns.model import InvalidCampaign

    try:
        return _deps(visit).service().audience_of(channel, segment, at), {}
    except InvalidCampaign as error:
        return None, dict(error.fields)


@page(Permission.CAMPAIGNS)
def audience_form(visit: Visit, campaign_id: str) -> Response:
    campaign, refused = _editable(visit, campaign_id)
    if refused:
        return refused
    assert campaign is not None
    segment = campaign.get("segment") or {"all": []}
    rows = rows_of(segment)
    if rows is not None and not rows:
        rows = [{"field": "city", "op": "eq", "value": ""}]
    audience, _problems = _count(visit, str(campaign["channel"]), segment)
    return _audience_view(visit, campaign, rows, segment, audience=audience)


@page(Permission.CAMPAIGNS)
def audience_count(visit: Visit, campaign_id: str) -> Response:
    """The live count (an htmx fragment) of what the rows mean right now, and the filter they make."""
    campaign = _campaign(visit, campaign_id)
    if campaign is None:
        return _not_found(visit)
    rows = _form_rows(visit.form())
    segment = segment_of(rows)
    audience, fields = _count(visit, str(campaign["channel"]), segment)
    by_row, other = _row_problems(fields, rows)
    problems = [f"{_('Condition %(n)s', visit, n=row + 1)}: {problem}" for row, problem in by_row.items()] + other
    return _render(
        visit,
        "_campaign_audience_count.html",
        audience=audience,
        count_problems=problems,
        segment_json=json.dumps(segment, ensure_ascii=False, indent=2),
        number=lambda value: number(value, visit.language),
    )


def _(message: str, visit: Visit, **values: Any) -> str:
    text = i18n.gettext(visit.language)(message)
    return text % values if values else text


@page(Permission.CAMPAIGNS)
def audience_save(visit: Visit, campaign_id: str) -> Response:
    """Add or remove a row (the page again), or save the filter (rows or JSON) and go on to the schedule."""
    from chalicelib.campaigns.lifecycle import StateConflict
    from chalicelib.campaigns.model import InvalidCampaign

    campaign, refused = _editable(visit, campaign_id)
    if refused:
        return refused
    assert campaign is not None
    form = visit.form()
    action = form.get("action", "save")
    rows = _form_rows(form)
    if action == "add":
        rows = [*rows, {"field": "", "op": "eq", "value": ""}][:MAX_ROWS]
        return _audience_view(visit, campaign, rows, segment_of(rows))
    if action.startswith("remove:"):
        index = int(action.split(":", 1)[1]) if action.split(":", 1)[1].isdigit() else -1
        rows = [row for i, row in enumerate(rows) if i != index] or [{"field": "", "op": "eq", "value": ""}]
        return _audience_view(visit, campaign, rows, segment_of(rows))
    if action == "json":
        try:
            segment: Any = json.loads(form.get("segment_json", ""))
        except ValueError as error:
            problems = [_("The filter is not valid JSON: %(error)s", visit, error=str(error))]
            return _audience_view(visit, campaign, None, {"all": []}, 400, problems=problems)
        rows_or_none = rows_of(segment)
    else:
        segment = segment_of(rows)
        rows_or_none = rows
    try:
        _deps(visit).service().update(campaign_id, {"segment": segment}, _actor(visit))
    except InvalidCampaign as error:
        by_row, other = _row_problems(error.fields, rows_or_none or []) if rows_or_none else ({}, [])
        if not rows_or_none:
            other = [f"{path}: {problem}" for path, problem in error.fields.items()]
        return _audience_view(
            visit, campaign, rows_or_none, segment, 400, row_problems=by_row, problems=other, audience=None
        )
    except StateConflict:
        return visit.redirect(f"/console/campaigns/{campaign_id}")
    return visit.redirect(f"/console/campaigns/{campaign_id}/schedule")


# -- step 3: the schedule, and step 4: review and send ---------------------------------------------------------------


def _when(visit: Visit) -> tuple[datetime | None, str | None]:
    """The schedule the form asks for: (None: now, or the UTC moment) and what is wrong with it."""
    if visit.query.get("when", "now") != "later":
        return None, None
    raw = visit.query.get("send_at", "").strip()
    try:
        local = datetime.fromisoformat(raw)
    except ValueError:
        return None, _("Choose a day and a time.", visit)
    if local.tzinfo is None:
        local = local.replace(tzinfo=zones.tzinfo_for(visit.zone))
    moment = local.astimezone(UTC)
    if moment <= visit.now:
        return None, _("Choose a time in the future.", visit)
    return moment, None


def _timing_context(visit: Visit, campaign: Mapping[str, Any]) -> dict[str, Any]:
    moment, problem = _when(visit)
    at = moment or visit.now
    audience, fields = _count(visit, str(campaign["channel"]), campaign.get("segment") or {"all": []}, at)
    return {
        "campaign": campaign,
        "audience": audience,
        "problem": problem or ("; ".join(f"{k}: {v}" for k, v in fields.items()) or None),
        "choice": "later" if visit.query.get("when") == "later" else "now",
        "send_at_local": visit.query.get("send_at", ""),
        "moment": moment,
        "number": lambda value: number(value, visit.language),
        "moment_of": lambda value, zone=None: local_moment(value, visit, _zone_name(zone)),
    }


def _zone_name(label: str | None) -> str | None:
    return {v: k for k, v in zones.ZONE_LABELS.items()}.get(label or "")


@page(Permission.CAMPAIGNS)
def schedule_form(visit: Visit, campaign_id: str) -> Response:
    """Now or at a time; the policy's effect beside it, refreshed by htmx as the time changes."""
    campaign, refused = _editable(visit, campaign_id)
    if refused:
        return refused
    assert campaign is not None
    context = _timing_context(visit, campaign)
    template = "_campaign_timing.html" if visit.is_htmx else "campaign_schedule.html"
    default_local = zones.local_time(visit.now + timedelta(days=1), visit.zone).strftime("%Y-%m-%dT08:00")
    return _render(visit, template, section="campaigns", default_local=default_local, **context)


@page(Permission.CAMPAIGNS)
def review(visit: Visit, campaign_id: str) -> Response:
    campaign, refused = _editable(visit, campaign_id)
    if refused:
        return refused
    assert campaign is not None
    context = _timing_context(visit, campaign)
    return _render(
        visit,
        "campaign_review.html",
        section="campaigns",
        send_at=model_stamp(context["moment"]),
        **context,
    )


def model_stamp(moment: datetime | None) -> str:
    from chalicelib.campaigns.model import stamp

    return stamp(moment) if moment else ""


@page(Permission.CAMPAIGNS)
def send(visit: Visit, campaign_id: str) -> Response:
    """Start now, or schedule for `send_at` (the review's confirmed choice)."""
    from chalicelib.campaigns.lifecycle import StateConflict
    from chalicelib.campaigns.model import InvalidCampaign

    campaign = _campaign(visit, campaign_id)
    if campaign is None:
        return _not_found(visit)
    send_at = visit.form().get("send_at", "").strip()
    try:
        if send_at:
            _deps(visit).service().update(campaign_id, {"send_at": send_at}, _actor(visit))
        else:
            _deps(visit).lifecycle().start(campaign_id, _actor(visit))
    except InvalidCampaign as error:
        detail = "; ".join(f"{k}: {v}" for k, v in error.fields.items())
        return visit.refuse(400, _("The campaign cannot be sent", visit), detail)
    except StateConflict as error:
        return _conflict(visit, campaign_id, error)
    return visit.redirect(f"/console/campaigns/{campaign_id}")


def _conflict(visit: Visit, campaign_id: str, error: Any) -> Response:
    return _campaign_view(
        visit,
        campaign_id,
        409,
        problem=_("The campaign is %(status)s: that is not possible now.", visit, status=_(str(error.status), visit)),
    )


# -- a campaign's page -------------------------------------------------------------------------------------------------


def chart(campaign: Mapping[str, Any], item: Mapping[str, Any], visit: Visit) -> dict[str, Any]:
    """Bars of sends per hour (the campaign's hour buckets), as SVG coordinates the template draws."""
    from chalicelib.campaigns.model import parse_time, sent_hours

    hours = dict(sent_hours(item))
    now_hour = visit.now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    started = parse_time(campaign.get("started_at"))
    first = min([*hours, *([started.replace(minute=0, second=0)] if started else [])], default=now_hour)
    last = max([*hours, now_hour]) if hours else now_hour
    if last - first > timedelta(hours=CHART_HOURS - 1):
        first = last - timedelta(hours=CHART_HOURS - 1)
    slots = [first + timedelta(hours=i) for i in range(int((last - first).total_seconds() // 3600) + 1)]
    slots = slots or [now_hour]
    while len(slots) < MIN_CHART_HOURS:
        slots.append(slots[-1] + timedelta(hours=1))
    most = max([hours.get(h, 0) for h in slots] + [1])
    width, height, top = 600, 160, 10
    step = width / max(len(slots), 1)
    bars = []
    for index, hour in enumerate(slots):
        value = hours.get(hour, 0)
        tall = round((height - top) * value / most, 1)
        bars.append(
            {
                "x": round(index * step + 2, 1),
                "y": round(height - tall, 1),
                "width": round(max(step - 4, 1), 1),
                "height": tall,
                "count": value,
                "label": local_moment(hour.isoformat(), visit),
            }
        )
    return {
        "bars": bars,
        "width": width,
        "height": height,
        "most": most,
        "first": local_moment(slots[0].isoformat(), visit),
        "last": local_moment(slots[-1].isoformat(), visit),
        "total": sum(hours.values()),
    }


def _actions(campaign: Mapping[str, Any], visit: Visit) -> list[str]:
    """The buttons the campaign's state allows, for a role that may change campaigns."""
    from chalicelib.campaigns.model import CANCELLABLE, RETRYABLE

    if visit.session is None or not allows(visit.session.role, Permission.CAMPAIGNS):
        return []
    status = campaign.get("status")
    found = []
    if status in ("draft", "scheduled"):
        found.append("edit")
    if status == "sending":
        found.append("pause")
    if status == "paused":
        found.append("resume")
    if status in RETRYABLE and int((campaign.get("counts") or {}).get("failed") or 0) > 0:
        found.append("retry-failed")
    if status in CANCELLABLE:
        found.append("cancel")
    return found


def _funnel_context(visit: Visit, campaign: dict[str, Any]) -> dict[str, Any]:
    item = _deps(visit).store().get(str(campaign["id"])) or {}
    return {
        "campaign": campaign,
        "counts": campaign.get("counts") or {},
        "chart": chart(campaign, item, visit),
        "actions": _actions(campaign, visit),
        "live": campaign.get("status") in LIVE,
        "number": lambda value: number(value, visit.language),
    }


def _campaign_view(visit: Visit, campaign_id: str, status: int = 200, problem: str | None = None) -> Response:
    from chalicelib.campaigns import recipients

    campaign = _campaign(visit, campaign_id)
    if campaign is None:
        return _not_found(visit)
    wanted = visit.query.get("status", "")
    wanted = wanted if wanted in recipients.STATUSES else ""
    scope = f"/console/campaigns/{campaign_id}"
    try:
        start = decode_cursor(visit.query, scope)
    except ValidationFailed:
        start = None
    customers = visit.container.customers.repository()
    rows, last = recipients.page(
        visit.container.customers.message_log(), customers, campaign_id, RECIPIENTS_PAGE, start, wanted or None
    )
    cursor = encode_cursor(last, scope)
    query = {"status": wanted} if wanted else {}
    role = visit.session.role if visit.session else ""
    return _render(
        visit,
        "campaign.html",
        status=status,
        section="campaigns",
        problem=problem,
        notice=NOTICES.get(visit.query.get("done", "")),
        rows=rows,
        statuses=recipients.STATUSES,
        wanted=wanted,
        next_url=f"{scope}?" + urllib.parse.urlencode({**query, "cursor": cursor}) if cursor else None,
        export_url=(
            f"{scope}/recipients.csv" + ("?" + urllib.parse.urlencode(query) if query else "")
            if allows(role, Permission.CUSTOMERS_EXPORT)
            else None
        ),
        link_customers=allows(role, Permission.CUSTOMERS_READ),
        **_funnel_context(visit, campaign),
    )


NOTICES = {
    "pause": "The campaign is paused.",
    "resume": "The campaign is sending again.",
    "cancel": "The campaign is cancelled.",
    "retry-failed": "The failed messages are being sent again.",
}


@page(Permission.CAMPAIGNS_READ)
def campaign_page(visit: Visit, campaign_id: str) -> Response:
    return _campaign_view(visit, campaign_id)


@page(Permission.CAMPAIGNS_READ)
def campaign_funnel(visit: Visit, campaign_id: str) -> Response:
    """The funnel, chart and buttons: the fragment htmx polls while the campaign moves."""
    campaign = _campaign(visit, campaign_id)
    if campaign is None:
        return _not_found(visit)
    return _render(visit, "_campaign_funnel.html", **_funnel_context(visit, campaign))


@page(Permission.CAMPAIGNS)
def change(visit: Visit, campaign_id: str, action: str) -> Response:
    """Pause, resume, cancel or retry the failed messages: the lifecycle's transitions, refused when the state is not
    right (the page says so, with the current state)."""
    from chalicelib.campaigns.lifecycle import StateConflict

    lifecycle = _deps(visit).lifecycle()
    steps = {
        "pause": lambda: lifecycle.pause(campaign_id, _actor(visit)),
        "resume": lambda: lifecycle.resume(campaign_id, _actor(visit)),
        "cancel": lambda: lifecycle.cancel(campaign_id, _actor(visit)),
        "retry-failed": lambda: lifecycle.retry_failed(campaign_id, _actor(visit)),
    }
    if _campaign(visit, campaign_id) is None:
        return _not_found(visit)
    try:
        steps[action]()
    except StateConflict as error:
        return _conflict(visit, campaign_id, error)
    return visit.redirect(f"/console/campaigns/{campaign_id}?done={action}")


@page(Permission.CUSTOMERS_EXPORT)
def export_recipients(visit: Visit, campaign_id: str) -> Response:
    """Every recipient with status and reason as CSV (spreadsheet-safe cells, audited, at most 20,000 rows)."""
    from chalicelib.campaigns import recipients

    if _campaign(visit, campaign_id) is None:
        return _not_found(visit)
    wanted = visit.query.get("status", "")
    text, rows = recipients.export_csv(
        visit.container.customers.message_log(),
        visit.container.customers.repository(),
        campaign_id,
        wanted if wanted in recipients.STATUSES else None,
    )
    assert visit.session is not None
    visit.container.customers.audit().record(
        visit.session.name, "campaign.recipients_exported", campaign_id, visit.now, rows=rows
    )
    return visit.respond(
        text,
        200,
        {
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="recipients-{campaign_id}.csv"',
        },
    )
