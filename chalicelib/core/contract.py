"""What each route takes and answers, declared next to the route, read by the OpenAPI document and the handler.

    @bp.route("/outbound/halt", methods=["POST"], authorizer=staff_auth)
    @api(body="HaltRequest", responses={200: "HaltState"}, summary="Halt every outbound message")
    def halt_outbound() -> Response:
        request = read_body(bp.current_request, HaltRequest)

Models are named, not imported, so a cold start does not pay for pydantic
until a handler parses with it: a bare name is a model in the route's own
package's `schemas` module (`chalicelib.outbound.schemas.HaltRequest`), a
dotted "module:Name" is anywhere. `chalicelib.core.openapi` resolves every
name (a name that resolves to nothing fails the document's tests), and the
handler validates with the same class through `read_body` / `read_query`:
a pydantic error is Sapa's 400 with `fields` naming each field by its dotted
location.

A body a hand-written validator still checks (a customer, a campaign, a
holiday override: their error messages are part of the API) is declared with
`checked_by=` the validator's name: the model documents it, the validator
decides.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from chalice.app import Request

from chalicelib.core.http import json_object, parse_model, query

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M")

SPEC_ATTRIBUTE = "__sapa_api__"
JSON = "application/json"

Response = str | None
"""A model name (JSON), a media type such as "text/html" (a text body), or None (no body)."""


@dataclass(frozen=True)
class ApiSpec:
    module: str
    summary: str = ""
    tag: str | None = None
    body: str | None = None
    body_media: str = JSON
    body_required: bool = True
    checked_by: str | None = None
    query: str | None = None
    headers: str | None = None
    responses: Mapping[int, Response] = field(default_factory=dict)
    errors: tuple[int, ...] = ()
    """Error statuses beyond those every route can answer (400, and 401/403 behind the authorizer, 404 on paths
    with parameters)."""


def api(
    *,
    summary: str = "",
    tag: str | None = None,
    body: str | None = None,
    body_media: str = JSON,
    body_required: bool = True,
    checked_by: str | None = None,
    query: str | None = None,
    headers: str | None = None,
    responses: Mapping[int, Response] | None = None,
    errors: tuple[int, ...] = (),
) -> Callable[[F], F]:
    """Declare a route's request and responses; the view function is returned unchanged."""

    def declare(view: F) -> F:
        spec = ApiSpec(
            module=view.__module__,
            summary=summary or (view.__doc__ or "").strip().split("\n")[0],
            tag=tag,
            body=body,
            body_media=body_media,
            body_required=body_required,
            checked_by=checked_by,
            query=query,
            headers=headers,
            responses=dict(responses or {200: None}),
            errors=errors,
        )
        setattr(view, SPEC_ATTRIBUTE, spec)
        return view

    return declare


def spec_of(view: Callable[..., Any]) -> ApiSpec | None:
    return getattr(view, SPEC_ATTRIBUTE, None)


def read_body(request: Request, model: type[M]) -> M:
    """The JSON body validated by its model; a 400 naming each field otherwise."""
    return parse_model(model, json_object(request))


def read_optional_body(request: Request, model: type[M]) -> M:
    """As read_body, but no body at all is the model's defaults."""
    raw = request.raw_body
    return parse_model(model, json_object(request) if raw and raw.strip() else {})


def read_query(request: Request, model: type[M]) -> M:
    """The query string validated by its model (names by alias, e.g. `hub.mode`)."""
    return parse_model(model, query(request))
