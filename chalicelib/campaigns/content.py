"""What a campaign says: a named template from templates/campaigns/ or an inline one written by staff.

Both kinds render from the same context (`inline_template.build_context`) into
the same `Rendered` shape, so preview, test sends and the fan-out never care
which kind a campaign uses.

Named templates are repository files reviewed like code, so they render in the
ordinary (non-sandboxed) environment of `chalicelib.core.rendering`. A named
template is a directory `templates/campaigns/<name>/` holding, per language
(`id`, `en`; the customer's language, falling back to `id`):

* WhatsApp: `whatsapp.<lang>.txt.j2` (the text of the approved template as the
  customer reads it, kept in the message log), `whatsapp.<lang>.params.j2`
  (the approved template's body parameters, one per line) and `whatsapp.json`
  mapping to the Meta template: `{"name": ..., "languages": {"id": "id", ...}}`.
  Business-initiated WhatsApp messages must use a Meta-approved template.
* email: `email.<lang>.subject.j2`, `email.<lang>.txt.j2` and optionally
  `email.<lang>.html.j2`.

Inline WhatsApp templates name their approved template in `whatsapp_template`;
that template must have exactly one body parameter, which receives the
rendered text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

import jinja2

from chalicelib.campaigns.inline_template import InlineTemplate, InvalidTemplate, RenderError
from chalicelib.core import rendering

NAMED_ROOT = "campaigns"
LANGUAGES: tuple[str, ...] = ("id", "en")
DEFAULT_LANGUAGE = "id"

_NAME = re.compile(r"[a-z0-9][a-z0-9_]{0,63}")


@dataclass(frozen=True)
class Rendered:
    """One recipient's message, ready to become an outbound envelope."""

    text: str
    subject: str | None = None
    html: str | None = None
    whatsapp_template: dict[str, Any] | None = None  # {"name", "language", "params": [...]}

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"text": self.text}
        for key in ("subject", "html", "whatsapp_template"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data


class Content(Protocol):
    def render(self, context: Mapping[str, Any], language: str) -> Rendered: ...


@dataclass(frozen=True)
class InlineContent:
    template: InlineTemplate
    channel: str

    def render(self, context: Mapping[str, Any], language: str) -> Rendered:
        rendered = self.template.render(context)
        if self.channel == "email":
            return Rendered(text=rendered.text, subject=rendered.subject, html=rendered.html)
        reference = self.template.whatsapp_template
        assert reference is not None  # parse_content refuses WhatsApp inline templates without one
        return Rendered(
            text=rendered.text,
            whatsapp_template={"name": reference.name, "language": reference.language, "params": [rendered.text]},
        )


@dataclass(frozen=True)
class NamedContent:
    name: str
    channel: str

    def _language(self, language: str) -> str:
        first = f"{self.channel}.{language}.txt.j2"
        return language if language in LANGUAGES and _exists(self.name, first) else DEFAULT_LANGUAGE

    def render(self, context: Mapping[str, Any], language: str) -> Rendered:
        lang = self._language(language)
        values = dict(context)
        if self.channel == "email":
            html = None
            if _exists(self.name, f"email.{lang}.html.j2"):
                html = _render(self.name, f"email.{lang}.html.j2", values)
            subject = " ".join(_render(self.name, f"email.{lang}.subject.j2", values).split())
            return Rendered(text=_render(self.name, f"email.{lang}.txt.j2", values), subject=subject, html=html)
        mapping = _whatsapp_mapping(self.name)
        params_text = _render(self.name, f"whatsapp.{lang}.params.j2", values)
        params = [line.strip() for line in params_text.splitlines() if line.strip()]
        return Rendered(
            text=_render(self.name, f"whatsapp.{lang}.txt.j2", values),
            whatsapp_template={
                "name": mapping["name"],
                "language": mapping["languages"].get(lang, lang),
                "params": params,
            },
        )


def parse_content(raw: Any, channel: str) -> Content:
    """The campaign's `template` field as renderable content, or InvalidTemplate naming the field."""
    if isinstance(raw, str):
        problem = named_template_problem(raw, channel)
        if problem:
            raise InvalidTemplate({"template": problem})
        return NamedContent(raw, channel)
    template = InlineTemplate.parse(raw, channel=channel)  # type: ignore[arg-type]
    if channel == "whatsapp" and template.whatsapp_template is None:
        raise InvalidTemplate(
            {
                "template.whatsapp_template": "is required for WhatsApp: promotions must open with a Meta-approved "
                "template ({'name', 'language'}) whose one body parameter receives the text"
            }
        )
    return InlineContent(template, channel)


def named_template_problem(name: str, channel: str) -> str | None:
    """Why `name` is not a usable named template for `channel`, or None."""
    if not _NAME.fullmatch(name):
        return "must be a template name (lowercase letters, digits and _) or an inline template object"
    required = [f"{channel}.{DEFAULT_LANGUAGE}.txt.j2"]
    if channel == "email":
        required.append(f"email.{DEFAULT_LANGUAGE}.subject.j2")
    else:
        required += [f"whatsapp.{DEFAULT_LANGUAGE}.params.j2", "whatsapp.json"]
    if not _exists(name, required[0]):
        available = ", ".join(available_templates(channel)) or "none"
        return f"no {channel} template named '{name}'; available: {available}"
    missing = [file for file in required if not _exists(name, file)]
    if missing:
        return f"template '{name}' is incomplete: missing {', '.join(missing)}"
    if channel == "whatsapp":
        try:
            _whatsapp_mapping(name)
        except ValueError as error:
            return f"template '{name}': {error}"
    return None


def available_templates(channel: str) -> list[str]:
    root = rendering.TEMPLATES_DIR / NAMED_ROOT
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / f"{channel}.{DEFAULT_LANGUAGE}.txt.j2").is_file())


def _exists(name: str, file: str) -> bool:
    return rendering.exists(f"{NAMED_ROOT}/{name}/{file}")


def _render(name: str, file: str, context: dict[str, Any]) -> str:
    """A repository template's text; failures become RenderError so one bad record never stops a fan-out."""
    path = f"{NAMED_ROOT}/{name}/{file}"
    try:
        return rendering.render(path, context)
    except jinja2.UndefinedError as error:
        raise RenderError("template", f"{file}: {error.message}") from None
    except (jinja2.TemplateError, ArithmeticError, TypeError, ValueError, LookupError) as error:
        raise RenderError("template", f"{file} failed: {type(error).__name__}") from None


@lru_cache(maxsize=64)
def _whatsapp_mapping(name: str) -> dict[str, Any]:
    path = rendering.TEMPLATES_DIR / NAMED_ROOT / name / "whatsapp.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise ValueError("whatsapp.json is not readable JSON") from None
    languages = data.get("languages") if isinstance(data, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("name"), str) or not isinstance(languages, dict):
        raise ValueError('whatsapp.json must be {"name": ..., "languages": {"id": ..., "en": ...}}')
    return {"name": data["name"], "languages": {str(k): str(v) for k, v in languages.items()}}
