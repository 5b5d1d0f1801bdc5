"""The sandbox's half of a delivery receipt: Meta's signed status webhooks, posted back to Sapa.

For every message the WhatsApp sandbox accepts, Meta would later call the
app's webhook with `statuses`: `sent`, then `delivered`, then `read` once the
customer opens it, or `failed` with an error code. This module does the same
on the local stack, so campaign funnels and message timelines move on
`make run` with nobody posting a status by hand.

The payloads have Meta's shape (the `whatsapp_status_*` fixtures of the test
suite are real captures) and are signed with the app secret in
`X-Hub-Signature-256`, so they go through Sapa's real webhook intake. Like
Meta, a webhook Sapa does not acknowledge with a 200 is retried with backoff.

Which path a message takes is drawn per message id from the configured rates,
so one run is repeatable; a sandbox fault of kind `undeliverable` forces a
`failed` status for the next message to a number.
"""

from __future__ import annotations

import heapq
import itertools
import json
import random
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from chalicelib.scrm.meta.signature import sign

DEFAULT_READ_RATE = 0.6
DEFAULT_FAIL_RATE = 0.05
DEFAULT_STEP_SECONDS = 1.0
MAX_STEP_SECONDS = 600.0
RETRY_DELAYS = (1.0, 2.0, 5.0, 10.0, 30.0)  # then the webhook is given up, as Meta eventually does
POST_TIMEOUT_SECONDS = 10.0
DOCS_HREF = "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"

# What a failed message says, as Meta words it (code, title, details).
FAILURES: tuple[tuple[int, str, str], ...] = (
    (131026, "Message undeliverable", "Message Undeliverable."),
    (
        131049,
        "This message was not delivered to maintain healthy ecosystem engagement.",
        "In order to maintain a healthy ecosystem engagement, the message failed to be delivered.",
    ),
)


class StatusConfigError(ValueError):
    """A status configuration the sandbox cannot use; the text says why."""


def _rate(data: dict[str, Any], key: str, current: float) -> float:
    value = data.get(key, current)
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 1:
        raise StatusConfigError(f"{key} must be a number between 0 and 1")
    return float(value)


@dataclass(frozen=True)
class StatusConfig:
    """How messages fare: the share read, the share failed, and the pause between two statuses."""

    read_rate: float = DEFAULT_READ_RATE
    fail_rate: float = DEFAULT_FAIL_RATE
    step_seconds: float = DEFAULT_STEP_SECONDS
    enabled: bool = True

    def updated(self, data: Any) -> StatusConfig:
        """This configuration with the fields of a `PUT /_sandbox/statuses` body applied."""
        if not isinstance(data, dict):
            raise StatusConfigError("the status configuration is a JSON object")
        unknown = set(data) - {"read_rate", "fail_rate", "step_seconds", "enabled"}
        if unknown:
            raise StatusConfigError(f"unknown field(s): {', '.join(sorted(unknown))}")
        step = data.get("step_seconds", self.step_seconds)
        if not isinstance(step, (int, float)) or isinstance(step, bool) or not 0 <= step <= MAX_STEP_SECONDS:
            raise StatusConfigError(f"step_seconds must be between 0 and {MAX_STEP_SECONDS:g}")
        enabled = data.get("enabled", self.enabled)
        if not isinstance(enabled, bool):
            raise StatusConfigError("enabled must be true or false")
        return replace(
            self,
            read_rate=_rate(data, "read_rate", self.read_rate),
            fail_rate=_rate(data, "fail_rate", self.fail_rate),
            step_seconds=float(step),
            enabled=enabled,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "read_rate": self.read_rate,
            "fail_rate": self.fail_rate,
            "step_seconds": self.step_seconds,
            "enabled": self.enabled,
        }


@dataclass(frozen=True)
class Step:
    """One status of one message, due `after` steps after it was accepted."""

    status: str
    after: float
    error_code: int | None = None


def plan(message_id: str, config: StatusConfig, forced_failure: int | None = None) -> list[Step]:
    """The statuses Meta would report for this message, drawn from the rates (repeatable per id)."""
    if forced_failure is not None:
        return [Step("failed", 1, forced_failure)]
    draw = random.Random(message_id)
    if draw.random() < config.fail_rate:
        return [Step("failed", 1, FAILURES[draw.randrange(len(FAILURES))][0])]
    steps = [Step("sent", 1), Step("delivered", 2)]
    if draw.random() < config.read_rate:
        steps.append(Step("read", 3 + 2 * draw.random()))
    return steps


def _failure(code: int) -> dict[str, Any]:
    title, details = next(((t, d) for c, t, d in FAILURES if c == code), ("Message failed to send", "Failed."))
    return {"code": code, "title": title, "message": title, "error_data": {"details": details}, "href": DOCS_HREF}


def status_payload(
    record: dict[str, Any], step: Step, at: float, *, business_account_id: str, display_phone_number: str
) -> dict[str, Any]:
    """The webhook body Meta posts for one status of a message the sandbox accepted."""
    recipient = "".join(ch for ch in str(record["to"]) if ch.isdigit())
    status: dict[str, Any] = {
        "id": record["id"],
        "status": step.status,
        "timestamp": str(int(at)),
        "recipient_id": recipient,
    }
    callback = (record.get("payload") or {}).get("biz_opaque_callback_data")
    if callback:
        status["biz_opaque_callback_data"] = callback
    if step.status == "failed":
        status["errors"] = [_failure(step.error_code or 131026)]
    else:
        template = record.get("type") == "template"
        status["pricing"] = {
            "billable": template,
            "pricing_model": "PMP",
            "category": "marketing" if template else "service",
            "type": "regular" if template else "free_customer_service",
        }
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": business_account_id,
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": display_phone_number,
                                "phone_number_id": record["phone_number_id"],
                            },
                            "contacts": [{"wa_id": recipient}],
                            "statuses": [status],
                        },
                    }
                ],
            }
        ],
    }


def post_webhook(url: str, body: bytes, app_secret: str) -> int:
    """POST one signed webhook; the HTTP status, or 0 when nobody answered."""
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Hub-Signature-256": sign(body, app_secret),
            "User-Agent": "facebookexternalua",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=POST_TIMEOUT_SECONDS) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except (urllib.error.URLError, OSError):
        return 0


@dataclass(order=True)
class _Due:
    due: float
    order: int
    wamid: str = ""
    status: str = ""
    body: bytes = b""
    attempt: int = 0


class StatusWebhooks:
    """Posts the planned statuses of accepted messages to Sapa's webhook, in a background thread."""

    def __init__(
        self,
        webhook_url: str,
        app_secret: str,
        *,
        config: StatusConfig | None = None,
        business_account_id: str = "102290129340398",
        display_phone_number: str = "6282130001234",
        on_status: Callable[[str, str, int], None] = lambda _wamid, _status, _http: None,
        post: Callable[[str, bytes, str], int] = post_webhook,
        retry_delays: tuple[float, ...] = RETRY_DELAYS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.webhook_url = webhook_url
        self._secret = app_secret
        self._account = business_account_id
        self._display = display_phone_number
        self.on_status = on_status  # the sandbox notes each status on its message
        self._post = post
        self._retry_delays = retry_delays
        self._clock = clock
        self._config = config or StatusConfig()
        self._queue: list[_Due] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self.delivered = 0
        self.given_up = 0

    @property
    def config(self) -> StatusConfig:
        with self._wake:
            return self._config

    def configure(self, data: Any) -> StatusConfig:
        with self._wake:
            self._config = self._config.updated(data)
            return self._config

    def counts(self) -> dict[str, int]:
        with self._wake:
            return {"pending": len(self._queue), "delivered": self.delivered, "given_up": self.given_up}

    def schedule(self, record: dict[str, Any], forced_failure: int | None = None) -> list[str]:
        """Plan and queue the statuses of one accepted message; returns the statuses it will get."""
        config = self.config
        if not config.enabled:
            return []
        accepted = self._clock()
        steps = plan(record["id"], config, forced_failure)
        with self._wake:
            for step in steps:
                due = accepted + step.after * config.step_seconds
                payload = status_payload(
                    record, step, due, business_account_id=self._account, display_phone_number=self._display
                )
                body = json.dumps(payload, separators=(",", ":")).encode()
                heapq.heappush(self._queue, _Due(due, next(self._order), record["id"], step.status, body))
            self._wake.notify_all()
        return [step.status for step in steps]

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="status-webhooks", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=POST_TIMEOUT_SECONDS + 1)
            self._thread = None

    def _next(self) -> _Due | None:
        """The next status due, waiting for it; None once stopping."""
        with self._wake:
            while not self._stopping:
                if self._queue:
                    wait = self._queue[0].due - self._clock()
                    if wait <= 0:
                        return heapq.heappop(self._queue)
                    self._wake.wait(min(wait, 1.0))
                else:
                    self._wake.wait(1.0)
            return None

    def _run(self) -> None:
        while (item := self._next()) is not None:
            answer = self._post(self.webhook_url, item.body, self._secret)
            with self._wake:
                if answer == 200:
                    self.delivered += 1
                elif item.attempt < len(self._retry_delays):
                    item.due = self._clock() + self._retry_delays[item.attempt]
                    item.attempt += 1
                    heapq.heappush(self._queue, item)
                else:
                    self.given_up += 1
            self.on_status(item.wamid, item.status, answer)
