"""What a journey step says: a named template under templates/journeys/ or an inline one per channel and language.

Named templates follow the campaigns' layout (`campaigns.content`), one
folder per message: `whatsapp.<lang>.txt.j2` (what the customer reads, kept
in the message log), `whatsapp.<lang>.params.j2` (the approved template's body
parameters, one a line), `whatsapp.json` (the Meta template's name and
languages), `email.<lang>.subject.j2`, `email.<lang>.txt.j2` and optionally
`email.<lang>.html.j2`. The customer's language falls back to Indonesian.

Inline templates are the campaigns' sandboxed `InlineTemplate`, given as
`{channel: {language: {"body", "subject"?, "whatsapp_template"?}}}`; the
journey's own facts (the contract's installment, due day, virtual account)
reach them through `customer.attributes`, the only free-form map the sandbox
allows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import jinja2

from chalicelib.campaigns.content import Rendered, check_size, parse_content
from chalicelib.campaigns.inline_template import InvalidTemplate, RenderError, one_line_subject
from chalicelib.core import rendering
from chalicelib.journeys.model import LANGUAGES, Action

ROOT = "journeys"
DEFAULT_LANGUAGE = "id"
_NAME = re.compile(r"[a-z0-9][a-z0-9_]{0,63}")


def _path(name: str, file: str) -> str:
    return f"{ROOT}/{name}/{file}"


def _exists(name: str, file: str) -> bool:
    return rendering.exists(_path(name, file))


def named_problem(name: str, channel: str) -> str | None:
    """Why `name` cannot send on `channel`, or None."""
    if not _NAME.fullmatch(name):
        return "must be a template name (lowercase letters, digits and _)"
    required = [f"{channel}.{DEFAULT_LANGUAGE}.txt.j2"]
    required += (
        [f"email.{DEFAULT_LANGUAGE}.subject.j2"]
        if channel == "email"
        else [
            f"whatsapp.{DEFAULT_LANGUAGE}.params.j2",
            "whatsapp.json",
        ]
    )
    missing = [f for f in required if not _exists(name, f)]
    if missing:
        return f"template '{name}' has no {channel} version (missing {', '.join(missing)})"
    return None


def content_problems(action: Action, path: str) -> dict[str, str]:
    """Every reason the action's content cannot be sent on each of its channels."""
    if action.kind != "message":
        return {}
    errors: dict[str, str] = {}
    for channel in action.channels:
        if action.template is not None:
            problem = named_problem(action.template, channel)
            if problem:
                errors[f"{path}.template"] = problem
            continue
        per_language = action.inline.get(channel)
        if not isinstance(per_language, Mapping) or DEFAULT_LANGUAGE not in per_language:
            errors[f"{path}.inline.{channel}"] = f"needs at least the '{DEFAULT_LANGUAGE}' text for {channel}"
            continue
        for language, raw in per_language.items():
            where = f"{path}.inline.{channel}.{language}"
            if language not in LANGUAGES:
                errors[where] = f"language must be one of {', '.join(LANGUAGES)}"
                continue
            try:
                parse_content(raw, channel)
            except InvalidTemplate as error:
                errors.update({f"{where}{k.removeprefix('template')}": v for k, v in error.fields.items()})
    return errors


def render(action: Action, channel: str, language: str, context: Mapping[str, Any]) -> Rendered:
    """One customer's message on `channel`; RenderError when the template fails for this customer."""
    if action.template is None:
        per_language = action.inline[channel]
        lang = language if language in per_language else DEFAULT_LANGUAGE
        return parse_content(dict(per_language[lang]), channel).render(context, lang)
    name = action.template
    lang = language if language in LANGUAGES and _exists(name, f"{channel}.{language}.txt.j2") else DEFAULT_LANGUAGE
    values = dict(context)
    if channel == "email":
        html_file = f"email.{lang}.html.j2"
        html = _render(name, html_file, values) if _exists(name, html_file) else None
        subject = one_line_subject(_render(name, f"email.{lang}.subject.j2", values))
        return check_size(Rendered(_render(name, f"email.{lang}.txt.j2", values), subject, html), "email")
    mapping = _whatsapp_mapping(name)
    params = [line.strip() for line in _render(name, f"whatsapp.{lang}.params.j2", values).splitlines() if line.strip()]
    message = Rendered(
        text=_render(name, f"whatsapp.{lang}.txt.j2", values),
        whatsapp_template={"name": mapping["name"], "language": mapping["languages"].get(lang, lang), "params": params},
    )
    return check_size(message, "whatsapp")


def _render(name: str, file: str, context: dict[str, Any]) -> str:
    try:
        return rendering.render(_path(name, file), context)
    except jinja2.UndefinedError as error:
        raise RenderError("template", f"{file}: {error.message}") from None
    except (jinja2.TemplateError, ArithmeticError, TypeError, ValueError, LookupError) as error:
        raise RenderError("template", f"{file} failed: {type(error).__name__}") from None


@lru_cache(maxsize=64)
def _whatsapp_mapping(name: str) -> dict[str, Any]:
    data = json.loads((rendering.TEMPLATES_DIR / ROOT / name / "whatsapp.json").read_text(encoding="utf-8"))
    return {"name": str(data["name"]), "languages": dict(data.get("languages") or {})}
