"""A campaign: its states, what staff may submit, and the JSON staff see.

States and who moves between them::

    draft      --PATCH send_at-->        scheduled   (PATCH "send_at": null goes back)
    draft      --POST send-->            sending
    scheduled  --send_at, the schedule-> sending     (or POST send, earlier)
    sending    --POST pause / auto-->    paused      --POST resume--> sending
    sending    --fan-out done, every
                 message settled-->      completed   (sent, failed, skipped or cancelled;
                                                      nothing queued, deferred or held)
    completed  --POST retry-failed-->    sending
    draft, scheduled, sending, paused --POST cancel--> cancelled

Every transition is one conditional write on the campaign item, so two
`send` calls or two overlapping schedule runs start a campaign exactly once.
Validation reports every bad field by name at once, like the customers API.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from chalicelib.campaigns.limits import CHANNELS


class Status(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    PAUSED = "paused"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


EDITABLE: frozenset[Status] = frozenset({Status.DRAFT, Status.SCHEDULED})
STARTABLE: frozenset[Status] = frozenset({Status.DRAFT, Status.SCHEDULED})
CANCELLABLE: frozenset[Status] = frozenset({Status.DRAFT, Status.SCHEDULED, Status.SENDING, Status.PAUSED})
RETRYABLE: frozenset[Status] = frozenset({Status.SENDING, Status.COMPLETED})
"""Not while paused: a pause (often an automatic one, for failures) means "send nothing" until resumed."""

MAX_SCHEDULE_AHEAD = timedelta(days=366)

SKIP_REASONS: tuple[str, ...] = ("no_consent", "suppressed", "frequency_cap", "invalid_contact")
"""Always reported, even at zero; other reasons (render_error, customer_erased, cancelled) appear when they occur."""

# Counters on the campaign item (ADD-only, updated by the outbound observers).
SENT, DELIVERED, READ, FAILED = "n_sent", "n_delivered", "n_read", "n_failed"
FAILED_PERMANENT, OUTCOMES = "n_failed_permanent", "n_outcomes"
BOUNCED, COMPLAINED, CLICKED, UNSUBSCRIBED = "n_bounced", "n_complained", "n_clicked", "n_unsubscribed"
RELEASED, CANCELLED, RETRIED = "n_released", "n_cancelled", "n_retried"
# Counters on each fan-out segment item, committed together with its checkpoint.
TARGETED, QUEUED, DEFERRED = "n_targeted", "n_queued", "n_deferred"
SKIP_PREFIX = "n_skip_"
RENDERED = "n_rendered"  # messages rendered; with RENDER_ERRORS, the rate that auto-pauses a fan-out
RENDER_ERRORS = SKIP_PREFIX + "render_error"
FAILED_CODE_PREFIX = "n_failed_code_"
"""`n_failed_code_131026`: failed sends by the provider's error code (every attempt, retried ones too)."""
SENT_HOUR_PREFIX = "h_sent_"
"""`h_sent_2026120203`: sends in that UTC hour, ADDed with `n_sent`, so the sends-over-time chart is the one GetItem
of the campaign (at most 24 small attributes a sending day)."""


class InvalidCampaign(ValueError):
    def __init__(self, fields: Mapping[str, str]) -> None:
        self.fields = dict(fields)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.fields.items()))


@dataclass(frozen=True)
class CampaignSpec:
    """The parts of a campaign staff write; validated together because template rules depend on the channel."""

    name: str
    channel: str
    template: str | dict[str, Any]
    segment: dict[str, Any]
    send_at: datetime | None = None


def new_campaign_id() -> str:
    return "cmp_" + secrets.token_hex(10)


def validate_spec(
    data: Any,
    *,
    now: datetime,
    existing: Mapping[str, Any] | None = None,
    extra_fields: Iterable[str] = (),
) -> CampaignSpec:
    """A new campaign (or, with `existing`, a PATCH merged onto the stored one), or InvalidCampaign.

    Each field is checked by the request's model (`schemas.CampaignBody`, or
    `schemas.CampaignChanges` for a PATCH, where a field left out keeps its
    value and `"send_at": null` removes the schedule). Then the rules that
    need the clock or the merged campaign: a `send_at` the request sets must
    lie ahead, within a year; the template must suit the channel and is
    rendered for sample customers (`content.check_samples`), so what cannot
    render for them, or an e-mail without its unsubscribe link, is refused now
    rather than skipped for every recipient of the fan-out. Every bad field is
    named at once, from the model and the rules alike.
    """
    # Imported here: every Lambda imports this module for its names; only the API validates campaigns.
    from chalicelib.campaigns.content import check_samples, parse_content
    from chalicelib.campaigns.inline_template import InvalidTemplate
    from chalicelib.campaigns.schemas import CampaignBody, CampaignChanges, read_campaign
    from chalicelib.campaigns.segments import InvalidSegment, parse_segment

    extra_fields = tuple(extra_fields)
    given, errors = read_campaign(data, CampaignChanges if existing else CampaignBody, extra_fields)
    merged: dict[str, Any] = dict(stored_spec_fields(existing)) if existing else {}
    merged.update(given)
    name, channel, template = merged.get("name"), merged.get("channel"), merged.get("template")

    if existing and "segment" not in given and "segment" not in errors and merged.get("segment") is not None:
        try:  # the stored filter, against the fields the tenant declares today
            merged["segment"] = parse_segment(merged["segment"], extra_fields).to_dict()
        except InvalidSegment as error:
            errors.update(error.fields)

    if template is not None and channel in CHANNELS and not {"template", "channel"} & errors.keys():
        try:
            content = parse_content(template, str(channel))
            check_samples(content, str(channel), campaign_name=name or "Promo", today=now.date())
        except InvalidTemplate as error:
            errors.update(error.fields)

    send_at = merged.get("send_at")
    if send_at is not None and (existing is None or "send_at" in given):
        problem = schedule_problem(send_at, now)
        if problem:
            errors["send_at"] = problem
    if errors:
        raise InvalidCampaign(errors)
    return CampaignSpec(
        name=str(name),
        channel=str(channel),
        template=template if isinstance(template, str) else dict(template),  # type: ignore[arg-type]
        segment=dict(merged["segment"]),
        send_at=send_at,
    )


def schedule_problem(moment: datetime, now: datetime) -> str | None:
    """What is wrong with scheduling a campaign for `moment` (UTC) now, or None."""
    if moment <= now:
        return "must be in the future"
    if moment > now + MAX_SCHEDULE_AHEAD:
        return "must be within a year"
    return None


def stored_spec_fields(item: Mapping[str, Any]) -> dict[str, Any]:
    """The spec fields of a stored campaign item, in request shape."""
    return {
        "name": item.get("name"),
        "channel": item.get("channel"),
        "template": json.loads(item["template_json"]) if item.get("template_json") else None,
        "segment": json.loads(item["segment_json"]) if item.get("segment_json") else None,
        "send_at": parse_time(item.get("send_at")),
    }


def stamp(moment: datetime) -> str:
    """UTC, second precision, sortable as text: the one timestamp format in campaign keys and items."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def spec_attributes(spec: CampaignSpec) -> dict[str, Any]:
    """The item attributes for a spec; template and segment are stored as JSON text (no float/Decimal dance)."""
    return {
        "name": spec.name,
        "channel": spec.channel,
        "template_json": json.dumps(spec.template, ensure_ascii=False, sort_keys=True),
        "segment_json": json.dumps(spec.segment, ensure_ascii=False, sort_keys=True),
        "send_at": stamp(spec.send_at) if spec.send_at else None,
    }


def failed_code_key(code: Any) -> str:
    """The counter of one error code; codes are providers' labels, kept to a safe attribute name."""
    text = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in str(code or "unknown"))[:40]
    return FAILED_CODE_PREFIX + (text or "unknown")


def sent_hour_key(moment: datetime) -> str:
    return SENT_HOUR_PREFIX + moment.astimezone(UTC).strftime("%Y%m%d%H")


def sent_hours(item: Mapping[str, Any]) -> list[tuple[datetime, int]]:
    """(UTC hour, sends in it) from the campaign item's hour buckets, oldest first."""
    found: list[tuple[datetime, int]] = []
    for key, value in item.items():
        if not key.startswith(SENT_HOUR_PREFIX):
            continue
        try:
            hour = datetime.strptime(key[len(SENT_HOUR_PREFIX) :], "%Y%m%d%H").replace(tzinfo=UTC)
        except ValueError:
            continue
        found.append((hour, _int(value)))
    return sorted(found)


def _int(value: Any) -> int:
    return int(value or 0)


def counts(
    item: Mapping[str, Any], segments: Iterable[Mapping[str, Any]], waiting: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Live figures: fan-out counters summed over segments, delivery counters, and what waits now.

    `queued` counts messages handed to the outbound queue (at the fan-out, or
    later when their contact hours opened); `deferred` and `held` are what
    waits right now (for contact hours, for a resume), read from the message
    log, with the earliest and latest `not_before` of the deferred.
    """
    seg_totals: dict[str, int] = {}
    for segment in segments:
        for key, value in segment.items():
            if key.startswith("n_"):
                seg_totals[key] = seg_totals.get(key, 0) + _int(value)
    skipped = dict.fromkeys(SKIP_REASONS, 0)
    for source in (seg_totals, item):
        for key, value in source.items():
            if key.startswith(SKIP_PREFIX) and _int(value):
                reason = key[len(SKIP_PREFIX) :]
                skipped[reason] = skipped.get(reason, 0) + _int(value)
    waiting = waiting or {}
    figures: dict[str, Any] = {
        "targeted": seg_totals.get(TARGETED, 0),
        "skipped": skipped,
        "deferred": int(waiting.get("deferred") or 0),
        "not_before": waiting.get("not_before"),
        "held": int(waiting.get("held") or 0),
        "queued": seg_totals.get(QUEUED, 0) + _int(item.get(RELEASED)),
        "sent": _int(item.get(SENT)),
        "delivered": _int(item.get(DELIVERED)),
        "read": _int(item.get(READ)),
        "failed": max(0, _int(item.get(FAILED)) - _int(item.get(RETRIED))),
        "cancelled": _int(item.get(CANCELLED)),
    }
    by_code = {
        key[len(FAILED_CODE_PREFIX) :]: _int(value)
        for key, value in sorted(item.items())
        if key.startswith(FAILED_CODE_PREFIX) and _int(value)
    }
    if by_code:  # failed sends by the provider's error code, every attempt counted
        figures["failed_by_code"] = by_code
    if item.get("channel") == "email":
        figures.update(
            clicked=_int(item.get(CLICKED)),
            unsubscribed=_int(item.get(UNSUBSCRIBED)),
            bounced=_int(item.get(BOUNCED)),
            complained=_int(item.get(COMPLAINED)),
        )
    return figures


def public_campaign(
    item: Mapping[str, Any],
    segments: list[Mapping[str, Any]] | None = None,
    waiting: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The JSON staff see; counts and fan-out progress only when the segments were read."""
    spec = stored_spec_fields(item)
    body: dict[str, Any] = {
        "id": item["id"],
        "name": spec["name"],
        "channel": spec["channel"],
        "template": spec["template"],
        "segment": spec["segment"],
        "send_at": item.get("send_at"),
        "status": item.get("status"),
        "status_reason": item.get("status_reason"),
        "created_by": item.get("created_by"),
        "created_at": item.get("created_at"),
        "updated_at": item.get("updated_at"),
        "started_by": item.get("started_by"),
        "started_at": item.get("started_at"),
        "completed_at": item.get("completed_at"),
        "cancelled_at": item.get("cancelled_at"),
    }
    if segments is not None:
        body["counts"] = counts(item, segments, waiting)
        total = int(item.get("segments_total") or 0)
        body["fanout"] = {"segments": total, "done": sum(1 for s in segments if s.get("done"))}
    return body
