"""The journeys screens: every journey with its starts and completions, and one journey's conversion per step.

Read-only: journeys are written over the API (`POST /journeys`); these pages
read the same definitions and counters as `GET /journeys/{id}/metrics`.
"""

from __future__ import annotations

from chalice.app import Response

from chalicelib.access.roles import Permission
from chalicelib.console import i18n
from chalicelib.console.pages import Visit, page
from chalicelib.journeys.metrics import conversion


@page(Permission.CAMPAIGNS_READ)
def journeys_page(visit: Visit) -> Response:
    deps = visit.container.journeys
    enrolments = deps.enrolments()
    rows = [
        {"journey": journey, "metrics": conversion(journey, enrolments.counts(journey.id))}
        for journey in deps.store().all()
    ]
    return visit.render("journeys.html", section="journeys", rows=rows)


@page(Permission.CAMPAIGNS_READ)
def journey_page(visit: Visit, journey_id: str) -> Response:
    deps = visit.container.journeys
    journey = deps.store().get(journey_id)
    if journey is None:
        translate = i18n.gettext(visit.language)
        return visit.refuse(404, translate("Not found"), translate("There is no such journey."))
    metrics = conversion(journey, deps.enrolments().counts(journey_id))
    steps = [{"step": step, "metrics": counted} for step, counted in zip(journey.steps, metrics["steps"], strict=True)]
    return visit.render("journey.html", section="journeys", journey=journey, metrics=metrics, steps=steps)
