"""Message templates that CRM staff write inline, rendered in Jinja's sandbox.

Staff type campaign copy such as "Halo {{ customer.first_name }}, servis
{{ customer.vehicle_brand }} Anda ..." into the CRM. That text is untrusted
input running inside our Lambda, so it is rendered only by
`ImmutableSandboxedEnvironment` (no `__class__`/`__mro__` walks, no mutation
of the context) and checked when it is saved rather than when the campaign is
already sending: syntax errors, unknown variables, private attributes,
includes, macros and `|safe` are refused at parse time with the line number.

Undefined policy: a name or key that does not exist is an error
(`StrictUndefined`), so nobody receives "Halo ,". A customer field that exists
but is empty (None) renders as "" - use `{{ customer.city or "kota Anda" }}`
for a fallback, or `| default("...")` for attributes some customers lack.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Literal

from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError, UndefinedError, meta, nodes
from jinja2.runtime import Context, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from chalicelib.campaigns.segments import tenure_years

Channel = Literal["whatsapp", "email"]

WHATSAPP_MAX_CHARS = 4096
"""WhatsApp's limit on a free-text message body."""
EMAIL_MAX_BYTES = 100 * 1024
"""Gmail clips HTML bodies past ~102 KB, hiding the unsubscribe link."""
SUBJECT_MAX_CHARS = 200
MAX_RANGE = 1000
"""Loop bound for `range()`: enough for any real message, small enough that nested loops cannot stall a Lambda."""
MAX_SEQUENCE = 10_000
"""Largest string or list `*` may build; repetition is the cheapest way to exhaust memory from a template."""
MAX_EXPONENT = 100

CONTEXT_NAMES: frozenset[str] = frozenset({"customer", "campaign", "unsubscribe_url", "today"})
CUSTOMER_KEYS: frozenset[str] = frozenset(
    {
        "name",
        "first_name",
        "city",
        "province",
        "language",
        "vehicle_brand",
        "vehicle_model",
        "years_as_customer",
        "attributes",
    }
)
CAMPAIGN_KEYS: frozenset[str] = frozenset({"name"})
_KNOWN_KEYS: dict[str, frozenset[str]] = {"customer": CUSTOMER_KEYS, "campaign": CAMPAIGN_KEYS}

_WHATSAPP_NAME = re.compile(r"[a-z0-9_]{1,512}")
_WHATSAPP_LANGUAGE = re.compile(r"[a-z]{2,3}(_[A-Z]{2})?")
_HTML_TAG = re.compile(r"<[A-Za-z!/][^>]*>")
_WHITESPACE = re.compile(r"\s+")
_UNDEFINED_NAME = re.compile(r"'([^']+)' is undefined|has no (?:attribute|element) '?([^'\s]+)'?")
_HONORIFICS: frozenset[str] = frozenset(
    {"bapak", "bpk", "pak", "ibu", "bu", "sdr", "sdri", "saudara", "saudari", "tuan", "tn", "nyonya", "ny", "nn"}
)
"""Titles clerks type in front of names ("Bpk. Budi Santoso"); a greeting should use the name, not the title."""


class InvalidTemplate(ValueError):
    """The template cannot be saved; `fields` maps "template.body" etc. to what is wrong."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("Invalid template: " + "; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


class RenderError(ValueError):
    """Rendering for one recipient failed; the message is safe to show staff (no Python internals)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.fields = {field: message}


class _LimitError(SecurityError):
    """One of our resource limits; its message is ours and safe to show (Jinja's SecurityError text is not)."""


class _OutputError(TemplateError):
    """A template printed something that is not text, a number or a date (e.g. a method)."""


# -- filters ------------------------------------------------------------------


def first_name(name: Any) -> str:
    """The name to greet: first word after any title, capitalised when the source is ALL CAPS or lowercase."""
    if name is None or isinstance(name, Undefined):
        return "" if name is None else str(name)  # str() of StrictUndefined raises the clear undefined error
    words = str(name).split()
    if not words:
        return ""
    chosen = next((w for w in words if w.rstrip(".").casefold() not in _HONORIFICS and not w.endswith(".")), words[0])
    return chosen.capitalize() if chosen.isupper() or chosen.islower() else chosen


def rupiah(value: Any) -> str:
    """Indonesian money format: 1500000 -> "Rp1.500.000" (whole rupiah, rounded half up)."""
    if value is None:
        return ""
    if isinstance(value, Undefined):
        return str(value)  # raises the undefined error
    if isinstance(value, bool):
        raise ValueError("rupiah needs a number")
    try:
        amount = Decimal(str(value).strip()).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise ValueError("rupiah needs a number") from None
    if not amount.is_finite():
        raise ValueError("rupiah needs a number")
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{abs(int(amount)):,}".replace(",", ".")


FILTERS: Mapping[str, Callable[..., str]] = {"first_name": first_name, "rupiah": rupiah}
"""The custom filters available in templates (all of Jinja's built-ins except `safe` remain)."""


# -- the sandbox --------------------------------------------------------------


def _small_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise _LimitError(f"range() is limited to {MAX_RANGE} items")
    return numbers


def _finalize(value: Any) -> Any:
    """What `{{ ... }}` may print: text, numbers and dates. None prints as ""; a method or object is a mistake."""
    if value is None:
        return ""
    if isinstance(value, str | int | float | Decimal | date | Undefined):
        return value  # an Undefined raises its own clear error when printed
    raise _OutputError("only text, numbers and dates can be printed (did you mean to call a filter?)")


class _Sandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, plus limits on the cheap ways to exhaust memory or time."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int | float) and abs(right) > MAX_EXPONENT:
            raise _LimitError(f"exponents are limited to {MAX_EXPONENT}")
        if operator == "*":
            for sequence, count in ((left, right), (right, left)):
                repeated = isinstance(sequence, str | list | tuple) and isinstance(count, int)
                if repeated and len(sequence) * count > MAX_SEQUENCE:
                    raise _LimitError(f"repetition may build at most {MAX_SEQUENCE} items")
        return super().call_binop(context, operator, left, right)


def _environment(*, html: bool) -> _Sandbox:
    env = _Sandbox(
        undefined=StrictUndefined,
        autoescape=html,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # Globals are reachable without being "undeclared", so keep only what staff need.
    env.globals.clear()
    env.globals["range"] = _small_range
    env.filters.update(FILTERS)
    return env


_TEXT_ENV = _environment(html=False)
_HTML_ENV = _environment(html=True)


# -- parsing ------------------------------------------------------------------


@dataclass(frozen=True)
class WhatsAppTemplateRef:
    """A Meta-approved template to open the conversation with (required for promotions outside the 24h window)."""

    name: str
    language: str


@dataclass(frozen=True)
class RenderedInline:
    subject: str | None
    text: str
    html: str | None


@dataclass(frozen=True)
class InlineTemplate:
    """A validated staff template; compiled once at parse time and rendered per recipient."""

    body: str
    subject: str | None = None
    whatsapp_template: WhatsAppTemplateRef | None = None
    channel: Channel | None = None
    _compiled: dict[str, Template] = dataclasses.field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    @classmethod
    def parse(cls, data: Any, *, channel: Channel | None = None) -> InlineTemplate:
        """Validate `{"subject"?, "body", "whatsapp_template"?: {"name", "language"}}` or raise InvalidTemplate.

        The body limit follows the channel: 4096 characters when it may go out
        as WhatsApp text (channel "whatsapp", or no channel and no subject),
        otherwise 100 KB for email. Email requires a subject.
        """
        if not isinstance(data, Mapping):
            raise InvalidTemplate({"template": "must be an object with 'body' and optional 'subject'"})
        errors: dict[str, str] = {}
        for key in data:
            if key not in ("subject", "body", "whatsapp_template"):
                errors[f"template.{key}"] = "unknown key; allowed: subject, body, whatsapp_template"

        subject = data.get("subject")
        if subject is not None:
            if not isinstance(subject, str) or not subject.strip():
                errors["template.subject"] = "must be non-empty text"
            elif len(subject) > SUBJECT_MAX_CHARS:
                errors["template.subject"] = f"must be at most {SUBJECT_MAX_CHARS} characters"
            elif "\n" in subject or "\r" in subject:
                errors["template.subject"] = "must be a single line"
            else:
                _check_source(subject, "template.subject", errors)
        elif channel == "email":
            errors["template.subject"] = "is required for email"

        body = data.get("body")
        if not isinstance(body, str) or not body.strip():
            errors["template.body"] = "is required and must be non-empty text"
        else:
            limit_problem = _body_limit_problem(body, _is_whatsapp_text(channel, subject))
            if limit_problem:
                errors["template.body"] = limit_problem
            else:
                _check_source(body, "template.body", errors)

        reference = _parse_whatsapp_ref(data.get("whatsapp_template"), errors)
        if errors:
            raise InvalidTemplate(errors)
        template = cls(body=body, subject=subject, whatsapp_template=reference, channel=channel)
        template._compile()
        return template

    def _compile(self) -> None:
        self._compiled["text"] = _TEXT_ENV.from_string(self.body)
        if self.channel != "whatsapp":
            self._compiled["html"] = _HTML_ENV.from_string(self.body)
        if self.subject is not None:
            self._compiled["subject"] = _TEXT_ENV.from_string(self.subject)

    @property
    def whatsapp_text(self) -> bool:
        return _is_whatsapp_text(self.channel, self.subject)

    def to_dict(self) -> dict[str, Any]:
        """The JSON staff submitted, in canonical form (what a campaign stores)."""
        data: dict[str, Any] = {"body": self.body}
        if self.subject is not None:
            data["subject"] = self.subject
        if self.whatsapp_template is not None:
            data["whatsapp_template"] = dataclasses.asdict(self.whatsapp_template)
        return data

    def render(self, context: Mapping[str, Any]) -> RenderedInline:
        """Render for one recipient; raises RenderError (safe to show staff) instead of sending a broken message.

        `context` holds customer, campaign, unsubscribe_url and today (see
        `build_context`); other keys are ignored. `html` is None for
        WhatsApp-only templates; a plain-text body gets <br> line breaks there.
        """
        if not self._compiled:
            self._compile()
        values = {name: context[name] for name in CONTEXT_NAMES if name in context}
        subject = None
        if "subject" in self._compiled:
            subject = _one_line(_render(self._compiled["subject"], values, "template.subject"))
        text = _render(self._compiled["text"], values, "template.body")
        if self.whatsapp_text and len(text) > WHATSAPP_MAX_CHARS:
            problem = f"message is {len(text)} characters; WhatsApp allows {WHATSAPP_MAX_CHARS}"
            raise RenderError("template.body", problem)
        html = None
        if "html" in self._compiled:
            html = _render(self._compiled["html"], values, "template.body")
            if not _HTML_TAG.search(self.body):
                html = html.replace("\r\n", "\n").replace("\n", "<br>\n")
        return RenderedInline(subject=subject, text=text, html=html)


def build_context(
    customer: Mapping[str, Any], *, campaign_name: str, unsubscribe_url: str, today: date
) -> dict[str, Any]:
    """The template context for a customer in the public JSON shape, so every CUSTOMER_KEYS entry exists."""
    attributes = customer.get("attributes")
    attributes = dict(attributes) if isinstance(attributes, Mapping) else {}
    name = customer.get("name")
    return {
        "customer": {
            "name": name,
            "first_name": first_name(name) or None,
            "city": customer.get("city"),
            "province": customer.get("province"),
            "language": customer.get("language"),
            "vehicle_brand": attributes.get("vehicle_brand"),
            "vehicle_model": attributes.get("vehicle_model"),
            "years_as_customer": tenure_years(customer, today),
            "attributes": attributes,
        },
        "campaign": {"name": campaign_name},
        "unsubscribe_url": unsubscribe_url,
        "today": today,
    }


def _is_whatsapp_text(channel: Channel | None, subject: Any) -> bool:
    return channel == "whatsapp" or (channel is None and subject is None)


def _body_limit_problem(body: str, whatsapp: bool) -> str | None:
    if whatsapp and len(body) > WHATSAPP_MAX_CHARS:
        return f"must be at most {WHATSAPP_MAX_CHARS} characters for WhatsApp"
    if len(body.encode("utf-8")) > EMAIL_MAX_BYTES:
        return f"must be at most {EMAIL_MAX_BYTES // 1024} KB"
    return None


def _parse_whatsapp_ref(raw: Any, errors: dict[str, str]) -> WhatsAppTemplateRef | None:
    if raw is None:
        return None
    path = "template.whatsapp_template"
    if not isinstance(raw, Mapping):
        errors[path] = "must be an object with 'name' and 'language'"
        return None
    for key in raw:
        if key not in ("name", "language"):
            errors[f"{path}.{key}"] = "unknown key; allowed: name, language"
    name, language = raw.get("name"), raw.get("language")
    if not isinstance(name, str) or not _WHATSAPP_NAME.fullmatch(name):
        errors[f"{path}.name"] = "must be the approved template name: lowercase letters, digits and _"
    if not isinstance(language, str) or not _WHATSAPP_LANGUAGE.fullmatch(language):
        errors[f"{path}.language"] = "must be a WhatsApp language code such as 'id' or 'en_US'"
    if f"{path}.name" in errors or f"{path}.language" in errors:
        return None
    return WhatsAppTemplateRef(name=name, language=language)  # type: ignore[arg-type]


def _check_source(source: str, path: str, errors: dict[str, str]) -> None:
    """Syntax, forbidden constructs and unknown names, reported as "line N: problem"."""
    try:
        tree = _TEXT_ENV.parse(source)
        problems = list(_forbidden(tree))
        unknown = meta.find_undeclared_variables(tree) - CONTEXT_NAMES
        if unknown:
            first = min(unknown)
            line = next((n.lineno for n in tree.find_all(nodes.Name) if n.name == first), 1)
            allowed = ", ".join(sorted(CONTEXT_NAMES))
            names = ", ".join(repr(name) for name in sorted(unknown))
            problems.insert(0, f"line {line}: unknown variable {names}; available: {allowed}")
        if not problems:
            _TEXT_ENV.from_string(source)  # unknown filters and tests surface only when compiling
    except TemplateSyntaxError as exc:
        problems = [f"line {exc.lineno}: {exc.message or 'syntax error'}"]
    except RecursionError:
        problems = ["the template is nested too deeply"]
    if problems:
        errors[path] = "; ".join(list(dict.fromkeys(problems))[:3])


_NOT_ALLOWED: tuple[tuple[type[nodes.Node], str], ...] = (
    ((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport), "templates cannot load other templates"),
    ((nodes.Macro, nodes.CallBlock), "macros are not supported"),
    ((nodes.EvalContextModifier,), "autoescape cannot be changed"),
)


def _forbidden(tree: nodes.Template) -> Iterator[str]:
    """Constructs the sandbox would stop at render time, refused while staff are still editing."""
    for node in tree.find_all(nodes.Node):
        for kinds, message in _NOT_ALLOWED:
            if isinstance(node, kinds):
                yield f"line {node.lineno}: {message}"
        if isinstance(node, nodes.Filter) and node.name == "safe":
            yield f"line {node.lineno}: '|safe' is not allowed (customer data must stay escaped)"
        key = _accessed_key(node)
        if key is None:
            continue
        if key.startswith("_"):
            yield f"line {node.lineno}: names starting with '_' are not allowed"
            continue
        owner = getattr(node, "node", None)
        if isinstance(owner, nodes.Name) and owner.name in _KNOWN_KEYS and key not in _KNOWN_KEYS[owner.name]:
            allowed = ", ".join(sorted(_KNOWN_KEYS[owner.name]))
            yield f"line {node.lineno}: unknown field '{owner.name}.{key}'; available: {allowed}"


def _accessed_key(node: nodes.Node) -> str | None:
    """The constant name in `x.key`, `x["key"]` or `x|attr("key")`, if any."""
    if isinstance(node, nodes.Getattr):
        return node.attr
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
        return node.arg.value
    if isinstance(node, nodes.Filter) and node.name == "attr" and node.args:
        arg = node.args[0]
        if isinstance(arg, nodes.Const) and isinstance(arg.value, str):
            return arg.value
    return None


# -- rendering ----------------------------------------------------------------

_RUNTIME_MESSAGES: tuple[tuple[type[BaseException], str], ...] = (
    (ZeroDivisionError, "division by zero"),
    (TypeError, "values of incompatible types were combined"),
    (ValueError, "a filter received a value it cannot use"),
    (OverflowError, "a number is too large"),
    (RecursionError, "the template is too deeply nested"),
)


def _render(template: Template, values: dict[str, Any], path: str) -> str:
    """Render, turning every failure into a RenderError whose text names no Python internals."""
    try:
        return template.render(values)
    except _LimitError as exc:
        raise RenderError(path, str(exc)) from None
    except SecurityError:
        raise RenderError(path, "the template tried to use something that is not allowed") from None
    except UndefinedError as exc:
        raise RenderError(path, _undefined_message(str(exc.message or ""))) from None
    except _OutputError as exc:
        raise RenderError(path, str(exc)) from None
    except (TemplateError, ArithmeticError, TypeError, ValueError, LookupError, RecursionError) as exc:
        message = next((text for kind, text in _RUNTIME_MESSAGES if isinstance(exc, kind)), "it could not be rendered")
        raise RenderError(path, f"the template failed: {message}") from None


def _undefined_message(raw: str) -> str:
    match = _UNDEFINED_NAME.search(raw)
    name = next((group for group in match.groups() if group), None) if match else None
    if name:
        return f"the template uses '{name}', which this recipient does not have (add | default('...'))"
    return "the template uses a value this recipient does not have"


def _one_line(subject: str) -> str:
    """Subjects are mail headers: no line breaks from data, and a bounded length."""
    subject = _WHITESPACE.sub(" ", subject).strip()
    if len(subject) > SUBJECT_MAX_CHARS:
        subject = subject[: SUBJECT_MAX_CHARS - 1].rstrip() + "…"
    return subject
