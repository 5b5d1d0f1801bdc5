"""A journey as staff write it: what is accepted, and each problem named by its path."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.journeys.content import content_problems
from chalicelib.journeys.defaults import DEFAULTS
from chalicelib.journeys.model import InvalidJourney, parse_journey


def _journey(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "welcome-2",
        "name": "Welcome",
        "trigger": {"kind": "contract_approved"},
        "steps": [
            {
                "id": "hello",
                "action": {"kind": "message", "channels": ["whatsapp"], "purpose": "service", "template": "welcome"},
            }
        ],
    }
    data.update(overrides)
    return data


def _problems(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(InvalidJourney) as raised:
        parse_journey(data, check_content=content_problems)
    return raised.value.fields


def test_every_default_journey_is_valid_with_its_templates() -> None:
    for data in DEFAULTS:
        journey = parse_journey(data, check_content=content_problems)
        assert journey.steps, journey.id


def test_a_journey_round_trips_through_its_stored_form() -> None:
    journey = parse_journey(DEFAULTS[0], check_content=content_problems)

    assert parse_journey(journey.to_dict()) == journey


def test_conditions_use_the_segment_language_and_its_errors_name_the_step() -> None:
    step = {
        "id": "x",
        "condition": {"field": "shoe_size", "op": "eq", "value": 42},
        "action": {"kind": "call_task", "note": "Telepon"},
    }

    problems = _problems(_journey(steps=[step]))

    assert any(path.startswith("steps.0.condition") for path in problems), problems


def test_contract_facts_are_condition_fields() -> None:
    step = {
        "id": "x",
        "condition": {"field": "contract_product", "op": "in", "value": ["car", "fleet"]},
        "action": {"kind": "call_task", "note": "Telepon"},
    }

    assert parse_journey(_journey(steps=[step])).steps[0].condition is not None


def test_an_unknown_template_and_a_bad_inline_template_are_refused_where_they_are() -> None:
    steps = [
        {"id": "a", "action": {"kind": "message", "channels": ["email"], "template": "no_such_template"}},
        {
            "id": "b",
            "action": {"kind": "message", "channels": ["email"], "inline": {"email": {"id": {"body": "Halo {{ x }}"}}}},
        },
    ]

    problems = _problems(_journey(steps=steps))

    assert "no email version" in problems["steps.0.action.template"]
    assert "steps.1.action.inline.email.id.subject" in problems  # an e-mail needs its subject


def test_an_inline_template_per_channel_and_language_is_accepted() -> None:
    inline = {
        "whatsapp": {
            "id": {
                "body": "Halo {{ customer.first_name }}",
                "whatsapp_template": {"name": "sapa_info", "language": "id"},
            }
        }
    }
    step = {"id": "a", "action": {"kind": "message", "channels": ["whatsapp"], "inline": inline}}

    journey = parse_journey(_journey(steps=[step]), check_content=content_problems)

    assert journey.steps[0].action.inline["whatsapp"]["id"]["body"].startswith("Halo")


def test_structure_problems_are_all_reported_at_once() -> None:
    problems = _problems(
        {
            "id": "Bad Id",
            "name": "",
            "trigger": {"kind": "attribute_date"},
            "steps": [
                {"id": "a", "delay": {"days": -1}, "action": {"kind": "message", "channels": ["sms"]}},
                {"id": "a", "action": {"kind": "call_task", "note": "x"}},
            ],
            "exit": {"events": ["birthday"]},
            "status": "draft",
        }
    )

    assert set(problems) >= {
        "id",
        "name",
        "trigger.field",
        "steps.0.delay.days",
        "steps.0.action.channels",
        "exit.events",
        "status",
    }


def test_step_ids_must_be_unique() -> None:
    call = {"kind": "call_task", "note": "x"}

    problems = _problems(_journey(steps=[{"id": "a", "action": call}, {"id": "a", "action": call}]))

    assert "repeated" in problems["steps"]
