"""The local stack's SES: the events it publishes after accepting a message are the ones Sapa's consumer reads."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.outbound.email import OutboundEmail, build_mime
from chalicelib.outbound.email_events import parse as parse_event
from sapa_cli.local.ses_events import EventRates, SesEventSimulator, events_for, outcome, share

ACCEPTED = datetime(2025, 6, 17, 3, 0, tzinfo=UTC)
CONFIG_SET = "sapa-local-sapa"


def record(to: str = "rina@example.com", seq: int = 1, configuration_set: str | None = CONFIG_SET) -> dict[str, Any]:
    mime = build_mime(
        OutboundEmail(to=to, subject="Promo", text="Halo", html="<p>Halo</p>", unsubscribe_url="http://x/u/1"),
        "halo@sapa.example",
        "Sapa",
    )
    return {
        "seq": seq,
        "id": f"ses-{seq}",
        "source": "halo@sapa.example",
        "destinations": [to],
        "sent_at": "2025-06-17T03:00:00.000Z",
        "sending_account_id": "123456789012",
        "region": "ap-southeast-3",
        "configuration_set": configuration_set,
        "tags": {"sapa_message_id": f"msg_{seq}"},
        "raw": mime.decode(),
    }


def test_the_mailbox_simulator_addresses_behave_as_in_ses() -> None:
    rates = EventRates(bounce=0.0, complaint=0.0)

    assert outcome("bounce@simulator.amazonses.com", rates) == "bounce"
    assert outcome("bounce+campaign7@simulator.amazonses.com", rates) == "bounce"
    assert outcome("complaint@simulator.amazonses.com", rates) == "complaint"
    assert outcome("suppressionlist@simulator.amazonses.com", rates) == "suppressed"
    assert outcome("success@simulator.amazonses.com", EventRates(bounce=1.0)) == "delivery"


def test_rates_pick_the_same_outcome_for_the_same_recipient_every_time() -> None:
    rates = EventRates(bounce=0.1, complaint=0.05)
    addresses = [f"orang{i}@example.com" for i in range(2000)]

    first = [outcome(a, rates) for a in addresses]

    assert first == [outcome(a, rates) for a in addresses]
    assert 150 < first.count("bounce") < 250
    assert 60 < first.count("complaint") < 140
    assert all(0 <= share(a) < 1 for a in addresses)
    assert outcome("RINA@Example.com ", rates) == outcome("rina@example.com", rates)


def test_a_delivery_is_published_in_ses_event_shape_and_sapa_parses_it() -> None:
    send, delivery = events_for(record(), "rina@example.com", EventRates(), ACCEPTED)

    assert send["eventType"] == "Send"
    assert delivery["eventType"] == "Delivery"
    mail = delivery["mail"]
    assert mail["messageId"] == "ses-1"
    assert mail["destination"] == ["rina@example.com"]
    assert mail["tags"]["sapa_message_id"] == ["msg_1"]
    assert mail["tags"]["ses:configuration-set"] == [CONFIG_SET]
    assert {"name": "List-Unsubscribe", "value": "<http://x/u/1>"} in mail["headers"]
    assert mail["commonHeaders"]["subject"] == "Promo"
    assert delivery["delivery"]["recipients"] == ["rina@example.com"]
    assert delivery["delivery"]["smtpResponse"].startswith("250 ")
    parsed = parse_event(json.dumps(delivery))
    assert (parsed.kind, parsed.provider_id, parsed.message_id) == ("delivery", "ses-1", "msg_1")


def test_a_hard_bounce_carries_a_real_diagnostic_and_is_permanent() -> None:
    events = events_for(
        record("bounce@simulator.amazonses.com"), "bounce@simulator.amazonses.com", EventRates(), ACCEPTED
    )

    bounce = events[-1]
    assert [e["eventType"] for e in events] == ["Send", "Bounce"]
    assert bounce["bounce"]["bounceType"] == "Permanent"
    recipient = bounce["bounce"]["bouncedRecipients"][0]
    assert recipient == {
        "emailAddress": "bounce@simulator.amazonses.com",
        "action": "failed",
        "status": "5.1.1",
        "diagnosticCode": "smtp; 550 5.1.1 user unknown",
    }
    parsed = parse_event(json.dumps(bounce))
    assert parsed.kind == "bounce"
    assert parsed.permanent
    assert parsed.detail == "General"


def test_a_complaint_follows_its_delivery() -> None:
    to = "complaint@simulator.amazonses.com"
    events = events_for(record(to), to, EventRates(), ACCEPTED)

    assert [e["eventType"] for e in events] == ["Send", "Delivery", "Complaint"]
    complaint = events[-1]["complaint"]
    assert complaint["complainedRecipients"] == [{"emailAddress": to}]
    assert complaint["complaintFeedbackType"] == "abuse"
    assert parse_event(json.dumps(events[-1])).kind == "complaint"


class Outbox:
    def __init__(self, *records: dict[str, Any]) -> None:
        self.records = list(records)
        self.asked: list[int] = []

    def __call__(self, after: int) -> list[dict[str, Any]]:
        self.asked.append(after)
        return [r for r in self.records if r["seq"] > after]


def test_the_simulator_publishes_each_message_once_after_its_delay() -> None:
    now = [ACCEPTED]
    published: list[dict[str, Any]] = []
    outbox = Outbox(record(seq=1), record("x@example.com", seq=2, configuration_set=None))
    simulator = SesEventSimulator(
        outbox,
        lambda body: published.append(json.loads(body)),
        EventRates(delay_seconds=2),
        CONFIG_SET,
        clock=lambda: now[0],
    )

    simulator.poll_once()
    simulator.flush()
    assert [e["eventType"] for e in published] == ["Send"]

    now[0] += timedelta(seconds=2)
    simulator.poll_once()
    simulator.flush()

    assert [e["eventType"] for e in published] == ["Send", "Delivery"]
    assert outbox.asked == [0, 2]  # the cursor moved past both; the one without a configuration set has no events
    assert {e["mail"]["messageId"] for e in published} == {"ses-1"}


def test_rates_come_from_the_local_stacks_settings() -> None:
    rates = EventRates.from_env(
        {"SAPA_EMAIL_BOUNCE_RATE": "0.2", "SAPA_EMAIL_COMPLAINT_RATE": "0.01", "SAPA_EMAIL_EVENT_DELAY_SECONDS": "0"}
    )

    assert rates == EventRates(bounce=0.2, complaint=0.01, delay_seconds=0)
    assert EventRates.from_env({}) == EventRates()


def test_an_unreachable_outbox_does_not_stop_the_simulator() -> None:
    from chalicelib.outbound.local_mail import http_outbox

    stop = threading.Event()
    simulator = SesEventSimulator(http_outbox("http://127.0.0.1:9", timeout=0.2), print, EventRates(), CONFIG_SET)
    thread = threading.Thread(target=simulator.run, args=(stop, 0.05))
    thread.start()
    stop.wait(0.3)
    stop.set()
    thread.join(timeout=5)

    assert not thread.is_alive()
