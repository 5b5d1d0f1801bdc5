"""Message templates that CRM staff write inline, rendered in Jinja's sandbox.

Staff type campaign copy such as "Halo {{ customer.first_name }}, servis
{{ customer.vehicle_brand }} Anda ..." into the CRM. That text is untrusted
input running inside our Lambda, so it is rendered only by
`ImmutableSandboxedEnvironment` (no `__class__`/`__mro__` walks, no mutation
of the context) and checked when it is saved rather than when the campaign is
already sending: syntax errors, unknown variables, private attributes,
includes, macros and `|safe` are refused at parse time with the line number.

Rendering is bounded as a whole, not per call: one budget per recipient
(steps, printed characters, wall-clock time; see "limits"), checks before the
filters and methods that can build megabytes from a short argument, a cap on
every value built, and the message streamed (`Template.generate`) against the
channel's size limit, stopping as soon as it is passed. Every failure,
`MemoryError` and `RecursionError` included, is a RenderError that names the
field and, when Jinja knows it, the template line.

Undefined policy: a name or key that does not exist is an error
(`StrictUndefined`), so nobody receives "Halo ,". A customer field that exists
but is empty (None) renders as "" - use `{{ customer.city or "kota Anda" }}`
for a fallback, or `| default("...")` for attributes some customers lack.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import re
import string
import time
import traceback
import types
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Literal

from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError, UndefinedError, meta, nodes
from jinja2.runtime import Context, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.visitor import NodeTransformer

from chalicelib.campaigns.segments import tenure_years

Channel = Literal["whatsapp", "email"]

WHATSAPP_MAX_CHARS = 4096
"""WhatsApp's limit on a free-text message body."""
WHATSAPP_PARAM_MAX_CHARS = 1024
"""Meta's limit on a template's body text, so on the one body parameter an inline WhatsApp template fills."""
EMAIL_MAX_BYTES = 100 * 1024
"""Per e-mail part (text, HTML): Gmail clips HTML bodies past ~102 KB, hiding the unsubscribe link at the end."""
SUBJECT_MAX_CHARS = 200
SUBJECT_RENDER_MAX_CHARS = 1000
"""What a subject may render to before it is folded to one line and shortened to SUBJECT_MAX_CHARS."""
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
    """Rendering for one recipient failed; the message is safe to show staff (no Python internals).

    `exhausted` when a limit stopped it (work, time, memory, size) rather than the recipient's data.
    """

    def __init__(self, field: str, message: str, *, exhausted: bool = False) -> None:
        super().__init__(f"{field}: {message}")
        self.fields = {field: message}
        self.exhausted = exhausted


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


# -- limits -------------------------------------------------------------------
#
# A template is code staff write, run once per recipient inside the fan-out Lambda. Per-call checks alone do not
# bound it (a loop repeats any call), so every render also gets one budget of steps, printed characters and time,
# shared by its subject, text and HTML. The checks below refuse the single calls that would build megabytes before
# the budget could notice (a width of 5,000,000, a join of 5,000 x 5,000 characters).

MAX_STEPS = 50_000
"""Loop iterations, calls, filters, operators, lookups and printed values per recipient: a real message needs a few
hundred; three nested `range(1000)` loops reach the limit in a few tens of milliseconds."""
MAX_SECONDS = 0.5
"""Wall-clock budget per recipient, checked at every step: the last resort for work the step count undervalues."""
MAX_VALUE = 100_000
"""Longest string (or list, in items) a template may build: the largest message we send, an e-mail, fits in it."""
MAX_PRINTED = 1_000_000
"""Characters one render may print, buffered `{% set %}`/`{% filter %}` blocks and loop text included."""
MAX_WIDTH = 1000
"""Widths, paddings and precisions (`center`, `indent`, `'%5s'`, `'{:>5}'`...): beyond this they only build padding."""
MAX_INT_BITS = 1024
"""Integers beyond ~300 digits are never money; multiplying them in a loop is a way to burn CPU."""


@dataclass(frozen=True)
class RenderLimits:
    """The per-render budget; tests pass their own clock to reach the time limit without waiting for it."""

    max_steps: int = MAX_STEPS
    max_seconds: float = MAX_SECONDS
    max_printed: int = MAX_PRINTED
    monotonic: Callable[[], float] = time.monotonic


DEFAULT_LIMITS = RenderLimits()


class _Budget:
    """What one recipient's render has spent so far."""

    __slots__ = ("deadline", "limits", "printed", "steps")

    def __init__(self, limits: RenderLimits) -> None:
        self.limits = limits
        self.steps = 0
        self.printed = 0
        self.deadline = limits.monotonic() + limits.max_seconds

    def tick(self, weight: int = 1) -> None:
        self.steps += weight
        if self.steps > self.limits.max_steps:
            raise _LimitError(
                f"the template does too much work (more than {self.limits.max_steps:,} steps of loops, filters and "
                "calls per message)"
            )
        if self.limits.monotonic() > self.deadline:
            raise _LimitError(f"the template took longer than {self.limits.max_seconds:g} s to render for one customer")

    def print(self, chars: int) -> None:
        self.printed += chars
        if self.printed > self.limits.max_printed:
            raise _LimitError(f"the template prints more than {self.limits.max_printed:,} characters")


_BUDGET: ContextVar[_Budget | None] = ContextVar("sapa_template_budget", default=None)
"""The budget of the render in progress. A context variable because the two environments (and every compiled
template) are shared by all renders, and the sandbox's hooks (getattr, filters) receive no per-render state."""


def _tick(weight: int = 1) -> None:
    budget = _BUDGET.get()
    if budget is not None:  # None while Jinja folds constants at compile time: bounded by the source size
        budget.tick(weight)


def _sized(value: Any) -> Any:
    """Every value a call, filter or operator returns passes here, so no chain of them grows past MAX_VALUE."""
    if isinstance(value, str | list | tuple | dict | set | frozenset):
        if len(value) > MAX_VALUE:
            raise _LimitError(f"a value would be longer than {MAX_VALUE:,} characters or items")
    elif isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise _LimitError("a number is too large")
    return value


def _width(value: Any, what: str = "widths") -> None:
    number = len(value) if isinstance(value, str) else value
    if isinstance(number, int | float) and abs(number) > MAX_WIDTH:
        raise _LimitError(f"{what} are limited to {MAX_WIDTH}")


def _expected_size(size: int) -> None:
    if size > MAX_VALUE:
        raise _LimitError(f"a value would be longer than {MAX_VALUE:,} characters or items")


_PRINTF_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?([a-zA-Z%])")
_DIGITS = re.compile(r"\d+")
_SHORT_VALUE = 32
"""What a number or date formats to, at most, before widths: the estimate for values that are not text."""


def _longest_text(values: Any) -> int:
    """The longest text among a format's values (a tuple, a mapping or one value), or a short value's length."""
    if isinstance(values, Mapping):
        values = list(values.values())
    elif not isinstance(values, tuple | list):
        values = [values]
    return max((len(value) for value in values if isinstance(value, str)), default=0) or _SHORT_VALUE


def _check_printf(template: Any, values: Any = ()) -> None:
    """`'%50000000s' % x`, `|format` and `'%s' * 1600 % big` build in C before anything can count: refuse the widths,
    then an estimate of the result (every field filled with the longest value) over MAX_VALUE."""
    if not isinstance(template, str):
        return
    size = len(template)
    longest = _longest_text(values)
    for width, precision, conversion in _PRINTF_SPEC.findall(template):
        if "*" in (width, precision):
            raise _LimitError("'*' widths are not supported in formats")
        _width(int(width or 0), "format widths")
        _width(int(precision or 0), "format precisions")
        if conversion != "%":
            size += max(int(width or 0), int(precision or 0) + _SHORT_VALUE, longest)
    _expected_size(size)


def _check_format_spec(template: str) -> tuple[int, int]:
    """`'{:>50000000}'.format(x)`: the same for str.format, whose nested `{:{w}}` widths are refused outright.

    Returns (number of fields, widest width) for the size estimate once the values are known.
    """
    try:
        fields = list(string.Formatter().parse(template))
    except ValueError:
        return 0, 0  # str.format raises its own error for a malformed template
    count = widest = 0
    for _literal, name, spec, _conversion in fields:
        if name is not None:
            count += 1
        if not spec:
            continue
        if "{" in spec:
            raise _LimitError("widths taken from arguments ('{:{w}}') are not supported in formats")
        for number in _DIGITS.findall(spec):
            _width(int(number), "format widths")
            widest = max(widest, int(number))
    return count, widest


def _replaced_size(text: Any, old: Any, new: Any, count: Any = None) -> None:
    text, old, new = str(text), str(old), str(new)
    hits = len(text) + 1 if not old else text.count(old)
    if isinstance(count, int) and count >= 0:
        hits = min(hits, count)
    _expected_size(len(text) + hits * (len(new) - len(old)))


def _joined(items: Any, separator: Any) -> list[Any]:
    """The items as a list (a generator is read once) after checking the joined length."""
    listed = list(items)
    _expected_size(
        sum(len(item) for item in listed if isinstance(item, str)) + len(str(separator)) * max(0, len(listed) - 1)
    )
    return listed


def _preflight_indent(a: dict[str, Any]) -> None:
    _width(a["width"])
    width = len(a["width"]) if isinstance(a["width"], str) else a["width"]
    if isinstance(width, int):
        text = str(a["s"])
        _expected_size(len(text) + (text.count("\n") + 1) * max(0, width))


def _preflight_wordwrap(a: dict[str, Any]) -> None:
    _width(a["width"])
    wrap = a["wrapstring"] if a["wrapstring"] is not None else "\n"
    _expected_size(len(str(a["s"])) * max(1, len(str(wrap))))


def _preflight_join(a: dict[str, Any]) -> None:
    a["value"] = _joined(a["value"], a["d"])


def _preflight_sum(a: dict[str, Any]) -> None:
    if not isinstance(a["start"], int | float | Decimal):
        raise _LimitError("sum() adds numbers only")


def _preflight_count(name: str, limit: int) -> Callable[[dict[str, Any]], None]:
    def check(a: dict[str, Any]) -> None:
        if isinstance(a[name], int) and a[name] > limit:
            raise _LimitError(f"{name} is limited to {limit}")

    return check


_PREFLIGHT: Mapping[str, Callable[[dict[str, Any]], None]] = {
    "center": lambda a: _width(a["width"]),
    "indent": _preflight_indent,
    "wordwrap": _preflight_wordwrap,
    "truncate": _preflight_count("length", MAX_VALUE),
    "format": lambda a: _check_printf(a["value"], a["kwargs"] or a["args"]),
    "join": _preflight_join,
    "replace": lambda a: _replaced_size(a["s"], a["old"], a["new"], a["count"]),
    "batch": _preflight_count("linecount", MAX_RANGE),
    "slice": _preflight_count("slices", MAX_RANGE),
    "tojson": lambda a: _width(a["indent"] or 0, "indents"),
    "sum": _preflight_sum,
}
"""Filters that can build far more than they are given, checked before they run (their arguments by name)."""


_PASSED_NAMES: frozenset[str] = frozenset({"context", "eval_ctx", "environment", "env"})


def _guarded(func: Callable[..., Any], preflight: Callable[[dict[str, Any]], None] | None) -> Callable[..., Any]:
    """A filter that costs a step, is checked first when it can amplify, and returns a bounded value."""
    signature = inspect.signature(func) if preflight is not None else None
    # Jinja's async-capable filters take an eval context their sync signature does not show: skip it when binding.
    first = next(iter(signature.parameters), None) if signature is not None else None
    hidden = int(hasattr(func, "jinja_pass_arg") and first not in _PASSED_NAMES)

    @functools.wraps(func)  # keeps Jinja's pass_context/pass_environment marker
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _tick()
        if preflight is not None and signature is not None:
            bound = signature.bind(*args[hidden:], **kwargs)
            bound.apply_defaults()
            preflight(bound.arguments)
            args, kwargs = (*args[:hidden], *bound.args), bound.kwargs
        return _sized(func(*args, **kwargs))

    return guarded


def _check_str_method(method: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> tuple[Any, ...]:
    """Checks for the str methods that amplify (`'x'.center(5000000)`); returns the arguments to call with.

    Markup (escaped text in the HTML part) wraps the same methods in Python functions, hence MethodType too.
    """
    text = getattr(method, "__self__", None)
    if not isinstance(text, str) or not isinstance(method, types.BuiltinMethodType | types.MethodType):
        return args
    name = method.__name__
    if name in ("translate", "maketrans"):
        raise _LimitError(f"str.{name}() is not available in templates")
    if name in ("center", "ljust", "rjust", "zfill") and args:
        _width(args[0])
    elif name == "expandtabs":
        tab = args[0] if args else kwargs.get("tabsize", 8)
        _width(tab, "tab sizes")
        _expected_size(len(text) + text.count("\t") * max(0, int(tab)))
    elif name == "replace" and len(args) >= 2:
        _replaced_size(text, *args[:3])
    elif name == "join" and args:
        return (_joined(args[0], text), *args[1:])
    return args


# -- the sandbox --------------------------------------------------------------


def _small_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise _LimitError(f"range() is limited to {MAX_RANGE} items")
    return numbers


def _finalize(value: Any) -> Any:
    """What `{{ ... }}` may print: text, numbers and dates. None prints as ""; a method or object is a mistake."""
    budget = _BUDGET.get()
    if budget is not None:
        budget.tick()
        budget.print(len(value) if isinstance(value, str) else 32)
    if value is None:
        return ""
    if isinstance(value, str | int | float | Decimal | date | Undefined):
        return value  # an Undefined raises its own clear error when printed
    raise _OutputError("only text, numbers and dates can be printed (did you mean to call a filter?)")


class _Sandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, plus a step budget per render and limits on the cheap ways to build huge values."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        _tick()
        if operator == "**" and isinstance(right, int | float):
            if abs(right) > MAX_EXPONENT:
                raise _LimitError(f"exponents are limited to {MAX_EXPONENT}")
            if isinstance(left, int) and left.bit_length() * abs(right) > MAX_INT_BITS:
                raise _LimitError("a number is too large")
        if operator == "*":
            both_ints = isinstance(left, int) and isinstance(right, int)
            if both_ints and left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise _LimitError("a number is too large")
            for sequence, count in ((left, right), (right, left)):
                repeated = isinstance(sequence, str | list | tuple) and isinstance(count, int)
                if repeated and len(sequence) * count > MAX_SEQUENCE:
                    raise _LimitError(f"repetition may build at most {MAX_SEQUENCE} items")
        if operator == "%":
            _check_printf(left, right)
        return _sized(super().call_binop(context, operator, left, right))

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # Jinja's parameter names
        _tick()
        args = _check_str_method(__obj, args, kwargs)
        return _sized(super().call(__context, __obj, *args, **kwargs))

    def getattr(self, obj: Any, attribute: str) -> Any:
        _tick()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        _tick()
        return super().getitem(obj, argument)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """`str.format`/`format_map`, checked like `%`: widths when looked up, the estimated size when called."""
        wrapper = super().wrap_str_format(value)
        if wrapper is None:
            return None
        template: str = value.__self__
        fields, widest = _check_format_spec(template)

        @functools.wraps(wrapper)
        def checked(*args: Any, **kwargs: Any) -> str:
            mapping = args[0] if value.__name__ == "format_map" and args and isinstance(args[0], Mapping) else {}
            longest = _longest_text((*args, *kwargs.values(), *mapping.values()))
            _expected_size(len(template) + fields * max(widest, longest))
            return wrapper(*args, **kwargs)

        return checked

    # Reached only from the instrumented template code (`nodes.EnvironmentAttribute`), never by name from a template.
    def sapa_loop(self, iterable: Any, static_chars: int) -> Iterator[Any]:
        """Each iteration of a `{% for %}` is a step, and prints (at most) the loop body's own text."""
        budget = _BUDGET.get()
        for item in iterable:
            if budget is not None:
                budget.tick()
                budget.print(static_chars)
            yield item

    def sapa_sized(self, value: Any) -> Any:
        """The result of `~`, which Jinja builds without calling any hook."""
        return _sized(value)


class _Instrument(NodeTransformer):
    """Routes every loop iteration and every `~` through the sandbox, so the budget sees them."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        static = sum(len(data.data) for data in node.find_all(nodes.TemplateData))
        node.iter = nodes.Call(
            nodes.EnvironmentAttribute("sapa_loop", lineno=node.lineno),
            [node.iter, nodes.Const(static, lineno=node.lineno)],
            [],
            None,
            None,
            lineno=node.lineno,
        )
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return nodes.Call(
            nodes.EnvironmentAttribute("sapa_sized", lineno=node.lineno), [node], [], None, None, lineno=node.lineno
        )


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
    for name, func in list(env.filters.items()):
        env.filters[name] = _guarded(func, _PREFLIGHT.get(name))
    return env


def _compile_source(env: _Sandbox, source: str) -> Template:
    """`env.from_string`, with the loops and concatenations instrumented before code generation."""
    tree = _Instrument().visit(env.parse(source))
    tree.set_environment(env)
    return env.template_class.from_code(env, env.compile(tree), env.make_globals(None), None)


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
        self._compiled["text"] = _compile_source(_TEXT_ENV, self.body)
        if self.channel != "whatsapp":
            self._compiled["html"] = _compile_source(_HTML_ENV, self.body)
        if self.subject is not None:
            self._compiled["subject"] = _compile_source(_TEXT_ENV, self.subject)

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

    @property
    def text_limit(self) -> _OutputLimit:
        """How long the rendered body may be on this template's channel."""
        if self.whatsapp_text and self.whatsapp_template is not None:
            return _OutputLimit(WHATSAPP_PARAM_MAX_CHARS, "characters", "a WhatsApp template parameter")
        if self.whatsapp_text:
            return _OutputLimit(WHATSAPP_MAX_CHARS, "characters", "WhatsApp")
        return _OutputLimit(EMAIL_MAX_BYTES, "bytes", "an e-mail's text part")

    def render(self, context: Mapping[str, Any], limits: RenderLimits = DEFAULT_LIMITS) -> RenderedInline:
        """Render for one recipient; raises RenderError (safe to show staff) instead of sending a broken message.

        `context` holds customer, campaign, unsubscribe_url and today (see
        `build_context`); other keys are ignored. `html` is None for
        WhatsApp-only templates; a plain-text body gets <br> line breaks there.
        Subject, text and HTML share one budget (`limits`).
        """
        if not self._compiled:
            self._compile()
        values = {name: context[name] for name in CONTEXT_NAMES if name in context}
        budget = _Budget(limits)
        subject = None
        if "subject" in self._compiled:
            subject_limit = _OutputLimit(SUBJECT_RENDER_MAX_CHARS, "characters", "a subject")
            raw_subject = _render(self._compiled["subject"], values, "template.subject", budget, subject_limit)
            subject = one_line_subject(raw_subject)
        text = _render(self._compiled["text"], values, "template.body", budget, self.text_limit)
        html = None
        if "html" in self._compiled:
            html_limit = _OutputLimit(EMAIL_MAX_BYTES, "bytes", "an e-mail's HTML part")
            html = _render(self._compiled["html"], values, "template.body", budget, html_limit)
            if not _HTML_TAG.search(self.body):
                html = html.replace("\r\n", "\n").replace("\n", "<br>\n")
                html_limit.check(html, "template.body")
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
            _compile_source(_TEXT_ENV, source)  # unknown filters and tests surface only when compiling
    except TemplateSyntaxError as exc:
        problems = [f"line {exc.lineno}: {exc.message or 'syntax error'}"]
    except RecursionError:
        problems = ["the template is nested too deeply"]
    except MemoryError:
        problems = ["the template is too large to compile"]
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
        if isinstance(node, nodes.For) and node.recursive:
            yield f"line {node.lineno}: recursive loops are not supported"
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


@dataclass(frozen=True)
class _OutputLimit:
    """A channel's size limit on one rendered part, checked while it streams and once it is whole."""

    limit: int
    unit: Literal["characters", "bytes"]
    where: str

    def problem(self) -> str:
        amount = f"{self.limit // 1024} KB" if self.unit == "bytes" else f"{self.limit} characters"
        return f"the rendered message is too long: {self.where} allows {amount}"

    def check(self, text: str, path: str) -> None:
        size = len(text.encode("utf-8")) if self.unit == "bytes" else len(text)
        if size > self.limit:
            raise RenderError(path, self.problem(), exhausted=True)


def _render(template: Template, values: dict[str, Any], path: str, budget: _Budget, limit: _OutputLimit) -> str:
    """Stream the template under `budget`, stopping once `limit` is passed; every failure becomes a RenderError.

    A character is at least a byte, so counting characters while streaming
    stops a byte limit in time too; the exact bytes are checked at the end.
    """
    token = _BUDGET.set(budget)
    stream = template.generate(values)
    parts: list[str] = []
    size = 0
    try:
        for chunk in stream:
            size += len(chunk)
            if size > limit.limit:
                raise RenderError(path, limit.problem(), exhausted=True)
            parts.append(chunk)
    except RenderError:
        raise
    except Exception as exc:  # noqa: BLE001 - staff code failed (MemoryError and RecursionError included): say so
        raise _render_error(exc, path) from None
    finally:
        stream.close()
        _BUDGET.reset(token)
    text = "".join(parts)
    limit.check(text, path)
    return text


_RUNTIME_MESSAGES: tuple[tuple[type[BaseException], str], ...] = (
    (ZeroDivisionError, "division by zero"),
    (TypeError, "values of incompatible types were combined"),
    (ValueError, "a filter received a value it cannot use"),
    (OverflowError, "a number is too large"),
    (RecursionError, "the template is too deeply nested"),
    (MemoryError, "it needs more memory than a message may use"),
)


def _render_error(exc: Exception, path: str) -> RenderError:
    """What staff read about a failed render: ours for our limits, a short phrase for Python's errors."""
    at = _line_prefix(exc)
    if isinstance(exc, _LimitError):
        return RenderError(path, at + str(exc), exhausted=True)
    if isinstance(exc, _OutputError):
        return RenderError(path, at + str(exc))
    if isinstance(exc, SecurityError):
        return RenderError(path, at + "the template tried to use something that is not allowed")
    if isinstance(exc, UndefinedError):
        return RenderError(path, at + _undefined_message(str(exc.message or "")))
    message = next((text for kind, text in _RUNTIME_MESSAGES if isinstance(exc, kind)), "it could not be rendered")
    exhausted = isinstance(exc, MemoryError | RecursionError)
    return RenderError(path, f"{at}the template failed: {message}", exhausted=exhausted)


def _line_prefix(exc: BaseException) -> str:
    """The "line N: " of the innermost template frame Jinja put in the traceback, or "" when there is none."""
    lines = [line for frame, line in traceback.walk_tb(exc.__traceback__) if frame.f_code.co_filename == "<template>"]
    return f"line {lines[-1]}: " if lines and lines[-1] else ""


def _undefined_message(raw: str) -> str:
    match = _UNDEFINED_NAME.search(raw)
    name = next((group for group in match.groups() if group), None) if match else None
    if name:
        return f"the template uses '{name}', which this recipient does not have (add | default('...'))"
    return "the template uses a value this recipient does not have"


def one_line_subject(subject: str) -> str:
    """Subjects are mail headers: no line breaks from data, and a bounded length."""
    subject = _WHITESPACE.sub(" ", subject).strip()
    if len(subject) > SUBJECT_MAX_CHARS:
        subject = subject[: SUBJECT_MAX_CHARS - 1].rstrip() + "…"
    return subject
