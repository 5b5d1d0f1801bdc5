"""Measuring: volumes per day, response and resolution times (bot and human apart), auto-answer rate, SLA."""

from __future__ import annotations

import json
from datetime import timedelta, timezone
from pathlib import Path

import pytest

from chalicelib.scrm.metrics import percentile
from tests import clocks
from tests.scrm.meta_payloads import ADMIN, dm, wa_text

FIXTURES = Path(__file__).parent / "fixtures" / "meta"
WIB = timezone(timedelta(hours=7))


def today() -> str:
    return clocks.now().astimezone(WIB).date().isoformat()


@pytest.fixture
def activity(deliver, api, inbox) -> dict:
    """A bot-answered WhatsApp question, a WhatsApp complaint an agent answered and resolved, an IG DM."""
    deliver(wa_text("Kapan BPKB saya bisa diambil?", phone="6281111111111"))
    deliver(wa_text("Saya kecewa sekali, sudah bayar angsuran tapi masih ditagih denda!", phone="6282222222222"))
    deliver(dm("instagram", "Halo admin", sender="IG-7"))
    complaint = next(c for c in inbox() if c["category"] == "complaint")
    api("POST", f"/scrm/conversations/{complaint['id']}/reply", {"text": "Kami cek ya"}, ADMIN)
    api("POST", f"/scrm/conversations/{complaint['id']}/resolve", None, ADMIN)
    status, report = api("GET", f"/scrm/metrics?from={today()}&to={today()}", headers=ADMIN)
    assert status == 200, report
    return report


def test_volumes_by_channel_category_sentiment_and_topic_per_day(activity) -> None:
    [day] = activity["days"]

    assert day["date"] == today()
    assert day["inbound"] == 3
    assert day["conversations"] == 3
    assert day["channel"] == {"whatsapp": 2, "instagram": 1}
    assert day["category"]["complaint"] == 1
    assert day["sentiment"]["negative"] >= 1
    assert day["topic"]["bpkb"] == 1
    assert activity["totals"]["inbound"] == 3


def test_first_response_times_are_split_between_bot_and_people(activity) -> None:
    first = activity["first_response"]

    assert first["bot"]["count"] == 2
    assert first["human"]["count"] == 1
    assert first["human"]["p50_seconds"] is not None
    assert first["bot"]["p90_seconds"] >= first["bot"]["p50_seconds"]


def test_resolution_time_and_auto_answer_rate(activity) -> None:
    assert activity["resolution"]["count"] == 1
    assert activity["totals"]["auto_answered"] == 2
    assert activity["totals"]["routed"] == 1
    assert activity["auto_answer_rate"] == pytest.approx(2 / 3, abs=1e-3)


def test_open_conversations_past_the_sla(deliver, api, monkeypatch, clock) -> None:
    deliver(wa_text("Saya kecewa sekali, tagihan saya salah terus!", phone="6283333333333"))

    _, within = api("GET", "/scrm/metrics", headers=ADMIN)
    monkeypatch.setenv("SAPA_SCRM_SLA_HOURS", "0.0001")  # 0.36 s
    clock.advance(timedelta(seconds=2))  # the clock is pinned: the wait is exact, not a race with real time
    _, past = api("GET", "/scrm/metrics", headers=ADMIN)

    assert within["open_past_sla"]["count"] == 0
    assert past["open_past_sla"]["count"] == 1
    assert past["open_past_sla"]["sla_hours"] == 0.0001


def test_a_duplicate_delivery_and_dashboard_tests_are_not_counted(deliver, api) -> None:
    payload = wa_text("Kapan BPKB saya bisa diambil?", wamid="wamid.ONCE")
    deliver(payload)
    deliver(payload)
    deliver((FIXTURES / "wa_dashboard_test.json").read_bytes())

    _, report = api("GET", "/scrm/metrics", headers=ADMIN)

    assert report["totals"]["inbound"] == 1


def test_metrics_are_also_emitted_as_cloudwatch_embedded_metrics(deliver, capsys) -> None:
    capsys.readouterr()

    deliver(wa_text("Kapan BPKB saya bisa diambil?"))

    blobs = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"_aws"')]
    names = {m["Name"] for blob in blobs for d in blob["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]}
    assert {"ScrmInbound", "ScrmInbound_whatsapp", "ScrmAutoAnswered", "ScrmFirstResponseSeconds_bot"} <= names


@pytest.mark.parametrize(
    "query",
    ["?from=2025-06-10&to=2025-06-01", "?from=yesterday", "?from=2025-01-01&to=2025-12-31", "?sla_hours=-1"],
)
def test_a_bad_period_is_400(api, query: str) -> None:
    assert api("GET", f"/scrm/metrics{query}", headers=ADMIN)[0] == 400


def test_viewers_and_marketers_may_read_metrics(api, staff_token) -> None:
    assert api("GET", "/scrm/metrics", headers=staff_token("viewer"))[0] == 200
    assert api("GET", "/scrm/metrics", headers=staff_token("marketer"))[0] == 200


def test_the_default_period_is_the_last_seven_days(api) -> None:
    _, report = api("GET", "/scrm/metrics", headers=ADMIN)

    assert len(report["days"]) == 7
    assert report["to"] == today()


def test_percentiles_interpolate_between_ranks() -> None:
    assert percentile([], 0.5) is None
    assert percentile([10.0], 0.9) == 10.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert percentile([float(v) for v in range(1, 11)], 0.9) == 9.1
