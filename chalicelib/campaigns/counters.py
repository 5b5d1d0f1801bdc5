"""Campaign delivery counters, fed by the outbound pipeline's observers, and the auto-pause rules.

Registered when this module is imported (the campaigns blueprint imports it,
so every Lambda built from app.py has them): the sender reports each
delivery outcome, status webhooks and SES events report delivered, read,
failed, clicked. Each is one atomic ADD on the campaign item. After a failure
the new totals are checked against the thresholds and a campaign that passes
one is paused with the reason shown to staff:

* permanent failures over `max_failure_rate` of send attempts;
* e-mail only: bounces reaching 4% or complaints reaching 0.08% of sends
  (the big mailbox providers' limits).

Rates are judged only after `min_sample` attempts so that the first bounce of
a campaign does not read as 100%. Observers never raise into the sender: a
lost count is better than a resent message.

The fan-out applies `render_breach` the same way to the recipients its
template failed for (`max_render_error_rate` after `min_render_sample`
renders), each time it commits a chunk that had render errors.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.campaigns import model
from chalicelib.core.observability import logger
from chalicelib.core.options import DEFAULTS
from chalicelib.outbound.delivery import Outcome
from chalicelib.outbound.envelope import Envelope
from chalicelib.outbound.message_log import STATUS_RANK, MessageLog

CAMPAIGN_OCCASION = "campaign"


@dataclass(frozen=True)
class Thresholds:
    max_failure_rate: float = DEFAULTS.campaign_max_failure_rate
    max_bounce_rate: float = DEFAULTS.campaign_max_bounce_rate
    max_complaint_rate: float = DEFAULTS.campaign_max_complaint_rate
    min_sample: int = DEFAULTS.campaign_min_sample
    max_render_error_rate: float = DEFAULTS.campaign_max_render_error_rate
    min_render_sample: int = DEFAULTS.campaign_min_render_sample
    """Smaller than `min_sample`: a bounce is noise, a render error is the template failing the same way for
    everyone alike (eight recipients of eight is a broken template, not bad luck)."""


def breach(item: Mapping[str, Any], limits: Thresholds) -> str | None:
    """Why the campaign must pause now, or None."""

    def number(key: str) -> int:
        return int(item.get(key) or 0)

    attempts = number(model.OUTCOMES)
    if attempts >= limits.min_sample:
        rate = number(model.FAILED_PERMANENT) / attempts
        if rate > limits.max_failure_rate:
            return f"auto-paused: permanent failures at {rate:.1%} of sends (limit {limits.max_failure_rate:.1%})"
    sent = number(model.SENT)
    if item.get("channel") == "email" and sent >= limits.min_sample:
        bounces = number(model.BOUNCED) / sent
        if bounces >= limits.max_bounce_rate:
            return f"auto-paused: bounces at {bounces:.2%} of sends (limit {limits.max_bounce_rate:.0%})"
        complaints = number(model.COMPLAINED) / sent
        if complaints >= limits.max_complaint_rate:
            return f"auto-paused: complaints at {complaints:.2%} of sends (limit {limits.max_complaint_rate:.2%})"
    return None


def render_breach(rendered: int, failed: int, limits: Thresholds, example: str | None = None) -> str | None:
    """Why a fan-out must pause for its render errors (`example` is one of them, for staff), or None."""
    attempts = rendered + failed
    if attempts < limits.min_render_sample or not failed:
        return None
    rate = failed / attempts
    if rate <= limits.max_render_error_rate:
        return None
    reason = (
        f"auto-paused: the template failed for {failed} of {attempts} recipients ({rate:.1%}, "
        f"limit {limits.max_render_error_rate:.1%})"
    )
    return f"{reason}; for example {example}" if example else reason


class CampaignCounters:
    def __init__(
        self,
        store: Any,  # CampaignStore
        log: MessageLog,
        pause: Callable[[str, str], None],
        clock: Callable[[], datetime],
        limits: Thresholds = Thresholds(),
    ) -> None:
        self.store = store
        self.log = log
        self.pause = pause
        self.clock = clock
        self.limits = limits

    def on_outcome(self, envelope: Envelope, outcome: Outcome) -> None:
        campaign_id = str(envelope.campaign_id)
        if outcome.status == "sent":
            hour = model.sent_hour_key(self.clock())
            self.store.add(campaign_id, {model.SENT: 1, model.OUTCOMES: 1, hour: 1})
        elif outcome.status in ("failed", "unconfirmed"):
            record = self.log.get(envelope.message_id) or {}
            permanent = outcome.status == "unconfirmed" or record.get("retryable") is not True
            deltas = {model.FAILED: 1, model.OUTCOMES: 1, model.FAILED_PERMANENT: int(permanent)}
            deltas[model.failed_code_key(record.get("error_code") or outcome.status)] = 1
            self._check(self.store.add(campaign_id, deltas, return_item=True))
        elif outcome.status == "skipped":
            self.store.add(campaign_id, {model.SKIP_PREFIX + str(outcome.reason or "other"): 1})
        elif outcome.status == "cancelled":
            self.store.add(campaign_id, {model.CANCELLED: 1})
        elif outcome.status == "released" and outcome.reason == "first":
            # Waited for its contact hours since the fan-out: on the queue for the first time now.
            self.store.add(campaign_id, {model.RELEASED: 1})

    def on_status(self, message: Mapping[str, Any], status: str) -> None:
        campaign_id = str(message["campaign_id"])
        previous = STATUS_RANK.get(str(message.get("status")), 0)
        if status == "delivered":
            self.store.add(campaign_id, {model.DELIVERED: 1})
        elif status == "read":
            # A "read" that overtook its "delivered" (out of order, or never sent) still proves delivery.
            self.store.add(campaign_id, {model.READ: 1, model.DELIVERED: int(previous < STATUS_RANK["delivered"])})
        elif status == "failed":
            deltas = {model.FAILED: 1, model.FAILED_PERMANENT: 1}
            code = (self.log.get(str(message["id"])) or {}).get("error_code")
            deltas[model.failed_code_key(code)] = 1
            if message.get("channel") == "email":
                deltas[model.BOUNCED] = int(code == "bounce")
                deltas[model.COMPLAINED] = int(code == "complaint")
            self._check(self.store.add(campaign_id, deltas, return_item=True))
        elif status in ("bounced", "complained"):
            key = model.BOUNCED if status == "bounced" else model.COMPLAINED
            self._check(self.store.add(campaign_id, {key: 1}, return_item=True))
        elif status == "clicked":
            if self.store.first_click(str(message["id"]), self.clock()):
                self.store.add(campaign_id, {model.CLICKED: 1})
        elif status == "unsubscribed":
            self.store.add(campaign_id, {model.UNSUBSCRIBED: 1})

    def _check(self, item: Mapping[str, Any] | None) -> None:
        if not item or item.get("status") != model.Status.SENDING:
            return
        reason = breach(item, self.limits)
        if reason:
            self.pause(str(item["id"]), reason)


class CounterObservers:
    """The delivery pipeline's observers that keep campaign counts: wired in `chalicelib.wiring.outbound`.

    `counters` is called per event (a fresh CampaignCounters over the same tables); a failure is logged,
    never raised: the message is already sent, and a status webhook must still be acknowledged.
    """

    def __init__(self, counters: Callable[[], CampaignCounters]) -> None:
        self.counters = counters

    def on_outcome(self, envelope: Envelope, outcome: Outcome) -> None:
        if envelope.occasion != CAMPAIGN_OCCASION or not envelope.campaign_id:
            return
        try:
            self.counters().on_outcome(envelope, outcome)
        except Exception:  # noqa: BLE001 - failing the record would only resend a sent message
            logger.exception("campaign counter update failed", extra={"campaign_id": envelope.campaign_id})

    def on_status(self, message: dict[str, Any], status: str) -> None:
        if message.get("occasion") != CAMPAIGN_OCCASION or not message.get("campaign_id"):
            return
        try:
            self.counters().on_status(message, status)
        except Exception:  # noqa: BLE001 - a status webhook must still be acknowledged
            logger.exception("campaign counter update failed", extra={"campaign_id": message.get("campaign_id")})
