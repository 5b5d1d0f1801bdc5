"""Campaign segments: a declarative JSON filter over customer fields, never code.

CRM staff build audiences like "Toyota owners in Jakarta or Bandung whose
contract started before 2024" in a UI that stores JSON such as::

    {"all": [{"field": "city", "op": "in", "value": ["Jakarta", "Bandung"]},
             {"field": "vehicle_brand", "op": "eq", "value": "Toyota"},
             {"field": "contract_start", "op": "before", "value": "2024-01-01"}]}

The JSON is parsed into a small tree of frozen dataclasses and evaluated by
this module alone: staff input is data, so there is nothing to inject. Parsing
is strict (unknown fields, ops or badly typed values are rejected with the
JSON path of each problem) because a typo in a segment silently changes who
receives a promotion, which is worse than a form error.

Matching semantics, chosen to be predictable for non-programmers:

* Text compares case-insensitively with surrounding whitespace ignored
  ("jakarta " equals "Jakarta"). Numbers compare with numbers only and dates
  with ISO dates ("YYYY-MM-DD", or the date part of an ISO timestamp); a value
  of the wrong type simply does not match - nothing is guessed.
* A missing field (absent, null or blank) fails every positive test, so
  `ne`/`not_in` - defined as the negation of `eq`/`in` - include it.
* Bare names resolve to the customer's top-level fields (city, province, ...)
  and every other name to `customer["attributes"]`; `tenure_years` and `age`
  are derived from `attributes.contract_start` and `birth_date` on `today`.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal, NamedTuple, TypeAlias

MAX_DEPTH = 8
"""Nesting levels of all/any/not; deeper trees are unreadable in a UI and only make evaluation slower."""
MAX_CONDITIONS = 100
"""Conditions per segment; keeps evaluation over a full customer scan cheap."""
MAX_LIST_ITEMS = 1000
"""Items in an in/not_in list (e.g. pasted branch codes)."""
MAX_TEXT_LENGTH = 500
"""Characters in one text value; longer is a paste accident, not a filter."""
MAX_NUMBER = 10**15
"""Numbers stay well inside DynamoDB's 38 digits and float precision."""
MAX_PUSHDOWN_IN = 100
"""DynamoDB allows at most 100 operands in one IN list."""
MAX_EXPRESSION_LENGTH = 4096
"""DynamoDB's limit on a FilterExpression, in bytes."""
MAX_EXPRESSION_OPERATORS = 300
"""DynamoDB's limit on operators and functions in one expression."""

TOP_LEVEL_FIELDS: frozenset[str] = frozenset({"city", "province", "timezone", "language", "birth_date", "created_at"})
"""Names read from the customer record itself; every other name is an attribute."""
ATTRIBUTE_FIELDS: frozenset[str] = frozenset(
    {"vehicle_brand", "vehicle_model", "contract_status", "contract_start", "branch", "religion"}
)
"""Attributes every financing tenant imports; callers may declare more."""
DERIVED_FIELDS: frozenset[str] = frozenset({"tenure_years", "age"})
"""Computed on the evaluation date, so they cannot be stored or pushed down to DynamoDB."""
DATE_FIELDS: frozenset[str] = frozenset({"birth_date", "created_at", "contract_start"})
NUMBER_FIELDS: frozenset[str] = DERIVED_FIELDS
KNOWN_FIELDS: frozenset[str] = TOP_LEVEL_FIELDS | ATTRIBUTE_FIELDS | DERIVED_FIELDS

_FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_GROUP_KEYS = ("all", "any", "not")
_CONDITION_KEYS = frozenset({"field", "op", "value"})


class Op(StrEnum):
    EQ = "eq"
    NE = "ne"
    IN = "in"
    NOT_IN = "not_in"
    BEFORE = "before"
    AFTER = "after"
    EXISTS = "exists"
    GTE = "gte"
    LTE = "lte"


_OP_VALUES = frozenset(op.value for op in Op)
_OPS_TEXT = ", ".join(op.value for op in Op)

Scalar: TypeAlias = str | int | float | bool
"""What a condition compares against; JSON null is not a value (use `exists`)."""


class InvalidSegment(ValueError):
    """The segment JSON is not a valid filter; `fields` maps each JSON path to what is wrong."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("Invalid segment: " + "; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


# -- value normalisation ------------------------------------------------------


def _is_number(value: Any) -> bool:
    """bool is an int in Python but never a number in a segment."""
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _exact(value: int | float | Decimal) -> int | Decimal:
    """Floats via their shortest repr, so JSON's 0.1 equals DynamoDB's Decimal("0.1")."""
    return Decimal(repr(value)) if isinstance(value, float) else value


def _comparable(value: Any) -> tuple[str, Any] | None:
    """A tagged key so "Jakarta" == " jakarta", 5 == 5.0 and True != 1; None for non-scalars/blank text."""
    if isinstance(value, bool):
        return ("b", value)
    if _is_number(value):
        return None if isinstance(value, float) and not math.isfinite(value) else ("n", _exact(value))
    if isinstance(value, str):
        text = value.strip().casefold()
        return ("s", text) if text else None
    return None


def _as_date(value: Any) -> date | None:
    """A date from a date, datetime or ISO string (only its date part: timestamps compare by day).

    Strings are not trimmed: DynamoDB compares them as stored, and pushdown must agree.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value[:10]
        if _ISO_DATE.fullmatch(text):
            try:
                return date.fromisoformat(text)
            except ValueError:
                return None
    return None


def _is_present(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def whole_years(start: date, today: date) -> int:
    """Completed years from `start` to `today` (a 29 Feb start completes its year on 1 Mar); never negative."""
    years = today.year - start.year - ((today.month, today.day) < (start.month, start.day))
    return max(years, 0)


def _attributes(customer: Mapping[str, Any]) -> Mapping[str, Any]:
    attributes = customer.get("attributes")
    return attributes if isinstance(attributes, Mapping) else {}


def tenure_years(customer: Mapping[str, Any], today: date) -> int | None:
    """Whole years since `attributes.contract_start`, or None when it is missing or not a date."""
    start = _as_date(_attributes(customer).get("contract_start"))
    return None if start is None else whole_years(start, today)


def age(customer: Mapping[str, Any], today: date) -> int | None:
    """Whole years since `birth_date`, or None when it is missing or not a date."""
    born = _as_date(customer.get("birth_date"))
    return None if born is None else whole_years(born, today)


def field_value(customer: Mapping[str, Any], name: str, today: date) -> Any:
    """The value a segment sees for `name`: derived, then top-level, then attributes."""
    if name == "tenure_years":
        return tenure_years(customer, today)
    if name == "age":
        return age(customer, today)
    if name in TOP_LEVEL_FIELDS:
        return customer.get(name)
    return _attributes(customer).get(name)


# -- the tree -----------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """One test of one field. `value` is a tuple for in/not_in and a bool for exists."""

    field: str
    op: Op
    value: Scalar | tuple[Scalar, ...]
    _keys: frozenset[tuple[str, Any]] = dataclasses.field(init=False, repr=False, compare=False)
    _date: date | None = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Precomputed once: a campaign evaluates the same condition for every customer.
        values = self.value if isinstance(self.value, tuple) else (self.value,)
        keys = frozenset(key for key in (_comparable(v) for v in values) if key is not None)
        object.__setattr__(self, "_keys", keys)
        object.__setattr__(self, "_date", _as_date(self.value))

    def matches(self, customer: Mapping[str, Any], today: date) -> bool:
        actual = field_value(customer, self.field, today)
        match self.op:
            case Op.EXISTS:
                return _is_present(actual) is self.value
            case Op.EQ | Op.IN:
                return _comparable(actual) in self._keys
            case Op.NE | Op.NOT_IN:
                return _comparable(actual) not in self._keys
            case Op.BEFORE | Op.AFTER:
                actual_date, bound = _as_date(actual), self._date
                if actual_date is None or bound is None:
                    return False
                return actual_date < bound if self.op is Op.BEFORE else actual_date > bound
            case Op.GTE | Op.LTE:
                return _ordered(actual, self.value, self.op)
        return False  # pragma: no cover - every Op is handled above

    def to_dict(self) -> dict[str, Any]:
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        return {"field": self.field, "op": self.op.value, "value": value}

    def count(self) -> int:
        return 1


def _ordered(actual: Any, bound: Any, op: Op) -> bool:
    """gte/lte: numbers against numbers, dates against dates; anything else does not match."""
    if _is_number(bound):
        if not _is_number(actual) or (isinstance(actual, float) and math.isnan(actual)):
            return False
        left, right = _exact(actual), _exact(bound)
    else:
        left, right = _as_date(actual), _as_date(bound)
        if left is None or right is None:
            return False
    return left >= right if op is Op.GTE else left <= right


@dataclass(frozen=True)
class Group:
    """`all` (every child matches; empty = everyone) or `any` (at least one child matches)."""

    kind: Literal["all", "any"]
    children: tuple[Node, ...]

    def matches(self, customer: Mapping[str, Any], today: date) -> bool:
        results = (child.matches(customer, today) for child in self.children)
        return all(results) if self.kind == "all" else any(results)

    def to_dict(self) -> dict[str, Any]:
        return {self.kind: [child.to_dict() for child in self.children]}

    def count(self) -> int:
        return sum(child.count() for child in self.children)


@dataclass(frozen=True)
class Not:
    """Negation of one node, for audiences like "not (Jakarta and Toyota)"."""

    child: Node

    def matches(self, customer: Mapping[str, Any], today: date) -> bool:
        return not self.child.matches(customer, today)

    def to_dict(self) -> dict[str, Any]:
        return {"not": self.child.to_dict()}

    def count(self) -> int:
        return self.child.count()


Node: TypeAlias = Condition | Group | Not


class DynamoFilter(NamedTuple):
    """Arguments for a boto3 Table.scan: values are native (str, bool, Decimal) as the resource layer expects."""

    expression: str
    names: dict[str, str]
    values: dict[str, Any]


@dataclass(frozen=True)
class Segment:
    """A parsed audience filter. Build with `parse_segment`; the empty segment matches everyone."""

    root: Node = dataclasses.field(default_factory=lambda: Group("all", ()))

    def matches(self, customer: Mapping[str, Any], today: date) -> bool:
        """True when `customer` (the public JSON shape) belongs to the audience on `today`."""
        return self.root.matches(customer, today)

    def to_dict(self) -> dict[str, Any]:
        """Canonical JSON: parse_segment(segment.to_dict()) == segment."""
        return self.root.to_dict()

    @property
    def is_everyone(self) -> bool:
        return isinstance(self.root, Group) and self.root.kind == "all" and not self.root.children

    def dynamodb_filter(self) -> DynamoFilter | None:
        """A Scan FilterExpression that every matching customer satisfies, or None.

        It is an optimisation hint only - a superset of the audience - so
        results must still go through `matches()`. Only tests DynamoDB
        evaluates exactly as Python does are pushed down: presence, numbers,
        booleans and ISO date strings. Text equality is case-insensitive here,
        which DynamoDB cannot do, so it stays in Python. Items are assumed to be
        stored in the public JSON shape, with attributes in the `attributes` map.
        """
        builder = _FilterBuilder()
        expression = builder.node(self.root)
        if expression is None:
            return None
        too_big = len(expression.encode()) > MAX_EXPRESSION_LENGTH or builder.operators > MAX_EXPRESSION_OPERATORS
        if too_big:
            return None
        return DynamoFilter(expression, builder.names, builder.values)


# -- DynamoDB pushdown --------------------------------------------------------


class _FilterBuilder:
    """Translates the tree into a necessary (not sufficient) DynamoDB condition; None means "cannot narrow"."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.values: dict[str, Any] = {}
        self.operators = 0

    def node(self, node: Node) -> str | None:
        if isinstance(node, Condition):
            return self.condition(node)
        if isinstance(node, Not):
            # NOT needs an exact inner expression; ours are only supersets, so negating would drop matches.
            return None
        parts = [self.node(child) for child in node.children]
        if node.kind == "all":
            kept = [part for part in parts if part is not None]  # dropping a conjunct only widens the result
        else:
            if not parts or any(part is None for part in parts):
                return None  # one unrestricted alternative makes the whole `any` unrestricted
            kept = [part for part in parts if part is not None]
        if not kept:
            return None
        if len(kept) == 1:
            return kept[0]
        self.operators += len(kept) - 1
        joiner = " AND " if node.kind == "all" else " OR "
        return "(" + joiner.join(kept) + ")"

    def condition(self, condition: Condition) -> str | None:
        if condition.field in DERIVED_FIELDS:
            return None  # depends on `today`
        value = condition.value
        match condition.op:
            case Op.EXISTS:
                # attribute_not_exists would drop items holding null or "", which Python counts as missing.
                return self.emit(f"attribute_exists({self.path(condition.field)})") if value is True else None
            case Op.EQ if isinstance(value, bool) or _is_number(value):
                return self.emit(f"{self.path(condition.field)} = {self.value(value)}")
            case Op.IN if isinstance(value, tuple) and len(value) <= MAX_PUSHDOWN_IN:
                if not all(isinstance(item, bool) or _is_number(item) for item in value):
                    return None
                placeholders = ", ".join(self.value(item) for item in value)
                return self.emit(f"{self.path(condition.field)} IN ({placeholders})")
            case Op.BEFORE:
                # Stored timestamps "2024-01-01T..." sort after "2024-01-01", exactly like Python's date-part rule.
                return self.emit(f"{self.path(condition.field)} < {self.value(value)}")
            case Op.AFTER:
                return self.date_at_least(condition.field, _as_date(value), days=1)
            case Op.GTE if _is_number(value):
                return self.emit(f"{self.path(condition.field)} >= {self.value(value)}")
            case Op.LTE if _is_number(value):
                return self.emit(f"{self.path(condition.field)} <= {self.value(value)}")
            case Op.GTE:
                return self.date_at_least(condition.field, _as_date(value), days=0)
            case Op.LTE:
                # "<= day" on a timestamp string would miss that day's times; "< next day" does not.
                bound = _next_day(_as_date(value))
                if bound is None:
                    return None
                return self.emit(f"{self.path(condition.field)} < {self.value(bound.isoformat())}")
        return None  # ne/not_in and text equality: case-insensitive, Python only

    def date_at_least(self, name: str, day: date | None, *, days: int) -> str | None:
        bound = day if days == 0 else _next_day(day)
        if bound is None:
            return None
        return self.emit(f"{self.path(name)} >= {self.value(bound.isoformat())}")

    def emit(self, expression: str) -> str:
        self.operators += 1
        return expression

    def path(self, name: str) -> str:
        placeholder = self.names_for(name)
        if name in TOP_LEVEL_FIELDS:
            return placeholder
        return f"{self.names_for('attributes')}.{placeholder}"

    def names_for(self, name: str) -> str:
        for placeholder, existing in self.names.items():
            if existing == name:
                return placeholder
        placeholder = f"#n{len(self.names)}"
        self.names[placeholder] = name
        return placeholder

    def value(self, value: Any) -> str:
        placeholder = f":v{len(self.values)}"
        if _is_number(value):
            value = Decimal(str(value))
        self.values[placeholder] = value
        return placeholder


def _next_day(day: date | None) -> date | None:
    if day is None:
        return None
    try:
        return day + timedelta(days=1)
    except OverflowError:
        return None


# -- parsing ------------------------------------------------------------------


def parse_segment(data: Any, extra_fields: Iterable[str] = ()) -> Segment:
    """Validate staff-supplied JSON into a Segment, or raise InvalidSegment naming every bad path.

    `extra_fields` declares tenant-specific attribute names (e.g. "loan_amount")
    on top of the built-in ones.
    """
    if isinstance(extra_fields, str):
        raise TypeError("extra_fields must be an iterable of names, not a single string")
    extras = frozenset(extra_fields)
    bad = sorted(str(name) for name in extras if not isinstance(name, str) or not _FIELD_NAME.fullmatch(name))
    if bad:
        raise ValueError(f"invalid extra field names: {', '.join(bad)}")
    parser = _Parser(KNOWN_FIELDS | extras)
    if isinstance(data, Mapping) and not data:
        return Segment()
    root = parser.node(data, "segment", depth=0)
    if parser.errors:
        raise InvalidSegment(parser.errors)
    assert root is not None  # a None node always records an error
    return Segment(root)


class _Parser:
    """Collects every problem in one pass so the UI can highlight all of them at once."""

    def __init__(self, allowed_fields: frozenset[str]) -> None:
        self.allowed = allowed_fields
        self.errors: dict[str, str] = {}
        self.conditions = 0

    def fail(self, path: str, message: str) -> None:
        self.errors.setdefault(path, message)

    def node(self, data: Any, path: str, depth: int) -> Node | None:
        if not isinstance(data, Mapping):
            self.fail(path, "must be an object: a condition {field, op, value} or a group {all|any|not: ...}")
            return None
        group_keys = [key for key in _GROUP_KEYS if key in data]
        if group_keys:
            return self.group(data, group_keys, path, depth)
        return self.condition(data, path)

    def group(self, data: Mapping[Any, Any], keys: list[str], path: str, depth: int) -> Node | None:
        extra = sorted(str(key) for key in data if key not in _GROUP_KEYS)
        if len(keys) > 1 or extra:
            self.fail(path, "a group has exactly one key: 'all', 'any' or 'not'")
            return None
        kind = keys[0]
        here = f"{path}.{kind}"
        if depth + 1 > MAX_DEPTH:
            self.fail(here, f"nested too deeply (at most {MAX_DEPTH} levels of all/any/not)")
            return None
        body = data[kind]
        if kind == "not":
            child = self.node(body, here, depth + 1)
            return None if child is None else Not(child)
        if not isinstance(body, list):
            self.fail(here, "must be a list of conditions or groups")
            return None
        if kind == "any" and not body:
            self.fail(here, "must contain at least one condition (an empty 'any' matches nobody)")
            return None
        children: list[Node] = []
        for index, item in enumerate(body):
            if self.conditions > MAX_CONDITIONS:
                break
            child = self.node(item, f"{here}[{index}]", depth + 1)
            if child is not None:
                children.append(child)
        return Group(kind, tuple(children))  # type: ignore[arg-type]

    def condition(self, data: Mapping[Any, Any], path: str) -> Condition | None:
        self.conditions += 1
        if self.conditions == MAX_CONDITIONS + 1:
            self.fail("segment", f"too many conditions (at most {MAX_CONDITIONS})")
        if self.conditions > MAX_CONDITIONS:
            return None
        ok = True
        for key in data:
            if key not in _CONDITION_KEYS:
                self.fail(f"{path}.{key}", "unknown key; a condition has 'field', 'op' and 'value'")
                ok = False
        name = self.field_name(data, path)
        op = self.op(data, path)
        if name is None or op is None or not ok:
            return None
        value = self.value(name, op, data, f"{path}.value")
        if value is None:
            return None
        return Condition(name, op, value)

    def field_name(self, data: Mapping[Any, Any], path: str) -> str | None:
        if "field" not in data:
            self.fail(f"{path}.field", "is required")
            return None
        name = data["field"]
        if not isinstance(name, str) or name not in self.allowed:
            shown = repr(name) if isinstance(name, str) else "this value"
            self.fail(f"{path}.field", f"unknown field {shown}; allowed: {', '.join(sorted(self.allowed))}")
            return None
        return name

    def op(self, data: Mapping[Any, Any], path: str) -> Op | None:
        if "op" not in data:
            self.fail(f"{path}.op", f"is required; one of {_OPS_TEXT}")
            return None
        raw = data["op"]
        if isinstance(raw, str) and raw in _OP_VALUES:
            return Op(raw)
        shown = repr(raw) if isinstance(raw, str) else "this value"
        self.fail(f"{path}.op", f"unknown op {shown}; allowed: {_OPS_TEXT}")
        return None

    def value(self, name: str, op: Op, data: Mapping[Any, Any], path: str) -> Scalar | tuple[Scalar, ...] | None:
        if op is Op.EXISTS:
            raw = data.get("value", True)
            if not isinstance(raw, bool):
                self.fail(path, "must be true or false (exists defaults to true)")
                return None
            return raw
        if "value" not in data:
            self.fail(path, "is required")
            return None
        raw = data["value"]
        if op in (Op.IN, Op.NOT_IN):
            return self.value_list(name, raw, path)
        if op in (Op.BEFORE, Op.AFTER):
            if name in KNOWN_FIELDS and name not in DATE_FIELDS:
                self.fail(path, f"'{op}' only applies to dates; {name} is not a date")
                return None
            return self.date_text(raw, path)
        if op in (Op.GTE, Op.LTE):
            return self.bound(name, raw, path)
        return self.scalar(name, raw, path)

    def value_list(self, name: str, raw: Any, path: str) -> tuple[Scalar, ...] | None:
        if not isinstance(raw, list) or not raw or len(raw) > MAX_LIST_ITEMS:
            self.fail(path, f"must be a non-empty list of at most {MAX_LIST_ITEMS} values")
            return None
        items: list[Scalar] = []
        for index, item in enumerate(raw):
            value = self.scalar(name, item, f"{path}[{index}]")
            if value is None:
                return None
            items.append(value)
        return tuple(items)

    def scalar(self, name: str, raw: Any, path: str) -> Scalar | None:
        if name in NUMBER_FIELDS:
            return self.number(raw, path)
        if isinstance(raw, bool):
            return raw
        if _is_number(raw):
            return self.number(raw, path)
        if isinstance(raw, str):
            text = raw.strip()
            if not text or len(text) > MAX_TEXT_LENGTH:
                self.fail(path, f"text must be 1 to {MAX_TEXT_LENGTH} characters (use 'exists' to test for blanks)")
                return None
            return text
        self.fail(path, "must be text, a number or true/false (use 'exists' to test for missing values)")
        return None

    def number(self, raw: Any, path: str) -> int | float | None:
        """JSON numbers only (Decimal from a stored segment becomes int/float so to_dict stays JSON)."""
        if isinstance(raw, Decimal) and raw.is_finite():
            raw = int(raw) if raw == raw.to_integral_value() else float(raw)
        in_range = _is_number(raw) and not isinstance(raw, Decimal) and abs(raw) < MAX_NUMBER
        if not in_range:  # NaN fails `<`; inf and huge ints fail the bound
            self.fail(path, f"must be a number smaller than {MAX_NUMBER:,} in size")
            return None
        return raw

    def date_text(self, raw: Any, path: str) -> str | None:
        if isinstance(raw, str) and _ISO_DATE.fullmatch(raw.strip()):
            try:
                return date.fromisoformat(raw.strip()).isoformat()
            except ValueError:
                pass
        self.fail(path, "must be a date written YYYY-MM-DD")
        return None

    def bound(self, name: str, raw: Any, path: str) -> Scalar | None:
        if name in NUMBER_FIELDS:
            return self.number(raw, path)
        if name in DATE_FIELDS:
            return self.date_text(raw, path)
        if name in KNOWN_FIELDS:
            self.fail(path, f"gte/lte compare numbers or dates; {name} is text")
            return None
        if _is_number(raw):
            return self.number(raw, path)
        if isinstance(raw, str):
            return self.date_text(raw, path)
        self.fail(path, "must be a number or a date written YYYY-MM-DD")
        return None
