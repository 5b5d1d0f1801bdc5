"""The supervisors' reports: the SCRM cycle's figures, campaign funnels and greeting reach as charts, each a CSV.

A period of up to 92 days is drawn day by day from the same report as `GET /scrm/metrics`; a longer one, up
to two years, month by month from the monthly rollups (`granularity=month`), whose percentiles come from
per-month histograms. Days are counted in the business's zone (WIB unless configured), and the page says so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from chalice.app import Response
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from chalicelib.access.roles import Permission
from chalicelib.console import i18n
from chalicelib.console.charts import Chart, Series, layout, to_csv
from chalicelib.console.pages import Visit, page
from chalicelib.core import zones
from chalicelib.core.errors import ValidationFailed

DEFAULT_DAYS = 30
TOP_LABELS = 8
CAMPAIGNS_SHOWN = 8
CAMPAIGN_READS = 5
FUNNEL = ("targeted", "queued", "sent", "delivered", "read")
CHARTS = ("channel", "category", "sentiment", "topic", "first-response", "resolution", "auto-answer", "csat")
EXTRA_CHARTS = ("campaigns", "greetings")
QUICK_PERIODS = (7, 30, 90, 365, 730)


class PeriodQuery(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    from_: date | None = None
    to: date | None = None

    @field_validator("from_", "to", mode="before")
    @classmethod
    def _blank(cls, value: Any) -> Any:
        return None if value in ("", None) else value


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    granularity: str


def _period(visit: Visit, today: date) -> tuple[Period | None, str | None]:
    from chalicelib.scrm.metrics import MAX_DAILY_DAYS, report_period

    translate = i18n.gettext(visit.language)
    query = dict(visit.query)
    if "from" in query:
        query["from_"] = query.pop("from")
    try:
        wanted = PeriodQuery.model_validate(query)
    except ValidationError:
        return None, translate("Choose the days as dates (YYYY-MM-DD).")
    first = wanted.from_ or (wanted.to or today) - timedelta(days=DEFAULT_DAYS - 1)
    last = wanted.to or today
    granularity = "month" if (last - first).days + 1 > MAX_DAILY_DAYS else "day"
    try:
        start, end = report_period(first, last, today, granularity)
    except ValidationFailed as error:
        if "from" in error.fields:
            return None, translate("The first day must not be after the last.")
        return None, translate("A report covers at most two years (731 days).")
    return Period(start, end, granularity), None


def _zone_label(utc_offset_hours: float) -> str:
    for zone, label in zones.ZONE_LABELS.items():
        if zones.utc_offset_hours(zone) == utc_offset_hours:
            return label
    return f"UTC{utc_offset_hours:+g}"


# -- the charts -----------------------------------------------------------------------------------------------------


def _rows(report: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list(report.get("months") or report.get("days") or [])


def _label(row: Mapping[str, Any], granularity: str) -> str:
    if granularity == "month":
        return str(row["month"])
    day = date.fromisoformat(str(row["date"]))
    return day.strftime("%d/%m")


def _minutes(value: Any) -> float | None:
    return None if value is None else round(float(value) / 60, 2)


def scrm_charts(report: Mapping[str, Any], translate: Callable[[str], str]) -> list[Chart]:
    granularity = str(report.get("granularity") or "day")
    rows = _rows(report)
    labels = tuple(_label(row, granularity) for row in rows)
    header = "month" if granularity == "month" else "date"
    charts: list[Chart] = []
    titles = {
        "channel": translate("Incoming messages by channel"),
        "category": translate("Incoming messages by category"),
        "sentiment": translate("Incoming messages by sentiment"),
        "topic": translate("Incoming messages by topic"),
    }
    for dimension, title in titles.items():
        totals: Mapping[str, int] = report["totals"].get(dimension) or {}
        names = sorted(totals, key=lambda name: (-int(totals[name]), name))[:TOP_LABELS]
        series = tuple(
            Series(name, tuple(float((row.get(dimension) or {}).get(name, 0)) for row in rows)) for name in names
        )
        charts.append(Chart(dimension, title, "stacked", labels, series, label_header=header))
    response = []
    for by, who in (("bot", translate("bot")), ("human", translate("people"))):
        for q in ("p50", "p90"):
            response.append(
                Series(f"{who} {q}", tuple(_minutes(row["first_response"][by][f"{q}_seconds"]) for row in rows))
            )
    charts.append(
        Chart(
            "first-response",
            translate("First response time (minutes)"),
            "lines",
            labels,
            tuple(response),
            " min",
            header,
        )
    )
    resolution = tuple(
        Series(q, tuple(_minutes(row["resolution"][f"{q}_seconds"]) for row in rows)) for q in ("p50", "p90")
    )
    charts.append(
        Chart("resolution", translate("Resolution time (minutes)"), "lines", labels, resolution, " min", header)
    )
    rate = tuple(None if row["auto_answer_rate"] is None else round(100 * row["auto_answer_rate"], 1) for row in rows)
    charts.append(
        Chart(
            "auto-answer",
            translate("Questions the bot answered (%)"),
            "grouped",
            labels,
            (Series(translate("auto-answer rate"), rate),),
            "%",
            header,
        )
    )
    csat = tuple(row["csat_average"] for row in rows)
    answered = tuple(float(row["csat_answered"]) for row in rows)
    charts.append(
        Chart(
            "csat",
            translate("Customer satisfaction (1-5) and answers"),
            "grouped",
            labels,
            (Series(translate("average score"), csat), Series(translate("answers"), answered)),
            "",
            header,
        )
    )
    return charts


def campaign_funnels(store: Any, counts: Callable[..., Mapping[str, Any]], period: Period) -> list[dict[str, Any]]:
    """The campaigns created in the period (newest first, a few pages at most) and their funnel figures."""
    low, high = period.start.isoformat(), (period.end + timedelta(days=1)).isoformat()
    found: list[dict[str, Any]] = []
    start = None
    for _read in range(CAMPAIGN_READS):
        items, start = store.page(50, start)
        for item in items:
            created = str(item.get("created_at") or "")
            if low <= created < high:
                found.append(item)
        if not start or len(found) >= CAMPAIGNS_SHOWN or (items and str(items[-1].get("created_at")) < low):
            break
    funnels = []
    for item in found[:CAMPAIGNS_SHOWN]:
        figures = counts(item, store.segments(str(item["id"])))
        funnels.append({"id": item["id"], "name": str(item.get("name") or item["id"]), "figures": figures})
    return funnels


def funnel_chart(funnels: list[dict[str, Any]], translate: Callable[[str], str]) -> Chart:
    labels = tuple(f["name"] for f in funnels)
    series = tuple(
        Series(translate(stage), tuple(float(f["figures"].get(stage, 0)) for f in funnels)) for stage in FUNNEL
    )
    return Chart("campaigns", translate("Campaign funnels"), "grouped", labels, series, label_header="campaign")


def greeting_reach(
    holidays: Callable[[int], Iterable[Any]], totals: Callable[[date], Mapping[str, int]], period: Period
) -> list[dict[str, Any]]:
    """Every greeted holiday in the period and how many holiday greetings the run queued that day."""
    reach = []
    for year in range(period.start.year, period.end.year + 1):
        for holiday in holidays(year):
            if holiday.greet and period.start <= holiday.date <= period.end:
                reach.append(
                    {"name": holiday.name, "date": holiday.date, "reached": int(totals(holiday.date).get("holiday", 0))}
                )
    return reach


def reach_chart(reach: list[dict[str, Any]], translate: Callable[[str], str]) -> Chart:
    labels = tuple(f"{r['name']} ({r['date'].strftime('%d/%m/%Y')})" for r in reach)
    series = (Series(translate("greetings queued"), tuple(float(r["reached"]) for r in reach)),)
    return Chart(
        "greetings", translate("Greeting reach per holiday"), "grouped", labels, series, label_header="holiday"
    )


# -- the page and the files -----------------------------------------------------------------------------------------


def _data(visit: Visit, period: Period) -> dict[str, Any]:
    from chalicelib.campaigns.model import counts
    from chalicelib.greetings.holidays_calendar import calendar_for_year

    translate = i18n.gettext(visit.language)
    scrm = visit.container.scrm
    config = scrm.config()
    builder = scrm.report()
    build = builder.build_months if period.granularity == "month" else builder.build
    report = build(period.start, period.end, visit.now, config.sla_hours)
    charts = scrm_charts(report, translate)
    funnels = campaign_funnels(visit.container.campaigns.store(), counts, period)
    greetings = visit.container.greetings
    holiday_store, runs = greetings.holiday_store(), greetings.run_store()
    reach = greeting_reach(lambda year: calendar_for_year(year, holiday_store.overrides(year)), runs.totals, period)
    charts += [funnel_chart(funnels, translate), reach_chart(reach, translate)]
    return {
        "report": report,
        "charts": charts,
        "funnels": funnels,
        "reach": reach,
        "zone": _zone_label(config.utc_offset_hours),
        "offset": config.utc_offset_hours,
    }


def _today(visit: Visit) -> date:
    from chalicelib.scrm import times

    return times.local_day(visit.now, visit.container.scrm.config().utc_offset_hours)


@page(Permission.METRICS_READ)
def reports_page(visit: Visit) -> Response:
    today = _today(visit)
    period, problem = _period(visit, today)
    context: dict[str, Any] = {
        "section": "reports",
        "problem": problem,
        "period": period,
        "today": today,
        "quick": [(days, (today - timedelta(days=days - 1)).isoformat()) for days in QUICK_PERIODS],
        "layout": layout,
    }
    if period is None:
        return visit.render("reports.html", status=400, data=None, **context)
    return visit.render("reports.html", data=_data(visit, period), **context)


@page(Permission.METRICS_READ)
def chart_csv(visit: Visit, chart: str) -> Response:
    translate = i18n.gettext(visit.language)
    name = chart.removesuffix(".csv")
    if not chart.endswith(".csv") or name not in CHARTS + EXTRA_CHARTS:
        return visit.refuse(404, translate("Not found"), translate("There is no such chart."))
    period, problem = _period(visit, _today(visit))
    if period is None:
        return visit.refuse(400, translate("Reports"), problem or "")
    [found] = [c for c in _data(visit, period)["charts"] if c.key == name]
    filename = f"{name}-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    return visit.respond(
        to_csv(found),
        200,
        {"Content-Type": "text/csv; charset=utf-8", "Content-Disposition": f'attachment; filename="{filename}"'},
    )
