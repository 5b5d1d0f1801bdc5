"""The OpenAPI 3.1 document of a Chalice app, built from its routes and their `contract.api` declarations.

Paths, methods, path parameters and security come from the routes themselves
(`app.routes`); bodies, query strings, headers and answers from the models each
route declares. Every model lands once in `components.schemas` (pydantic's
JSON Schemas are JSON Schema 2020-12, which OpenAPI 3.1 takes as they are).
Every error is documented in Sapa's shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalice.app import Chalice, RouteEntry
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from chalicelib.core.contract import JSON, ApiSpec, resolve, spec_of

OPENAPI_VERSION = "3.1.0"
REF = "#/components/schemas/{model}"
ERROR_STATUSES = {
    400: "Invalid input: `fields` names each field at fault by its dotted location",
    401: "No valid staff token",
    403: "The staff member's role does not allow this",
    404: "No such resource",
    409: "The resource's state does not allow this (or it changed meanwhile)",
    413: "The body is too large",
    415: "The body is not of a media type this route takes",
    422: "Well-formed, but it cannot be done as asked",
    503: "A dependency is not answering",
}


CONSOLE_PREFIX = "/console"
"""The staff console's HTML pages are not part of the API (the README describes them)."""


def operations(app: Chalice) -> list[tuple[str, str, RouteEntry]]:
    """(path, method, route) for every API route of the app, in path order."""
    return sorted(
        (
            (path, method, entry)
            for path, methods in app.routes.items()
            if path != CONSOLE_PREFIX and not path.startswith(CONSOLE_PREFIX + "/")
            for method, entry in methods.items()
        ),
        key=lambda item: (item[0], item[1]),
    )


def document(app: Chalice, permissions: Mapping[tuple[str, str], Any] | None = None) -> dict[str, Any]:
    """The app's OpenAPI 3.1 document; `permissions` maps (method, path) to the permission a route requires."""
    permissions = permissions or {}
    builder = _Builder()
    paths: dict[str, dict[str, Any]] = {}
    for path, method, entry in operations(app):
        paths.setdefault(path, {})[method.lower()] = builder.operation(
            path, method, entry, spec_of(entry.view_function), permissions.get((method, path), _UNKNOWN)
        )
    schemas = builder.schemas()
    paths = _replace_refs(paths, builder.refs)
    tags = sorted({tag for item in paths.values() for op in item.values() for tag in op.get("tags", [])})
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "Sapa",
            "version": _version(),
            "description": (
                "Social CRM for consumer-finance companies: customers and consent, campaigns, greetings, "
                "the agents' inbox and the delivery pipeline. Every 4xx body is "
                '`{"error": code, "message": text, "fields"?: {name: problem}}`.'
            ),
        },
        "tags": [{"name": tag} for tag in tags],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "staffToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A staff token (`sapa staff add`); the role decides what it may do",
                }
            },
        },
    }


_UNKNOWN = object()


def _version() -> str:
    from chalicelib.health import VERSION

    return str(VERSION)


class _Builder:
    """Collects the models operations refer to, then emits them all once as components."""

    def __init__(self) -> None:
        self.models: dict[tuple[type[BaseModel], str], None] = {}
        self.refs: dict[str, Any] = {}

    def ref(self, model: type[BaseModel], mode: str) -> dict[str, Any]:
        self.models[(model, mode)] = None
        return {"$ref": f"__model__{id(model)}__{mode}"}

    def schemas(self) -> dict[str, Any]:
        from chalicelib.core.api_models import ErrorBody

        self.models[(ErrorBody, "serialization")] = None
        keys = list(self.models)
        mapping, definitions = models_json_schema(keys, ref_template=REF)  # type: ignore[arg-type]
        self.refs = {f"__model__{id(model)}__{mode}": value for (model, mode), value in mapping.items()}
        return dict(sorted(definitions.get("$defs", {}).items()))

    def operation(self, path: str, method: str, entry: RouteEntry, spec: ApiSpec | None, permission: Any) -> Any:
        spec = spec or ApiSpec(module=entry.view_function.__module__)
        operation: dict[str, Any] = {
            "operationId": entry.view_name,
            "tags": [spec.tag or _tag(spec.module)],
            "summary": spec.summary or entry.view_name.replace("_", " "),
        }
        description = (entry.view_function.__doc__ or "").strip()
        description = " ".join(description.split())
        if description and description != operation["summary"]:
            operation["description"] = description
        if permission is not _UNKNOWN:
            operation["x-permission"] = str(permission.value) if permission is not None else None
        parameters = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
            for name in entry.view_args
        ]
        if spec.query:
            parameters.extend(self._parameters(resolve(spec.query, spec.module), "query"))
        if spec.headers:
            parameters.extend(self._parameters(resolve(spec.headers, spec.module), "header"))
        if parameters:
            operation["parameters"] = parameters
        if spec.body:
            media = spec.body_media
            schema = (
                self.ref(resolve(spec.body, spec.module), "validation")
                if media == JSON
                else {"type": "string", "description": spec.body}
            )
            operation["requestBody"] = {"required": spec.body_required, "content": {media: {"schema": schema}}}
            if spec.checked_by:
                operation["x-checked-by"] = spec.checked_by
        responses: dict[str, Any] = {}
        for status, answer in sorted(spec.responses.items()):
            responses[str(status)] = self._response(status, answer, spec.module)
        errors = {400, *spec.errors}
        if entry.authorizer is not None:
            errors |= {401, 403}
            operation["security"] = [{"staffToken": []}]
        if entry.view_args:
            errors.add(404)
        if spec.body or entry.content_types != [JSON]:
            errors.add(415)
        for status in sorted(errors):
            responses.setdefault(str(status), self._error(status))
        operation["responses"] = responses
        return operation

    def _parameters(self, model: type[BaseModel], where: str) -> list[dict[str, Any]]:
        schema = model.model_json_schema(ref_template=REF)
        required = set(schema.get("required", []))
        parameters = []
        for name, prop in schema.get("properties", {}).items():
            prop = _not_null(prop)
            description = prop.pop("description", None)
            prop.pop("title", None)
            parameter: dict[str, Any] = {"name": name, "in": where, "required": name in required, "schema": prop}
            if description:
                parameter["description"] = description
            parameters.append(parameter)
        return parameters

    def _response(self, status: int, answer: str | None, module: str) -> dict[str, Any]:
        if status >= 400 and answer is None:
            return self._error(status)
        description = {200: "OK", 201: "Created", 202: "Accepted", 204: "No content"}.get(
            status, ERROR_STATUSES.get(status, "OK")
        )
        if answer is None:
            return {"description": description}
        if "/" in answer:
            return {"description": description, "content": {answer: {"schema": {"type": "string"}}}}
        return {
            "description": description,
            "content": {JSON: {"schema": self.ref(resolve(answer, module), "serialization")}},
        }

    def _error(self, status: int) -> dict[str, Any]:
        return {
            "description": ERROR_STATUSES.get(status, "Error"),
            "content": {JSON: {"schema": {"$ref": REF.format(model="ErrorBody")}}},
        }


def _not_null(schema: Mapping[str, Any]) -> dict[str, Any]:
    """A parameter's schema without pydantic's `| None` branch: a query string or header is absent, never null."""
    schema = dict(schema)
    branches = [branch for branch in schema.get("anyOf", []) if branch != {"type": "null"}]
    if "anyOf" in schema and len(branches) == 1:
        del schema["anyOf"]
        schema = {**branches[0], **schema}
    if schema.get("default", ...) is None:
        del schema["default"]
    return schema


def _tag(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 else parts[-1].removesuffix("_routes")


def _replace_refs(node: Any, refs: Mapping[str, Any]) -> Any:
    if isinstance(node, dict):
        if set(node) == {"$ref"} and node["$ref"] in refs:
            return refs[node["$ref"]]
        return {key: _replace_refs(value, refs) for key, value in node.items()}
    if isinstance(node, list):
        return [_replace_refs(value, refs) for value in node]
    return node
