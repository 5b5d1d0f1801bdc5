"""Measuring the SCRM cycle: daily counters, response-time samples, the report and the EMF metrics.

Counters are written in the same transaction as the event they count, so a
retried delivery never counts twice; they are spread over a few shard items
per day so concurrent workers do not fight over one hot item. Response and
resolution times are kept as one sample item per conversation, because
percentiles cannot be rebuilt from counters.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from boto3.dynamodb.conditions import Attr

from chalicelib.core.observability import metrics as emf
from chalicelib.scrm import store, times

DIMENSIONS = ("channel", "category", "sentiment", "topic")
PAST_SLA_LISTED = 50
DEFAULT_REPORT_DAYS = 7
MAX_DAILY_DAYS = 92
"""Day by day, a report reads one partition a day: at most a quarter."""
MAX_MONTHLY_DAYS = 731
"""Month by month (the rollups), two years: 24 or 25 partitions."""


def report_period(first: date | None, last: date | None, today: date, granularity: str = "day") -> tuple[date, date]:
    """The report's days, checked together (each end is checked by its query model): a 400 naming what is wrong."""
    from chalicelib.core.errors import ValidationFailed

    end = last or today
    start = first or end - timedelta(days=DEFAULT_REPORT_DAYS - 1)
    if start > end:
        raise ValidationFailed({"from": "must not be after to"})
    cap = MAX_MONTHLY_DAYS if granularity == "month" else MAX_DAILY_DAYS
    if (end - start).days + 1 > cap:
        hint = "" if granularity == "month" else "; with granularity=month, up to 731 days"
        raise ValidationFailed({"to": f"a report covers at most {cap} days{hint}"})
    return start, end


def event_counters(
    *,
    channel: str,
    analysis: Mapping[str, Any] | None,
    answerable: bool,
    action: str,
    lead: bool,
    new_conversation: bool,
) -> dict[str, int]:
    counters: Counter[str] = Counter({"inbound": 1, f"channel:{channel}": 1})
    if analysis is not None:
        counters[f"category:{analysis['category']}"] += 1
        counters[f"sentiment:{analysis['sentiment']}"] += 1
        for topic in analysis.get("topics") or ():
            counters[f"topic:{topic}"] += 1
    if answerable:
        counters["answerable"] += 1
        if action == "auto_reply":
            counters["auto_answered"] += 1
        elif action == "agent":
            counters["routed"] += 1
    if action == "stop":
        counters["stops"] += 1
    elif action == "start":
        counters["starts"] += 1
    if lead:
        counters["leads"] += 1
    if new_conversation:
        counters["conversations"] += 1
    return dict(counters)


def percentile(values: list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    value = ordered[low] + (ordered[high] - ordered[low]) * (position - low)
    return round(value, 3)


def _summary(values: list[float]) -> dict[str, Any]:
    return {"count": len(values), "p50_seconds": percentile(values, 0.5), "p90_seconds": percentile(values, 0.9)}


def bucket_seconds(bucket: int) -> float:
    """A histogram bucket's representative duration: the geometric middle of its bounds."""
    return 0.5 if bucket <= 0 else round(2 ** ((bucket - 0.5) / 4), 3)


def histogram_percentile(histogram: Mapping[int, int], q: float) -> float | None:
    """The q-quantile of a bucketed sample: the bucket holding the element at rank q*(n-1), nearest rank."""
    total = sum(histogram.values())
    if not total:
        return None
    rank = round(q * (total - 1))
    seen = 0
    for bucket in sorted(histogram):
        seen += histogram[bucket]
        if seen > rank:
            return bucket_seconds(bucket)
    return bucket_seconds(max(histogram))


def _histogram_summary(histogram: Mapping[int, int]) -> dict[str, Any]:
    return {
        "count": sum(histogram.values()),
        "p50_seconds": histogram_percentile(histogram, 0.5),
        "p90_seconds": histogram_percentile(histogram, 0.9),
    }


def _merge(into: dict[int, int], histogram: Mapping[int, int]) -> None:
    for bucket, count in histogram.items():
        into[bucket] = into.get(bucket, 0) + count


def months_between(start: date, end: date) -> list[date]:
    """The first day of every month from `start`'s to `end`'s, both included."""
    months, month = [], date(start.year, start.month, 1)
    while month <= end:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def month_end(month: date) -> date:
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return following - timedelta(days=1)


def _empty_day() -> dict[str, Any]:
    return {
        "inbound": 0,
        "conversations": 0,
        "answerable": 0,
        "auto_answered": 0,
        "routed": 0,
        "leads": 0,
        "stops": 0,
        "starts": 0,
        "csat_asked": 0,
        "csat_answered": 0,
        "csat_sum": 0,
        **{dimension: {} for dimension in DIMENSIONS},
    }


def _add_counters(target: dict[str, Any], shard: Mapping[str, Any]) -> None:
    for name, value in shard.items():
        dimension, _, label = str(name).partition(":")
        if label and dimension in DIMENSIONS:
            bucket = target[dimension]
            bucket[label] = bucket.get(label, 0) + int(value)
        elif name in target and isinstance(target[name], int):
            target[name] += int(value)


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _with_csat(figures: dict[str, Any]) -> None:
    """The mean score of the answers counted, and answers per question asked (None when nothing to divide)."""
    answered = figures["csat_answered"]
    figures["csat_average"] = round(figures["csat_sum"] / answered, 2) if answered else None
    figures["csat_response_rate"] = _rate(answered, figures["csat_asked"])


class MetricsReport:
    def __init__(self, scrm: store.ScrmStore) -> None:
        self.store = scrm

    def build(self, start: date, end: date, now: datetime, sla_hours: float) -> dict[str, Any]:
        days: list[dict[str, Any]] = []
        totals = _empty_day()
        frt: dict[str, list[float]] = {"bot": [], "human": []}
        resolution: list[float] = []
        day = start
        while day <= end:
            figures = _empty_day()
            stored = self.store.metrics_day(day)
            for shard in stored.shards:
                _add_counters(figures, shard)
                _add_counters(totals, shard)
            today: dict[str, list[float]] = {"bot": [], "human": []}
            for by, seconds in stored.responses:
                today["human" if by == "human" else "bot"].append(seconds)
            for by, values in today.items():
                frt[by].extend(values)
            resolution.extend(stored.resolutions)
            figures["auto_answer_rate"] = _rate(figures["auto_answered"], figures["answerable"])
            _with_csat(figures)
            figures["first_response"] = {by: _summary(values) for by, values in today.items()}
            figures["resolution"] = _summary(list(stored.resolutions))
            days.append({"date": day.isoformat(), **figures})
            day += timedelta(days=1)
        totals["auto_answer_rate"] = _rate(totals["auto_answered"], totals["answerable"])
        _with_csat(totals)
        past_sla = self.open_past_sla(now, sla_hours)
        return {
            "granularity": "day",
            "from": start.isoformat(),
            "to": end.isoformat(),
            "days": days,
            "totals": totals,
            "first_response": {"bot": _summary(frt["bot"]), "human": _summary(frt["human"])},
            "resolution": _summary(resolution),
            "auto_answer_rate": totals["auto_answer_rate"],
            # Asked on the day of the resolve, answered on the day of the answer: a rate over a period, per day
            # it can pass 1 when yesterday's questions are answered today.
            "csat_average": totals["csat_average"],
            "csat_response_rate": totals["csat_response_rate"],
            "open_past_sla": past_sla,
        }

    def build_months(self, start: date, end: date, now: datetime, sla_hours: float) -> dict[str, Any]:
        """Whole months from `start`'s to `end`'s: one partition each (counters and histograms), for up to years."""
        months: list[dict[str, Any]] = []
        totals = _empty_day()
        frt: dict[str, dict[int, int]] = {"bot": {}, "human": {}}
        resolution: dict[int, int] = {}
        for month in months_between(start, end):
            figures = _empty_day()
            stored = self.store.metrics_month(month)
            for shard in stored.shards:
                _add_counters(figures, shard)
                _add_counters(totals, shard)
            for by in ("bot", "human"):
                _merge(frt[by], stored.responses.get(by, {}))
            _merge(resolution, stored.resolutions)
            figures["auto_answer_rate"] = _rate(figures["auto_answered"], figures["answerable"])
            _with_csat(figures)
            figures["first_response"] = {
                by: _histogram_summary(stored.responses.get(by, {})) for by in ("bot", "human")
            }
            figures["resolution"] = _histogram_summary(stored.resolutions)
            months.append({"month": month.strftime("%Y-%m"), "date": month.isoformat(), **figures})
        totals["auto_answer_rate"] = _rate(totals["auto_answered"], totals["answerable"])
        _with_csat(totals)
        first = months_between(start, end)
        return {
            "granularity": "month",
            "from": first[0].isoformat(),
            "to": month_end(first[-1]).isoformat(),
            "days": [],
            "months": months,
            "totals": totals,
            "first_response": {by: _histogram_summary(frt[by]) for by in ("bot", "human")},
            "resolution": _histogram_summary(resolution),
            "auto_answer_rate": totals["auto_answer_rate"],
            "csat_average": totals["csat_average"],
            "csat_response_rate": totals["csat_response_rate"],
            "open_past_sla": self.open_past_sla(now, sla_hours),
        }

    def open_past_sla(self, now: datetime, sla_hours: float) -> dict[str, Any]:
        """Open conversations whose customer has waited longer than the SLA (test deliveries aside)."""
        cutoff = times.iso(now - timedelta(hours=sla_hours))
        late: list[str] = []
        start = None
        while True:
            items, start = self.store.query_index(
                "gsi1", "inbox#open", limit=500, start=start, filters=Attr("is_test").ne(True)
            )
            # Only a customer who wrote and waits counts; a lone reaction opens a conversation but owes nothing.
            late.extend(
                str(item["id"]) for item in items if item.get("waiting_since") and item["waiting_since"] < cutoff
            )
            if not start:
                break
        return {"sla_hours": sla_hours, "count": len(late), "conversation_ids": late[:PAST_SLA_LISTED]}


# -- CloudWatch (EMF) -----------------------------------------------------------------


def _safe(label: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "_-" else "_" for ch in label)[:60]


def emit_inbound(channel: str, analysis: Mapping[str, Any] | None, action: str, lead: bool) -> None:
    emf.add_metric(name="ScrmInbound", unit=MetricUnit.Count, value=1)
    emf.add_metric(name=f"ScrmInbound_{_safe(channel)}", unit=MetricUnit.Count, value=1)
    if analysis is not None:
        emf.add_metric(name=f"ScrmCategory_{_safe(str(analysis['category']))}", unit=MetricUnit.Count, value=1)
        emf.add_metric(name=f"ScrmSentiment_{_safe(str(analysis['sentiment']))}", unit=MetricUnit.Count, value=1)
        for topic in analysis.get("topics") or ():
            emf.add_metric(name=f"ScrmTopic_{_safe(str(topic))}", unit=MetricUnit.Count, value=1)
    if action == "auto_reply":
        emf.add_metric(name="ScrmAutoAnswered", unit=MetricUnit.Count, value=1)
    elif action == "agent":
        emf.add_metric(name="ScrmRoutedToAgent", unit=MetricUnit.Count, value=1)
    elif action == "stop":
        emf.add_metric(name="ScrmStop", unit=MetricUnit.Count, value=1)
    elif action == "start":
        emf.add_metric(name="ScrmStart", unit=MetricUnit.Count, value=1)
    if lead:
        emf.add_metric(name="ScrmLead", unit=MetricUnit.Count, value=1)


def emit_first_response(by: str, seconds: float | None) -> None:
    if seconds is not None:
        emf.add_metric(name=f"ScrmFirstResponseSeconds_{_safe(by)}", unit=MetricUnit.Seconds, value=seconds)


def emit_resolution(seconds: float | None) -> None:
    if seconds is not None:
        emf.add_metric(name="ScrmResolutionSeconds", unit=MetricUnit.Seconds, value=seconds)


def emit_count(name: str, value: float = 1) -> None:
    emf.add_metric(name=name, unit=MetricUnit.Count, value=value)


def emit_report(report: Mapping[str, Any]) -> None:
    """The snapshot gauges (open past SLA, auto-answer rate) whenever a report is computed."""
    emf.add_metric(name="ScrmOpenPastSla", unit=MetricUnit.Count, value=report["open_past_sla"]["count"])
    if report.get("auto_answer_rate") is not None:
        emf.add_metric(name="ScrmAutoAnswerRate", unit=MetricUnit.Percent, value=100 * report["auto_answer_rate"])
