"""A journey as data: its trigger, its steps (delay, condition, action) and its exit conditions.

Journeys are written by staff over the API, so everything here is parsed
strictly and every problem is reported with its path (`steps.1.condition...`).
Conditions and exit segments are the campaigns' segment language
(`campaigns.segments`), never a second one; message content is a named
template under templates/journeys/ or an inline template per channel and
language, checked when the journey is saved (`journeys.content`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from chalicelib.campaigns.segments import InvalidSegment, Segment, parse_segment
from chalicelib.journeys.events import CONTRACT_FIELDS, EVENT_KINDS, EXIT_EVENTS

TRIGGERS: tuple[str, ...] = tuple(k for k in EVENT_KINDS if k != "terminated")
STATUSES: tuple[str, ...] = ("active", "paused")
ACTION_KINDS: tuple[str, ...] = ("message", "call_task")
MESSAGE_CHANNELS: tuple[str, ...] = ("whatsapp", "email")
PURPOSES: tuple[str, ...] = ("service", "promotion", "greeting")
"""A journey message is about the customer's contract (service), an offer (promotion) or a greeting."""
LANGUAGES: tuple[str, ...] = ("id", "en")
MAX_STEPS = 20
MAX_DELAY_DAYS = 3 * 366
NAME_MAX = 120
NOTE_MAX = 1000
_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_FIELD = re.compile(r"[a-z][a-z0-9_]{0,63}")


class InvalidJourney(ValueError):
    """A journey that cannot be saved; `fields` maps each problem's path to what is wrong."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


@dataclass(frozen=True)
class Trigger:
    kind: str
    field: str | None = None  # attribute_date: the customer date it follows (birth_date, or an attribute)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, **({"field": self.field} if self.field else {})}


@dataclass(frozen=True)
class Action:
    kind: str  # message | call_task
    channels: tuple[str, ...] = ()  # message: preference order
    purpose: str = "service"
    template: str | None = None  # a folder under templates/journeys/
    inline: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # {channel: {language: inline template}}
    note: str = ""  # call_task: what the caller is to do

    def to_dict(self) -> dict[str, Any]:
        if self.kind == "call_task":
            return {"kind": "call_task", "note": self.note}
        data: dict[str, Any] = {"kind": "message", "channels": list(self.channels), "purpose": self.purpose}
        if self.template:
            data["template"] = self.template
        if self.inline:
            data["inline"] = {c: dict(v) for c, v in self.inline.items()}
        return data


@dataclass(frozen=True)
class Step:
    id: str
    action: Action
    delay_days: int = 0
    delay_hours: int = 0
    condition: Mapping[str, Any] | None = None  # a segment: the step is skipped when it does not match

    @property
    def delay(self) -> timedelta:
        return timedelta(days=self.delay_days, hours=self.delay_hours)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "delay": {"days": self.delay_days, "hours": self.delay_hours},
            "action": self.action.to_dict(),
        }
        if self.condition is not None:
            data["condition"] = dict(self.condition)
        return data


@dataclass(frozen=True)
class Exit:
    segment: Mapping[str, Any] | None = None  # leaves the journey when the customer matches
    events: tuple[str, ...] = ()  # leaves when one of these happens to the journey's contract

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"events": list(self.events)}
        if self.segment is not None:
            data["segment"] = dict(self.segment)
        return data


@dataclass(frozen=True)
class Journey:
    id: str
    name: str
    trigger: Trigger
    steps: tuple[Step, ...]
    exit: Exit = field(default_factory=Exit)
    status: str = "active"
    version: int = 1
    created_at: str = ""
    updated_at: str = ""

    @property
    def active(self) -> bool:
        return self.status == "active"

    def step_at(self, index: int) -> Step | None:
        return self.steps[index] if 0 <= index < len(self.steps) else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "trigger": self.trigger.to_dict(),
            "steps": [s.to_dict() for s in self.steps],
            "exit": self.exit.to_dict(),
            "status": self.status,
            "version": self.version,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


def segment_of(data: Mapping[str, Any] | None, extra_fields: Iterable[str] = ()) -> Segment | None:
    return None if data is None else parse_segment(dict(data), (*extra_fields, *CONTRACT_FIELDS))


# -- parsing ----------------------------------------------------------------------------------------------------------


def parse_journey(
    data: Mapping[str, Any],
    extra_fields: Iterable[str] = (),
    *,
    check_content: Callable[[Action, str], dict[str, str]] | None = None,
) -> Journey:
    """A journey from its JSON, or InvalidJourney naming each problem; `check_content` checks the templates too."""
    errors: dict[str, str] = {}
    extra = (*extra_fields, *CONTRACT_FIELDS)
    journey_id = str(data.get("id") or "")
    if not _ID.fullmatch(journey_id):
        errors["id"] = "must be 1-64 lowercase letters, digits, - or _"
    name = str(data.get("name") or "").strip()
    if not name or len(name) > NAME_MAX:
        errors["name"] = f"is required: at most {NAME_MAX} characters"
    trigger = _trigger(data.get("trigger") or {}, errors)
    raw_steps = list(data.get("steps") or [])
    if not raw_steps:
        errors["steps"] = "needs at least one step"
    elif len(raw_steps) > MAX_STEPS:
        errors["steps"] = f"at most {MAX_STEPS} steps"
    steps: list[Step] = []
    for index, raw in enumerate(raw_steps[:MAX_STEPS]):
        step = _step(raw, f"steps.{index}", extra, errors)
        if step is not None:
            if check_content is not None:
                errors.update(check_content(step.action, f"steps.{index}.action"))
            steps.append(step)
    ids = [s.id for s in steps]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        errors["steps"] = f"step ids must be unique: {', '.join(duplicates)} repeated"
    exit_ = _exit(data.get("exit") or {}, extra, errors)
    status = data.get("status") or "active"
    if status not in STATUSES:
        errors["status"] = f"must be one of {', '.join(STATUSES)}"
    if errors:
        raise InvalidJourney(errors)
    assert trigger is not None
    return Journey(
        id=journey_id,
        name=name,
        trigger=trigger,
        steps=tuple(steps),
        exit=exit_,
        status=str(status),
        version=int(data.get("version") or 1),
        created_at=str(data.get("created_at") or ""),
        updated_at=str(data.get("updated_at") or ""),
    )


def _trigger(raw: Mapping[str, Any], errors: dict[str, str]) -> Trigger | None:
    kind = raw.get("kind")
    if kind not in TRIGGERS:
        errors["trigger.kind"] = f"must be one of {', '.join(TRIGGERS)}"
        return None
    field_name = raw.get("field")
    if kind == "attribute_date":
        if not isinstance(field_name, str) or not _FIELD.fullmatch(field_name):
            errors["trigger.field"] = "is required for attribute_date: a customer date field such as birth_date"
            return None
    elif field_name is not None:
        errors["trigger.field"] = "only for attribute_date"
        return None
    return Trigger(str(kind), field_name)


def _segment(raw: Any, path: str, extra: tuple[str, ...], errors: dict[str, str]) -> dict[str, Any] | None:
    if raw is None:
        return None
    try:
        return parse_segment(raw, extra).to_dict()
    except InvalidSegment as error:
        errors.update({f"{path}{k.removeprefix('segment')}": v for k, v in error.fields.items()})
        return None


def _step(raw: Any, path: str, extra: tuple[str, ...], errors: dict[str, str]) -> Step | None:
    if not isinstance(raw, Mapping):
        errors[path] = "must be an object"
        return None
    step_id = str(raw.get("id") or "")
    if not _ID.fullmatch(step_id):
        errors[f"{path}.id"] = "must be 1-64 lowercase letters, digits, - or _"
    delay = raw.get("delay") or {}
    days, hours = delay.get("days", 0), delay.get("hours", 0)
    if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= MAX_DELAY_DAYS:
        errors[f"{path}.delay.days"] = f"must be a whole number of days from 0 to {MAX_DELAY_DAYS}"
        days = 0
    if not isinstance(hours, int) or isinstance(hours, bool) or not 0 <= hours <= 23:
        errors[f"{path}.delay.hours"] = "must be a whole number of hours from 0 to 23"
        hours = 0
    condition = _segment(raw.get("condition"), f"{path}.condition", extra, errors)
    action = _action(raw.get("action") or {}, f"{path}.action", errors)
    if action is None or f"{path}.id" in errors:
        return None
    return Step(step_id, action, days, hours, condition)


def _action(raw: Mapping[str, Any], path: str, errors: dict[str, str]) -> Action | None:
    kind = raw.get("kind")
    if kind == "call_task":
        note = str(raw.get("note") or "").strip()
        if not note or len(note) > NOTE_MAX:
            errors[f"{path}.note"] = f"is required: what to call about, at most {NOTE_MAX} characters"
            return None
        return Action("call_task", note=note)
    if kind != "message":
        errors[f"{path}.kind"] = f"must be one of {', '.join(ACTION_KINDS)}"
        return None
    channels = tuple(raw.get("channels") or ())
    if not channels or any(c not in MESSAGE_CHANNELS for c in channels) or len(set(channels)) != len(channels):
        errors[f"{path}.channels"] = f"must list channels in order of preference: {', '.join(MESSAGE_CHANNELS)}"
    purpose = raw.get("purpose") or "service"
    if purpose not in PURPOSES:
        errors[f"{path}.purpose"] = f"must be one of {', '.join(PURPOSES)}"
    template, inline = raw.get("template"), raw.get("inline")
    if (template is None) == (inline is None):
        errors[f"{path}.template"] = "give either template (a name) or inline (per channel and language)"
    if f"{path}.channels" in errors or f"{path}.purpose" in errors or f"{path}.template" in errors:
        return None
    return Action(
        "message",
        channels=channels,
        purpose=str(purpose),
        template=str(template) if template is not None else None,
        inline={str(c): dict(v) for c, v in (inline or {}).items()} if isinstance(inline, Mapping) else {},
    )


def _exit(raw: Mapping[str, Any], extra: tuple[str, ...], errors: dict[str, str]) -> Exit:
    events = tuple(raw.get("events") or ())
    if any(e not in EXIT_EVENTS for e in events):
        errors["exit.events"] = f"may list {', '.join(EXIT_EVENTS)}"
        events = ()
    return Exit(_segment(raw.get("segment"), "exit.segment", extra, errors), events)
