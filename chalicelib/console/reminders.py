"""The reminders report: steps sent per channel, payments after each step, the overdue rate, and the ladder.

The same figures as `GET /reminders/metrics` for a period of up to 92 days (the last 30 by default), and
the ladder as `GET /reminders/ladder` shows it. Read-only: the ladder is edited over the API.
"""

from __future__ import annotations

from chalice.app import Response

from chalicelib.access.roles import Permission
from chalicelib.console import i18n
from chalicelib.console.pages import Visit, page
from chalicelib.core import zones
from chalicelib.core.errors import ValidationFailed


@page(Permission.METRICS_READ)
def reminders_page(visit: Visit) -> Response:
    from pydantic import ValidationError

    from chalicelib.reminders.schemas import ReminderMetricsQuery

    translate = i18n.gettext(visit.language)
    today = zones.local_time(visit.now, zones.DEFAULT_ZONE).date()
    deps = visit.container.reminders
    metrics = problem = None
    query = {k: v for k, v in visit.query.items() if k in ("from", "to") and v}
    try:
        first, last = ReminderMetricsQuery.model_validate(query).period(today)
        metrics = deps.metrics(first, last)
    except ValidationError:
        problem = translate("Choose the days as dates (YYYY-MM-DD).")
    except ValidationFailed as error:
        problem = (
            translate("The first day must not be after the last.")
            if "before" in str(error.fields.get("to"))
            else translate("A reminders report covers at most 92 days.")
        )
    ladder = deps.ladder_store().read().public()
    order = list(dict.fromkeys(str(s["step"]) for s in ladder["steps"]))  # as the ladder runs: H-7 ... H+7, services
    found = {*((metrics or {}).get("sent") or {}), *((metrics or {}).get("paid_after") or {})}
    steps = sorted(found, key=lambda step: (order.index(step) if step in order else len(order), step))
    channels = sorted({c for by in ((metrics or {}).get("sent") or {}).values() for c in by})
    return visit.render(
        "reminders.html",
        section="reminders",
        metrics=metrics,
        problem=problem,
        steps=steps,
        channels=channels,
        ladder=ladder,
    )
