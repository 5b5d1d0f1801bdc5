"""Month by month: the counters and log-scale histograms written beside the day's, so a report spans two years."""

from __future__ import annotations

from datetime import date, timedelta, timezone

import pytest

from chalicelib.scrm import store
from chalicelib.scrm.metrics import bucket_seconds, histogram_percentile, months_between, percentile
from tests import clocks
from tests.scrm.meta_payloads import ADMIN, dm, wa_text

WIB = timezone(timedelta(hours=7))


def _today() -> date:
    return clocks.now().astimezone(WIB).date()


def test_a_two_year_report_by_month_has_the_figures_of_the_days(deliver, api, inbox) -> None:
    deliver(wa_text("Kapan BPKB saya bisa diambil?", phone="6281111111111"))
    deliver(wa_text("Saya kecewa sekali, sudah bayar angsuran tapi masih ditagih denda!", phone="6282222222222"))
    deliver(dm("instagram", "Halo admin", sender="IG-7"))
    complaint = next(c for c in inbox() if c["category"] == "complaint")
    api("POST", f"/scrm/conversations/{complaint['id']}/reply", {"text": "Kami cek ya"}, ADMIN)
    api("POST", f"/scrm/conversations/{complaint['id']}/resolve", None, ADMIN)
    today = _today()
    start = today - timedelta(days=730)

    status, report = api("GET", f"/scrm/metrics?granularity=month&from={start}&to={today}", headers=ADMIN)
    _, daily = api("GET", f"/scrm/metrics?from={today}&to={today}", headers=ADMIN)

    assert status == 200, report
    assert report["granularity"] == "month"
    assert len(report["months"]) in (24, 25)
    assert report["months"][-1]["month"] == today.strftime("%Y-%m")
    assert report["from"] == date(start.year, start.month, 1).isoformat()
    assert report["totals"]["inbound"] == daily["totals"]["inbound"] == 3
    assert report["totals"]["channel"] == daily["totals"]["channel"]
    assert report["first_response"]["bot"]["count"] == daily["first_response"]["bot"]["count"] == 2
    assert report["first_response"]["human"]["count"] == 1
    assert report["resolution"]["count"] == 1
    assert report["auto_answer_rate"] == daily["auto_answer_rate"]


def test_three_years_is_a_400_that_says_how_long_a_report_may_be(api) -> None:
    status, body = api("GET", "/scrm/metrics?granularity=month&from=2023-01-01&to=2025-12-31", headers=ADMIN)

    assert status == 400
    assert "731 days" in body["fields"]["to"]


def test_by_day_a_report_stays_within_92_days_and_points_to_months(api) -> None:
    status, body = api("GET", "/scrm/metrics?from=2025-01-01&to=2025-12-31", headers=ADMIN)

    assert status == 400
    assert "granularity=month" in body["fields"]["to"]


def test_an_unknown_granularity_is_a_400(api) -> None:
    status, body = api("GET", "/scrm/metrics?granularity=week", headers=ADMIN)

    assert status == 400
    assert "granularity" in body["fields"]


def test_each_day_row_has_its_own_percentiles(deliver, api) -> None:
    deliver(wa_text("Kapan BPKB saya bisa diambil?", phone="6281111111111"))

    _, report = api("GET", f"/scrm/metrics?from={_today()}&to={_today()}", headers=ADMIN)

    [day] = report["days"]
    assert day["first_response"]["bot"]["count"] == 1
    assert day["resolution"]["count"] == 0


def test_a_sample_is_also_counted_in_its_month_s_histogram() -> None:
    tx = store.Transaction("scrm")
    store.add_write(tx, store.ResponseSample(date(2026, 3, 13), "cv_1", 90.0, "human", "at"))

    histogram, sample = tx.items
    assert histogram["Update"]["Key"]["pk"] == "metrics-month#2026-03"
    assert histogram["Update"]["Key"]["sk"].startswith("frt#human#")
    assert histogram["Update"]["ExpressionAttributeNames"] == {"#b": f"b{store.histogram_bucket(90.0)}"}
    assert sample["Put"]["Item"]["pk"] == "metrics#2026-03-13"


def test_a_count_lands_on_the_day_and_on_the_month_in_the_same_shard() -> None:
    tx = store.Transaction("scrm")
    store.add_write(tx, store.VolumeCount(date(2026, 3, 13), "seed", {"inbound": 1}, "at"))

    day, month = (item["Update"]["Key"] for item in tx.items)
    assert (day["pk"], month["pk"]) == ("metrics#2026-03-13", "metrics-month#2026-03")
    assert day["sk"] == month["sk"]


@pytest.mark.parametrize("values", [[5.0] * 10, [float(v) for v in range(1, 200)], [30.0, 60.0, 3600.0, 86400.0]])
def test_histogram_percentiles_are_within_a_tenth_of_the_exact_ones(values: list[float]) -> None:
    histogram: dict[int, int] = {}
    for value in values:
        bucket = store.histogram_bucket(value)
        histogram[bucket] = histogram.get(bucket, 0) + 1

    for q in (0.5, 0.9):
        exact = percentile(sorted(values)[round(q * (len(values) - 1)) :][:1], 0.5)
        assert histogram_percentile(histogram, q) == pytest.approx(exact, rel=0.1)


def test_buckets_are_fixed_and_bounded() -> None:
    assert store.histogram_bucket(0.2) == 0
    assert bucket_seconds(0) == 0.5
    assert store.histogram_bucket(10**12) == store.HISTOGRAM_BUCKETS - 1
    assert histogram_percentile({}, 0.5) is None


def test_months_between_spans_a_year_end() -> None:
    assert months_between(date(2025, 11, 20), date(2026, 1, 3)) == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
    ]
