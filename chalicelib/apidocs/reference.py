"""The readable API reference: the OpenAPI document turned into one HTML page (jinja2, autoescaped).

Nothing on the page runs: no script, no inline style, one stylesheet served by
Sapa itself, so the strict Content-Security-Policy of the route holds.
Every text from the document is escaped by the template.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

METHOD_ORDER = ("get", "post", "put", "patch", "delete")
REF_PREFIX = "#/components/schemas/"


def _roles(permission: str | None) -> list[str]:
    from chalicelib.access.roles import MATRIX, Permission

    if permission is None:
        return []
    try:
        wanted = Permission(permission)
    except ValueError:
        return []
    return [role.value for role, granted in MATRIX.items() if wanted in granted]


def _schema_name(schema: Mapping[str, Any] | None) -> str | None:
    ref = (schema or {}).get("$ref")
    return str(ref).removeprefix(REF_PREFIX) if isinstance(ref, str) and ref.startswith(REF_PREFIX) else None


def _type_text(schema: Mapping[str, Any]) -> str:
    name = _schema_name(schema)
    if name:
        return name
    if "anyOf" in schema:
        return " | ".join(_type_text(branch) for branch in schema["anyOf"])
    if "enum" in schema:
        return " | ".join(json.dumps(value) for value in schema["enum"])
    kind = str(schema.get("type", "any"))
    if kind == "array":
        return f"list of {_type_text(schema.get('items') or {})}"
    if schema.get("format"):
        return f"{kind} ({schema['format']})"
    return kind


def _content(content: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    return [
        {"media": media, "schema": _schema_name(body.get("schema")), "type": _type_text(body.get("schema") or {})}
        for media, body in (content or {}).items()
    ]


def _operation(path: str, method: str, operation: Mapping[str, Any]) -> dict[str, Any]:
    permission = operation.get("x-permission")
    body = operation.get("requestBody")
    return {
        "anchor": operation["operationId"],
        "method": method.upper(),
        "path": path,
        "summary": operation.get("summary", ""),
        "description": operation.get("description", ""),
        "public": not operation.get("security"),
        "permission": permission,
        "roles": _roles(permission),
        "parameters": [
            {
                "name": parameter["name"],
                "where": parameter["in"],
                "required": parameter.get("required", False),
                "type": _type_text(parameter.get("schema") or {}),
                "description": parameter.get("description", ""),
            }
            for parameter in operation.get("parameters", [])
        ],
        "body": ({"required": body.get("required", False), "content": _content(body.get("content"))} if body else None),
        "checked_by": operation.get("x-checked-by"),
        "responses": [
            {"status": status, "description": answer.get("description", ""), "content": _content(answer.get("content"))}
            for status, answer in operation.get("responses", {}).items()
        ],
    }


def _fields(schema: Mapping[str, Any]) -> list[dict[str, Any]]:
    required = set(schema.get("required", []))
    return [
        {
            "name": name,
            "type": _type_text(prop),
            "required": name in required,
            "description": prop.get("description", ""),
            "constraints": ", ".join(
                f"{key} {json.dumps(prop[key], ensure_ascii=False)}"
                for key in ("minLength", "maxLength", "pattern", "minimum", "maximum", "minItems", "maxItems")
                if key in prop
            ),
        }
        for name, prop in (schema.get("properties") or {}).items()
    ]


def view(document: Mapping[str, Any]) -> dict[str, Any]:
    """The page's context: operations grouped by tag, then every schema with its fields and its JSON Schema."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for path, item in document["paths"].items():
        for method in METHOD_ORDER:
            if method in item:
                operation = item[method]
                for tag in operation.get("tags") or ["other"]:
                    groups.setdefault(tag, []).append(_operation(path, method, operation))
    schemas = document.get("components", {}).get("schemas", {})
    return {
        "title": document["info"]["title"],
        "version": document["info"]["version"],
        "openapi": document["openapi"],
        "description": document["info"].get("description", ""),
        "groups": [{"tag": tag, "operations": groups[tag]} for tag in sorted(groups)],
        "schemas": [
            {
                "name": name,
                "description": schema.get("description", ""),
                "fields": _fields(schema),
                "json": json.dumps(schema, indent=2, ensure_ascii=False),
            }
            for name, schema in sorted(schemas.items())
        ],
        "operation_count": sum(len(group) for group in groups.values()),
    }


def render_reference(document: Mapping[str, Any]) -> str:
    from chalicelib.core import rendering

    return rendering.render("apidocs/reference.html.j2", view(document))


def stylesheet() -> str:
    from chalicelib.core.rendering import TEMPLATES_DIR

    return (TEMPLATES_DIR / "apidocs" / "style.css").read_text(encoding="utf-8")
