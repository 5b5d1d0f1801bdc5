"""GET /health: no auth, answers load balancers and `make run`'s readiness wait."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib import health
from chalicelib.core.composition import wired
from chalicelib.core.contract import api
from chalicelib.core.http import json_response

bp = Blueprint(__name__)


@bp.route("/health", methods=["GET"])
@api(summary="Whether every table and queue answers", tag="health", responses={200: "Health", 503: "Health"})
def get_health() -> Response:
    container = wired(bp)
    report = health.check(container.settings, container.aws)
    return json_response(report.body(), status=200 if report.ok else 503)
