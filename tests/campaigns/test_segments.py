"""Segment parsing, matching and DynamoDB pushdown."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.campaigns.segments import (
    MAX_CONDITIONS,
    MAX_DEPTH,
    DynamoFilter,
    InvalidSegment,
    Segment,
    parse_segment,
)

TODAY = date(2025, 6, 15)

EXAMPLE = {
    "all": [
        {"field": "city", "op": "in", "value": ["Jakarta", "Bandung"]},
        {"field": "vehicle_brand", "op": "eq", "value": "Toyota"},
        {"field": "contract_start", "op": "before", "value": "2024-01-01"},
    ]
}


def customer(**overrides: Any) -> dict[str, Any]:
    attributes = {"vehicle_brand": "Toyota", "contract_start": "2021-03-10", "branch": "JKT-01"}
    attributes.update(overrides.pop("attributes", {}))
    base: dict[str, Any] = {
        "id": "c1",
        "external_id": "X1",
        "name": "Budi Santoso",
        "phone": "+6281234567890",
        "email": "budi@example.com",
        "birth_date": "1990-06-16",
        "province": "DKI Jakarta",
        "city": "Jakarta",
        "timezone": "Asia/Jakarta",
        "language": "id",
        "attributes": attributes,
        "consents": {"whatsapp": ["promotions"]},
        "created_at": "2021-03-10T04:00:00Z",
    }
    base.update(overrides)
    return base


def errors_of(data: Any, **kwargs: Any) -> dict[str, str]:
    with pytest.raises(InvalidSegment) as caught:
        parse_segment(data, **kwargs)
    return caught.value.fields


# -- matching -----------------------------------------------------------------


def test_example_segment_matches_toyota_owner_in_jakarta() -> None:
    assert parse_segment(EXAMPLE).matches(customer(), TODAY)


@pytest.mark.parametrize(
    "overrides",
    [
        {"city": "Surabaya"},
        {"attributes": {"vehicle_brand": "Honda"}},
        {"attributes": {"contract_start": "2024-01-01"}},  # before is strict
        {"attributes": {"contract_start": None}},
        {"city": None},
    ],
)
def test_example_segment_rejects(overrides: dict[str, Any]) -> None:
    assert not parse_segment(EXAMPLE).matches(customer(**overrides), TODAY)


def test_text_compares_case_insensitively_and_trimmed() -> None:
    segment = parse_segment({"all": [{"field": "city", "op": "eq", "value": "  jakarta "}]})
    assert segment.matches(customer(city="JAKARTA"), TODAY)
    assert segment.matches(customer(city="Jakarta  "), TODAY)
    assert not segment.matches(customer(city="Jakarta Selatan"), TODAY)


def test_in_is_case_insensitive() -> None:
    segment = parse_segment({"field": "vehicle_brand", "op": "in", "value": ["toyota", "DAIHATSU"]})
    assert segment.matches(customer(attributes={"vehicle_brand": "Daihatsu"}), TODAY)
    assert not segment.matches(customer(attributes={"vehicle_brand": "Honda"}), TODAY)


def test_ne_and_not_in_include_customers_without_the_field() -> None:
    ne = parse_segment({"field": "religion", "op": "ne", "value": "Islam"})
    not_in = parse_segment({"field": "religion", "op": "not_in", "value": ["islam"]})
    for segment in (ne, not_in):
        assert segment.matches(customer(), TODAY)
        assert not segment.matches(customer(attributes={"religion": "ISLAM"}), TODAY)
        assert segment.matches(customer(attributes={"religion": "Kristen"}), TODAY)


def test_numbers_and_booleans_do_not_coerce() -> None:
    segment = parse_segment({"field": "loan_count", "op": "eq", "value": 1}, extra_fields=["loan_count"])
    assert segment.matches(customer(attributes={"loan_count": 1}), TODAY)
    assert segment.matches(customer(attributes={"loan_count": Decimal("1.0")}), TODAY)
    assert not segment.matches(customer(attributes={"loan_count": True}), TODAY)
    assert not segment.matches(customer(attributes={"loan_count": "1"}), TODAY)


def test_float_values_equal_dynamodb_decimals() -> None:
    segment = parse_segment({"field": "rate", "op": "lte", "value": 0.1}, extra_fields=["rate"])
    assert segment.matches(customer(attributes={"rate": Decimal("0.1")}), TODAY)
    assert not segment.matches(customer(attributes={"rate": Decimal("0.11")}), TODAY)


def test_nesting_all_any_not() -> None:
    segment = parse_segment(
        {
            "all": [
                {
                    "any": [
                        {"field": "city", "op": "eq", "value": "Bandung"},
                        {"field": "branch", "op": "eq", "value": "jkt-01"},
                    ]
                },
                {"not": {"field": "contract_status", "op": "eq", "value": "closed"}},
            ]
        }
    )
    assert segment.matches(customer(), TODAY)
    assert segment.matches(customer(city="bandung", attributes={"branch": "BDG"}), TODAY)
    assert not segment.matches(customer(attributes={"branch": "BDG"}), TODAY)
    assert not segment.matches(customer(attributes={"contract_status": "Closed"}), TODAY)


def test_exists_defaults_to_true_and_treats_blank_as_missing() -> None:
    exists = parse_segment({"field": "branch", "op": "exists"})
    missing = parse_segment({"field": "branch", "op": "exists", "value": False})
    assert exists.to_dict() == {"field": "branch", "op": "exists", "value": True}
    assert exists.matches(customer(), TODAY)
    for blank in (None, "", "   "):
        assert not exists.matches(customer(attributes={"branch": blank}), TODAY)
        assert missing.matches(customer(attributes={"branch": blank}), TODAY)


def test_tenure_years_counts_whole_years_from_contract_start() -> None:
    segment = parse_segment({"field": "tenure_years", "op": "gte", "value": 3})
    assert segment.matches(customer(attributes={"contract_start": "2022-06-15"}), TODAY)  # third anniversary today
    assert not segment.matches(customer(attributes={"contract_start": "2022-06-16"}), TODAY)  # tomorrow
    assert not segment.matches(customer(attributes={"contract_start": "not a date"}), TODAY)
    exactly = parse_segment({"field": "tenure_years", "op": "eq", "value": 4})
    assert exactly.matches(customer(attributes={"contract_start": "2021-03-10"}), TODAY)


def test_age_from_birth_date() -> None:
    segment = parse_segment(
        {"all": [{"field": "age", "op": "gte", "value": 35}, {"field": "age", "op": "lte", "value": 35}]}
    )
    assert not segment.matches(customer(birth_date="1990-06-16"), TODAY)  # 34 until tomorrow
    assert segment.matches(customer(birth_date="1990-06-15"), TODAY)


def test_date_fields_compare_by_day_even_for_timestamps() -> None:
    on_day = parse_segment(
        {
            "all": [
                {"field": "created_at", "op": "gte", "value": "2021-03-10"},
                {"field": "created_at", "op": "lte", "value": "2021-03-10"},
            ]
        }
    )
    assert on_day.matches(customer(), TODAY)
    after = parse_segment({"field": "created_at", "op": "after", "value": "2021-03-10"})
    assert not after.matches(customer(), TODAY)


def test_top_level_field_is_not_read_from_attributes() -> None:
    segment = parse_segment({"field": "city", "op": "eq", "value": "Jakarta"})
    assert not segment.matches(customer(city=None, attributes={"city": "Jakarta"}), TODAY)


def test_empty_segment_means_everyone() -> None:
    for data in ({}, {"all": []}):
        segment = parse_segment(data)
        assert segment.is_everyone
        assert segment.matches({}, TODAY)
        assert segment.to_dict() == {"all": []}
        assert segment.dynamodb_filter() is None
    assert Segment() == parse_segment({})


def test_to_dict_round_trips_canonically() -> None:
    data = {
        "any": [
            {"field": "city", "op": "in", "value": [" Jakarta", "Bandung"]},
            {"not": {"all": [{"field": "branch", "op": "exists"}, {"field": "tenure_years", "op": "gte", "value": 2}]}},
        ]
    }
    segment = parse_segment(data)
    canonical = segment.to_dict()
    assert canonical["any"][0]["value"] == ["Jakarta", "Bandung"]
    assert canonical["any"][1]["not"]["all"][0]["value"] is True
    assert parse_segment(json.loads(json.dumps(canonical))) == segment
    assert parse_segment(canonical).to_dict() == canonical


def test_decimals_from_a_stored_segment_become_json_numbers() -> None:
    segment = parse_segment({"field": "tenure_years", "op": "gte", "value": Decimal("2")})
    assert segment.to_dict()["value"] == 2
    assert type(segment.to_dict()["value"]) is int


# -- validation ---------------------------------------------------------------


def test_unknown_field_names_the_path_and_allowed_fields() -> None:
    fields = errors_of(
        {"all": [{"field": "city", "op": "eq", "value": "x"}, {"field": "kota", "op": "eq", "value": "x"}]}
    )
    assert list(fields) == ["segment.all[1].field"]
    assert "'kota'" in fields["segment.all[1].field"]
    assert "vehicle_brand" in fields["segment.all[1].field"]


def test_unknown_op_names_the_path() -> None:
    fields = errors_of(
        {"all": [{"field": "city", "op": "eq", "value": "x"}, {"field": "city", "op": "like", "value": "x"}]}
    )
    assert "not_in" in fields["segment.all[1].op"]


def test_extra_fields_are_allowed_when_declared() -> None:
    data = {"field": "loan_amount", "op": "gte", "value": 50_000_000}
    errors_of(data)
    assert parse_segment(data, extra_fields=["loan_amount"]).matches(
        customer(attributes={"loan_amount": 75_000_000}), TODAY
    )


def test_every_problem_is_reported_at_once() -> None:
    fields = errors_of(
        {
            "any": [
                {"field": "city", "op": "in", "value": []},
                {"field": "contract_start", "op": "before", "value": "01/01/2024"},
                {"all": [{"field": "branch", "op": "exists", "value": "yes"}]},
                {"not": {"field": "age", "op": "gte", "value": "30"}},
                "city = Jakarta",
            ]
        }
    )
    assert set(fields) == {
        "segment.any[0].value",
        "segment.any[1].value",
        "segment.any[2].all[0].value",
        "segment.any[3].not.value",
        "segment.any[4]",
    }
    assert "YYYY-MM-DD" in fields["segment.any[1].value"]


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ({"field": "city", "op": "in", "value": "Jakarta"}, "non-empty list"),
        ({"field": "city", "op": "in", "value": ["x"] * 1001}, "at most 1000"),
        ({"field": "city", "op": "eq", "value": None}, "exists"),
        ({"field": "city", "op": "eq", "value": {"a": 1}}, "text, a number"),
        ({"field": "city", "op": "eq"}, "required"),
        ({"field": "city", "op": "before", "value": "2024-01-01"}, "only applies to dates"),
        ({"field": "city", "op": "gte", "value": 3}, "is text"),
        ({"field": "age", "op": "after", "value": "2024-01-01"}, "only applies to dates"),
        ({"field": "age", "op": "eq", "value": "30"}, "number"),
        ({"field": "birth_date", "op": "gte", "value": 1990}, "YYYY-MM-DD"),
        ({"field": "contract_start", "op": "after", "value": "2024-02-30"}, "YYYY-MM-DD"),
        ({"field": "tenure_years", "op": "gte", "value": float("nan")}, "number"),
        ({"field": "tenure_years", "op": "gte", "value": True}, "number"),
    ],
)
def test_values_are_type_checked_per_op(condition: dict[str, Any], message: str) -> None:
    fields = errors_of({"all": [condition]})
    assert message in fields["segment.all[0].value"]


def test_structure_errors() -> None:
    assert "segment" in errors_of(None)
    assert "segment" in errors_of([])
    assert "segment.any" in errors_of({"any": []})
    assert "segment" in errors_of({"all": [], "any": []})
    assert "segment.all" in errors_of({"all": {"field": "city"}})
    assert "segment.all[0].extra" in errors_of({"all": [{"field": "city", "op": "exists", "extra": 1}]})
    assert "segment.all[0].field" in errors_of({"all": [{"op": "exists"}]})
    assert "segment.all[0].field" in errors_of({"all": [{"field": ["city"], "op": "exists"}]})


def test_depth_limit() -> None:
    leaf: dict[str, Any] = {"field": "city", "op": "exists"}
    ok = leaf
    for _ in range(MAX_DEPTH):
        ok = {"all": [ok]}
    assert parse_segment(ok).matches(customer(), TODAY)
    fields = errors_of({"not": ok})
    assert any("nested too deeply" in message for message in fields.values())


def test_condition_limit() -> None:
    at_limit = {"all": [{"field": "city", "op": "exists"}] * MAX_CONDITIONS}
    parse_segment(at_limit)
    fields = errors_of({"all": [{"field": "city", "op": "exists"}] * (MAX_CONDITIONS + 1)})
    assert "too many conditions" in fields["segment"]


def test_extra_fields_must_be_names() -> None:
    with pytest.raises(TypeError):
        parse_segment({}, extra_fields="loan_amount")
    with pytest.raises(ValueError, match="invalid extra field"):
        parse_segment({}, extra_fields=["loan amount"])


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=30,
)
_keys = st.sampled_from(["all", "any", "not", "field", "op", "value", "city", "age"])
_ops = st.sampled_from(["eq", "ne", "in", "not_in", "before", "after", "exists", "gte", "lte", "like"])
_leafish = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=12),
    st.sampled_from(["2024-01-01", "city", "age", "tenure_years", "contract_start", "Jakarta"]),
    _ops,
)
_segmentish = st.recursive(
    _leafish,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_keys, children, max_size=4),
    max_leaves=40,
)
_values = st.one_of(
    st.sampled_from(["2024-01-01", "Jakarta", " toyota ", 3, 2.5, True]),
    st.lists(st.sampled_from(["Jakarta", "Bandung", 1, 2]), min_size=1, max_size=3),
)
_condition = st.fixed_dictionaries(
    {
        "field": st.sampled_from(["city", "vehicle_brand", "contract_start", "created_at", "tenure_years", "age"]),
        "op": _ops,
    },
    optional={"value": _values},
)
_tree = st.recursive(
    _condition,
    lambda children: st.one_of(
        st.fixed_dictionaries({"all": st.lists(children, max_size=3)}),
        st.fixed_dictionaries({"any": st.lists(children, min_size=1, max_size=3)}),
        st.fixed_dictionaries({"not": children}),
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(_json, _segmentish, _tree))
def test_parse_segment_on_arbitrary_json_returns_segment_or_invalid_segment(data: Any) -> None:
    try:
        segment = parse_segment(data)
    except InvalidSegment as exc:
        fields = exc.fields
    else:
        fields = {}
    if fields:
        assert all(key.startswith("segment") for key in fields)
        return
    assert isinstance(segment, Segment)
    assert parse_segment(segment.to_dict()) == segment
    segment.matches(customer(), TODAY)
    segment.dynamodb_filter()


# -- DynamoDB pushdown --------------------------------------------------------


def test_example_pushes_down_only_the_date() -> None:
    pushed = parse_segment(EXAMPLE).dynamodb_filter()
    assert pushed == DynamoFilter(
        "#n1.#n0 < :v0", {"#n0": "contract_start", "#n1": "attributes"}, {":v0": "2024-01-01"}
    )


def test_text_only_segment_cannot_be_pushed_down() -> None:
    assert parse_segment({"field": "city", "op": "eq", "value": "Jakarta"}).dynamodb_filter() is None
    assert parse_segment({"not": {"field": "branch", "op": "exists"}}).dynamodb_filter() is None
    assert parse_segment({"field": "branch", "op": "exists", "value": False}).dynamodb_filter() is None
    assert parse_segment({"field": "tenure_years", "op": "gte", "value": 2}).dynamodb_filter() is None


def test_any_pushes_down_only_when_every_branch_can() -> None:
    mixed = {"any": [{"field": "branch", "op": "exists"}, {"field": "city", "op": "eq", "value": "Jakarta"}]}
    assert parse_segment(mixed).dynamodb_filter() is None
    both = {
        "any": [
            {"field": "branch", "op": "exists"},
            {"field": "created_at", "op": "after", "value": "2024-12-31"},
        ]
    }
    pushed = parse_segment(both).dynamodb_filter()
    assert pushed is not None
    assert pushed.expression == "(attribute_exists(#n1.#n0) OR #n2 >= :v0)"
    assert pushed.names == {"#n0": "branch", "#n1": "attributes", "#n2": "created_at"}
    assert pushed.values == {":v0": "2025-01-01"}  # "after" a day == from the next day on, timestamps included


def test_numbers_and_date_bounds_push_down() -> None:
    data = {
        "all": [
            {"field": "loan_amount", "op": "gte", "value": 1.5},
            {"field": "loan_count", "op": "in", "value": [1, 2]},
            {"field": "birth_date", "op": "lte", "value": "2000-12-31"},
            {"field": "vehicle_brand", "op": "eq", "value": "Toyota"},
        ]
    }
    pushed = parse_segment(data, extra_fields=["loan_amount", "loan_count"]).dynamodb_filter()
    assert pushed is not None
    assert pushed.expression == "(#n1.#n0 >= :v0 AND #n1.#n2 IN (:v1, :v2) AND #n3 < :v3)"
    assert pushed.values == {":v0": Decimal("1.5"), ":v1": Decimal(1), ":v2": Decimal(2), ":v3": "2001-01-01"}


def test_pushdown_never_excludes_a_match() -> None:
    """Every customer that matches must also satisfy the pushed-down expression (checked by hand here)."""
    segment = parse_segment({"field": "created_at", "op": "lte", "value": "2021-03-10"})
    pushed = segment.dynamodb_filter()
    assert pushed is not None
    assert pushed.expression == "#n0 < :v0"
    item = customer()
    assert segment.matches(item, TODAY)
    assert item["created_at"] < pushed.values[":v0"]  # "2021-03-10T04:00:00Z" < "2021-03-11"


# -- pushdown never drops a match (property) ----------------------------------

_TOKEN = re.compile(r"\s*(attribute_exists|AND|OR|IN|<=|>=|<|>|=|\(|\)|,|#n\d+(?:\.#n\d+)?|:v\d+)")


def _dynamo_type(value: Any) -> str | None:
    """DynamoDB's type for a stored Python value; comparisons across types are false there."""
    if isinstance(value, bool):
        return "BOOL"
    if isinstance(value, int | float | Decimal):
        return "N"
    if isinstance(value, str):
        return "S"
    return None


def _evaluate(pushed: DynamoFilter, item: dict[str, Any]) -> bool:
    """A tiny evaluator for the expressions dynamodb_filter emits, with DynamoDB's typing rules."""
    tokens = _TOKEN.findall(pushed.expression)
    assert "".join(tokens) == pushed.expression.replace(" ", "")
    position = 0

    def take() -> str:
        nonlocal position
        position += 1
        return tokens[position - 1]

    def resolve(path: str) -> tuple[bool, Any]:
        current: Any = item
        for part in path.split("."):
            name = pushed.names[part]
            if not isinstance(current, dict) or name not in current:
                return False, None
            current = current[name]
        return True, current

    def compare(actual: Any, op: str, expected: Any) -> bool:
        if _dynamo_type(actual) is None or _dynamo_type(actual) != _dynamo_type(expected):
            return False
        if op == "=":
            return bool(actual == expected)
        if _dynamo_type(actual) == "BOOL":
            return False
        return {"<": actual < expected, "<=": actual <= expected, ">": actual > expected, ">=": actual >= expected}[op]

    def term() -> bool:
        token = take()
        if token == "(":
            result = expression()
            assert take() == ")"
            return result
        if token == "attribute_exists":
            assert take() == "("
            found, _ = resolve(take())
            assert take() == ")"
            return found
        found, actual = resolve(token)
        op = take()
        if op == "IN":
            assert take() == "("
            options = [pushed.values[take()]]
            while take() == ",":
                options.append(pushed.values[take()])
            return found and any(compare(actual, "=", option) for option in options)
        expected = pushed.values[take()]
        return found and compare(actual, op, expected)

    def expression() -> bool:
        result = term()
        while position < len(tokens) and tokens[position] in ("AND", "OR"):
            joiner = take()
            right = term()
            result = (result and right) if joiner == "AND" else (result or right)
        return result

    outcome = expression()
    assert position == len(tokens)
    return outcome


_dates = st.sampled_from(["2023-12-31", "2024-01-01", "2024-01-01T23:59:59Z", "2024-01-02", " 2024-01-05", "x", ""])
_numbers = st.sampled_from([0, 1, 2, Decimal("2.5"), 2.5, True, False, "2"])
_item = st.fixed_dictionaries(
    {"city": st.sampled_from(["Jakarta", "jakarta ", None]), "created_at": _dates},
    optional={
        "attributes": st.fixed_dictionaries(
            {}, optional={"contract_start": _dates, "score": _numbers, "vehicle_brand": st.just("Toyota")}
        )
    },
)
_date_condition = st.fixed_dictionaries(
    {
        "field": st.sampled_from(["created_at", "contract_start"]),
        "op": st.sampled_from(["before", "after", "gte", "lte", "exists", "eq"]),
        "value": st.sampled_from(["2024-01-01", "2024-01-02", True]),
    }
)
_number_condition = st.fixed_dictionaries(
    {
        "field": st.just("score"),
        "op": st.sampled_from(["eq", "in", "gte", "lte", "exists"]),
        "value": st.one_of(_numbers, st.lists(_numbers, min_size=1, max_size=3)),
    }
)
_text_condition = st.fixed_dictionaries(
    {
        "field": st.sampled_from(["city", "vehicle_brand"]),
        "op": st.sampled_from(["eq", "exists"]),
        "value": st.just(True),
    }
)
_pushable_leaf = st.one_of(_date_condition, _number_condition, _text_condition)
_pushable_tree = _pushable_leaf | st.recursive(
    _pushable_leaf,
    lambda children: st.one_of(
        st.fixed_dictionaries({"all": st.lists(children, min_size=1, max_size=3)}),
        st.fixed_dictionaries({"any": st.lists(children, min_size=1, max_size=3)}),
        st.fixed_dictionaries({"not": children}),
    ),
    max_leaves=6,
)


@settings(max_examples=400, deadline=None)
@given(_pushable_tree, st.lists(_item, min_size=1, max_size=20))
def test_pushdown_is_a_superset_of_matches(data: Any, items: list[dict[str, Any]]) -> None:
    try:
        segment = parse_segment(data, extra_fields=["score"])
    except InvalidSegment:
        return
    pushed = segment.dynamodb_filter()
    if pushed is None:
        return
    for item in items:
        if segment.matches(item, TODAY):
            assert _evaluate(pushed, item), (pushed, item)
