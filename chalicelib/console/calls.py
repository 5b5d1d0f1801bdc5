"""The telemarketers' call list: a day's calls by status and kind, one click per outcome, every attempt shown.

It reads and records through the same `CallDesk` the API's `/telegreeting`
routes use, so an attempt made here is kept, audited and turned into a status
exactly as one made through the API.
"""

from __future__ import annotations

import urllib.parse
from datetime import date, datetime

from chalice.app import Response
from pydantic import BaseModel, ConfigDict, Field

from chalicelib.access.roles import Permission
from chalicelib.console import i18n
from chalicelib.console.pages import FormInvalid, Visit, page
from chalicelib.core import zones
from chalicelib.core.errors import ApiError
from chalicelib.greetings import calls

LIST_SIZE = 100
FILTERS = ("day", "status", "kind")


class AttemptForm(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    outcome: str = Field(default="", max_length=20)
    notes: str = Field(default="", max_length=calls.NOTE_MAX)
    callback_at: str = Field(default="", max_length=20, description="datetime-local, in the viewer's zone")
    back: str = Field(default="", max_length=200)


def _chosen(visit: Visit, query: dict[str, str]) -> tuple[dict[str, str], date, dict[str, str]]:
    """The filter form's values, the day they name, and what was wrong with them."""
    chosen = {name: str(query.get(name) or "").strip()[:20] for name in FILTERS}
    problems: dict[str, str] = {}
    today = zones.local_date(visit.now, visit.zone)
    day = today
    if chosen["day"]:
        try:
            day = date.fromisoformat(chosen["day"])
        except ValueError:
            problems["day"] = "must be a date YYYY-MM-DD"
    if chosen["status"] and chosen["status"] not in calls.STATUSES:
        problems["status"] = f"must be one of {', '.join(calls.STATUSES)}"
        chosen["status"] = ""
    if chosen["kind"] and chosen["kind"] not in calls.KINDS:
        problems["kind"] = f"must be one of {', '.join(calls.KINDS)}"
        chosen["kind"] = ""
    chosen["day"] = day.isoformat()
    return chosen, day, problems


def _page(visit: Visit, query: dict[str, str], status: int = 200, problems: dict[str, str] | None = None) -> Response:
    chosen, day, wrong = _chosen(visit, query)
    desk = visit.container.greetings.call_desk()
    tasks, _ = desk.page(day, LIST_SIZE, None, chosen["status"] or None, chosen["kind"] or None)
    tasks.sort(key=lambda t: (t.get("status") == "done", str(t.get("callback_at") or ""), str(t.get("name") or "")))
    shared = urllib.parse.urlencode({k: v for k, v in chosen.items() if v})
    return visit.render(
        "calls.html",
        status=status,
        section="calls",
        tasks=tasks,
        chosen=chosen,
        statuses=calls.STATUSES,
        kinds=calls.KINDS,
        outcomes=calls.OUTCOMES,
        back=f"/console/calls?{shared}",
        problems={**wrong, **(problems or {})},
        notice=query.get("notice"),
        quote=lambda value: urllib.parse.quote(str(value), safe=""),
    )


@page(Permission.TELEGREETING)
def calls_page(visit: Visit) -> Response:
    return _page(visit, visit.query)


def _callback_at(value: str, zone: str) -> datetime | None:
    """A datetime-local value from the form, on the viewer's clock."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise FormInvalid({"callback_at": "must be a date and time"}) from None
    return moment.replace(tzinfo=zones.tzinfo_for(zone)) if moment.tzinfo is None else moment


def _safe_back(value: str) -> str:
    return value if value.startswith("/console/calls") and "//" not in value else "/console/calls"


@page(Permission.TELEGREETING)
def record(visit: Visit, task_id: str) -> Response:
    task_id = urllib.parse.unquote(task_id)
    back = _safe_back(str(visit.form().get("back") or ""))
    shown = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(back).query))  # the list the visitor was on
    try:
        form = visit.parse(AttemptForm)
        visit.container.greetings.call_desk().record(
            task_id,
            form.outcome,
            form.notes or None,
            _callback_at(form.callback_at, visit.zone) if form.outcome == "callback" else None,
            visit.session.name if visit.session else "",
        )
    except FormInvalid as invalid:
        return _page(visit, shown, status=400, problems=invalid.problems)
    except ApiError as error:
        translate = i18n.gettext(visit.language)
        if error.status == 409:
            message = translate("This call has %(count)s attempts already: no more can be recorded.") % {
                "count": calls.MAX_ATTEMPTS
            }
        else:
            message = "; ".join(f"{k}: {v}" for k, v in error.fields.items()) or error.message
        return _page(visit, shown, status=error.status, problems={"call": message})
    separator = "&" if "?" in back else "?"
    notice = urllib.parse.urlencode({"notice": "Call recorded"})
    return visit.redirect(f"{back}{separator}{notice}#task-{urllib.parse.quote(task_id, safe='')}")
