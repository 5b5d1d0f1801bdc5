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

A body that is not a JSON object a model can read (the Meta webhook, checked
by its signature on the raw bytes; a CSV file, by its row parser) is declared
with `checked_by=` the checker's name: the model documents it, the checker
decides.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, TypeVar

from chalice.app import Chalice, Request, Response

from chalicelib.core.errors import ValidationFailed
from chalicelib.core.http import error_response, json_object, parse_model, query

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M")

SPEC_ATTRIBUTE = "__sapa_api__"
SHARED_MODELS = "chalicelib.core.api_models"
SHARED = frozenset({"Page", "PageQuery", "ErrorBody", "Health"})
_GENERIC = re.compile(r"^(?P<outer>[\w.:]+)\[(?P<inner>[\w.:]+)\]$")
JSON = "application/json"

Answer = str | None
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
    responses: Mapping[int, Answer] = field(default_factory=dict)
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
    responses: Mapping[int, Answer] | None = None,
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


@lru_cache(maxsize=256)
def resolve(name: str, module: str) -> Any:
    """A model by name: "Name" in the route package's schemas module, "pkg.mod:Name", or "Page[Name]"."""
    from pydantic import BaseModel

    generic = _GENERIC.match(name)
    if generic:
        return resolve(generic["outer"], module)[resolve(generic["inner"], module)]
    if ":" in name:
        module_name, _, attribute = name.partition(":")
    elif name in SHARED:
        module_name, attribute = SHARED_MODELS, name
    else:
        module_name, attribute = module.rsplit(".", 1)[0] + ".schemas", name
    model = getattr(importlib.import_module(module_name), attribute, None)
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        raise LookupError(f"{name} (declared in {module}) is not a pydantic model in {module_name}")
    return model


def query_validation(app: Chalice) -> Callable[[Request, Callable[[Request], Response]], Response]:
    """Middleware: a query string is validated by its route's declared query model before the handler runs.

    A request without a query string costs nothing (every query field is optional): pydantic is
    imported only when a route that declares a query model is called with one.
    """

    def check(event: Request, get_response: Callable[[Request], Response]) -> Response:
        params = event.query_params
        if params:
            path = str((event.context or {}).get("resourcePath") or "")
            entry = app.routes.get(path, {}).get(event.method)
            spec = spec_of(entry.view_function) if entry is not None else None
            if spec is not None and spec.query:
                from pydantic import ValidationError

                from chalicelib.core.errors import pydantic_fields

                try:
                    resolve(spec.query, spec.module).model_validate(dict(params))
                except ValidationError as error:
                    return error_response(ValidationFailed(pydantic_fields(error)))
        return get_response(event)

    return check
