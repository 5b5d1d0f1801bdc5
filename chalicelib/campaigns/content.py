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

Whatever the kind, a rendered message must fit its channel (`check_size`):
WhatsApp template parameters 1024 characters (Meta's limit on a template's
body), the WhatsApp text 4096, each e-mail part 100 KB. And before a campaign
is saved its content is rendered for sample customers (`check_samples`), so
a template that cannot render, or a promotional e-mail without its
unsubscribe link, is refused while staff are still editing it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Protocol

import jinja2

from chalicelib.campaigns.inline_template import (
    EMAIL_MAX_BYTES,
    WHATSAPP_MAX_CHARS,
    WHATSAPP_PARAM_MAX_CHARS,
    InlineTemplate,
    InvalidTemplate,
    RenderError,
    build_context,
    one_line_subject,
)
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
            message = Rendered(text=rendered.text, subject=rendered.subject, html=rendered.html)
            return check_size(message, "email", "template.body")
        reference = self.template.whatsapp_template
        assert reference is not None  # parse_content refuses WhatsApp inline templates without one
        message = Rendered(
            text=rendered.text,
            whatsapp_template={"name": reference.name, "language": reference.language, "params": [rendered.text]},
        )
        return check_size(message, "whatsapp", "template.body")


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
            subject = one_line_subject(_render(self.name, f"email.{lang}.subject.j2", values))
            text = _render(self.name, f"email.{lang}.txt.j2", values)
            return check_size(Rendered(text=text, subject=subject, html=html), "email")
        mapping = _whatsapp_mapping(self.name)
        params_text = _render(self.name, f"whatsapp.{lang}.params.j2", values)
        params = [line.strip() for line in params_text.splitlines() if line.strip()]
        message = Rendered(
            text=_render(self.name, f"whatsapp.{lang}.txt.j2", values),
            whatsapp_template={
                "name": mapping["name"],
                "language": mapping["languages"].get(lang, lang),
                "params": params,
            },
        )
        return check_size(message, "whatsapp")


def check_size(rendered: Rendered, channel: str, field: str = "template") -> Rendered:
    """`rendered` if it fits the channel, else a RenderError naming `field` (inline templates stop earlier, while
    they stream; this also bounds named templates, whose customer data can be long).

    E-mail: 100 KB per part, text and HTML, because Gmail clips a message past
    about 102 KB and the clipped part holds the unsubscribe link.
    """
    if channel == "email":
        for part, value in (("text", rendered.text), ("HTML", rendered.html)):
            if value is not None and len(value.encode("utf-8")) > EMAIL_MAX_BYTES:
                raise RenderError(
                    field, f"the rendered message is too long: an e-mail's {part} part allows 100 KB", exhausted=True
                )
        return rendered
    params = (rendered.whatsapp_template or {}).get("params") or []
    for number, param in enumerate(params, start=1):
        if len(str(param)) > WHATSAPP_PARAM_MAX_CHARS:
            which = f" (parameter {number})" if len(params) > 1 else ""
            problem = f"a WhatsApp template parameter allows {WHATSAPP_PARAM_MAX_CHARS} characters{which}"
            raise RenderError(field, f"the rendered message is too long: {problem}", exhausted=True)
    if len(rendered.text) > WHATSAPP_MAX_CHARS:
        problem = f"WhatsApp allows {WHATSAPP_MAX_CHARS} characters"
        raise RenderError(field, f"the rendered message is too long: {problem}", exhausted=True)
    return rendered


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
    except (
        jinja2.TemplateError,
        ArithmeticError,
        TypeError,
        ValueError,
        LookupError,
        RecursionError,
        MemoryError,
    ) as error:
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


# -- sample customers ---------------------------------------------------------

SAMPLE_UNSUBSCRIBE_URL = "https://sapa.example/unsubscribe/contoh"
"""The link the samples get; no character in it changes when HTML-escaped, so it can be found in either part."""
SAMPLE_CUSTOMERS: tuple[Mapping[str, Any], ...] = (
    {
        "id": "cus_contoh_id",
        "name": "Bpk. Budi Santoso",
        "city": "Bandung",
        "province": "Jawa Barat",
        "language": "id",
        "timezone": "Asia/Jakarta",
        "attributes": {
            "vehicle_brand": "Toyota",
            "vehicle_model": "Avanza",
            "contract_start": "2021-03-10",
            "contract_status": "active",
            "branch": "Bandung",
            "religion": "islam",
        },
    },
    {
        "id": "cus_contoh_en",
        "name": "Sarah Wijaya",
        "city": "Denpasar",
        "province": "Bali",
        "language": "en",
        "timezone": "Asia/Makassar",
        "attributes": {
            "vehicle_brand": "Honda",
            "vehicle_model": "Vario 160",
            "contract_start": "2019-11-01",
            "contract_status": "active",
            "branch": "Denpasar",
            "religion": "hindu",
        },
    },
)
"""Every field filled, one Indonesian- and one English-speaking customer (named templates differ by language)."""
SAMPLE_FILLERS: tuple[Any, ...] = (1_500_000, "contoh")
"""Values for the attributes a sample does not know (`customer.attributes.sisa_angsuran`): a number first, for
`| rupiah` and arithmetic, then text, for string methods; a template that renders with either is accepted."""


class _SampleAttributes(dict[str, Any]):
    """A sample's attributes, with a stand-in for any other name: real customers may lack an attribute (the segment
    decides who has it), but a sample that lacked one would refuse every template that uses it."""

    __slots__ = ("_filler",)

    def __init__(self, known: Mapping[str, Any], filler: Any) -> None:
        super().__init__(known)
        self._filler = filler

    def __missing__(self, key: str) -> Any:
        return self._filler


def sample_context(customer: Mapping[str, Any], filler: Any, *, campaign_name: str, today: date) -> dict[str, Any]:
    context = build_context(customer, campaign_name=campaign_name, unsubscribe_url=SAMPLE_UNSUBSCRIBE_URL, today=today)
    context["customer"]["attributes"] = _SampleAttributes(context["customer"]["attributes"], filler)
    return context


def check_samples(content: Content, channel: str, *, campaign_name: str, today: date) -> None:
    """Render `content` for every sample customer; InvalidTemplate naming the field (and line) of what fails.

    Refused: a template that renders for no sample (`{{ 10 / 0 }}`, a loop
    past the budget, a message over the channel's size) and, since every
    campaign is a promotion, an e-mail whose text or HTML lacks the
    customer's `{{ unsubscribe_url }}`.
    """
    field = "template.body" if isinstance(content, InlineContent) else "template"
    for customer in SAMPLE_CUSTOMERS:
        language = str(customer["language"])
        first_error: RenderError | None = None
        rendered: Rendered | None = None
        for filler in SAMPLE_FILLERS:
            context = sample_context(customer, filler, campaign_name=campaign_name, today=today)
            try:
                rendered = content.render(context, language)
                break
            except RenderError as error:
                first_error = first_error or error
                if error.exhausted:
                    break  # a limit, not the stand-in's type: another stand-in would only spend the budget again
        if rendered is None:
            assert first_error is not None
            raise InvalidTemplate(
                {key: f"{problem} (rendering for a sample customer)" for key, problem in first_error.fields.items()}
            )
        if channel == "email":
            parts = {"text": rendered.text, "HTML": rendered.html}
            missing = [
                part for part, value in parts.items() if value is not None and SAMPLE_UNSUBSCRIBE_URL not in value
            ]
            if missing:
                where = "" if field == "template.body" else f" (the {' and '.join(missing)} part in '{language}')"
                raise InvalidTemplate(
                    {
                        field: "a promotional e-mail must include the unsubscribe link: add {{ unsubscribe_url }} "
                        f"to the body{where}"
                    }
                )
