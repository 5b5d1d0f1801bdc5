"""Charts as data, then as SVG geometry: the reports page draws them with jinja macros, no chart script.

A `Chart` is labels along the x axis and named series of numbers (None: no value that day). `layout`
turns it into rectangles and polylines in a fixed viewBox, with CSS classes for colours (the CSP
forbids inline styles), and `to_csv` gives the same numbers as a file a spreadsheet opens safely.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from typing import Any

from chalicelib.customers.csv_rows import spreadsheet_safe

WIDTH = 640
HEIGHT = 240
LEFT = 48
RIGHT = 8
TOP = 10
BOTTOM = 34
SERIES_CLASSES = 8
MAX_X_LABELS = 12


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class Chart:
    """One chart: `kind` is "stacked" (bars per label, series stacked), "grouped" (bars side by side) or "lines"."""

    key: str
    title: str
    kind: str
    labels: tuple[str, ...]
    series: tuple[Series, ...]
    unit: str = ""
    label_header: str = "date"

    @property
    def empty(self) -> bool:
        return not any(v for s in self.series for v in s.values if v)


@dataclass
class Layout:
    """What the SVG macro draws: bars (x, y, w, h, css class, tooltip), lines (points, class), axis texts."""

    width: int = WIDTH
    height: int = HEIGHT
    bars: list[dict[str, Any]] = field(default_factory=list)
    lines: list[dict[str, Any]] = field(default_factory=list)
    points: list[dict[str, Any]] = field(default_factory=list)
    x_labels: list[dict[str, Any]] = field(default_factory=list)
    y_ticks: list[dict[str, Any]] = field(default_factory=list)
    legend: list[dict[str, Any]] = field(default_factory=list)


def nice_ceiling(value: float) -> float:
    """The axis top: 1, 2, 2.5 or 5 times a power of ten, at least `value`."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)  # pragma: no cover - the loop ends at 10


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:.2f}".rstrip("0").rstrip(".")


def layout(chart: Chart) -> Layout:
    out = Layout()
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = max(len(chart.labels), 1)
    band = plot_w / count
    if chart.kind == "stacked":
        top = max((sum(s.values[i] or 0 for s in chart.series) for i in range(len(chart.labels))), default=0)
    else:
        top = max((v or 0 for s in chart.series for v in s.values), default=0)
    ceiling = 4 * nice_ceiling(float(top) / 4)  # four even steps of a round size: 0, 1, 2, 3, 4 rather than 1.25s

    def y(value: float) -> float:
        return round(TOP + plot_h - plot_h * value / ceiling, 2)

    for step in range(5):
        value = ceiling * step / 4
        out.y_ticks.append({"y": y(value), "text": _number(value), "x": LEFT - 4})
    every = max(1, math.ceil(len(chart.labels) / MAX_X_LABELS))
    for index, label in enumerate(chart.labels):
        if index % every == 0:
            out.x_labels.append({"x": round(LEFT + band * (index + 0.5), 2), "y": HEIGHT - BOTTOM + 16, "text": label})
    for number, series in enumerate(chart.series):
        out.legend.append({"name": series.name, "css": f"s{number % SERIES_CLASSES}"})

    if chart.kind == "stacked":
        width = round(band * 0.8, 2)
        for index, label in enumerate(chart.labels):
            base = 0.0
            for number, series in enumerate(chart.series):
                value = series.values[index] or 0
                if value:
                    out.bars.append(
                        {
                            "x": round(LEFT + band * index + band * 0.1, 2),
                            "y": y(base + value),
                            "w": width,
                            "h": round(y(base) - y(base + value), 2),
                            "css": f"s{number % SERIES_CLASSES}",
                            "tip": f"{label} · {series.name}: {_number(value)}{chart.unit}",
                        }
                    )
                base += value
    elif chart.kind == "grouped":
        groups = max(len(chart.series), 1)
        width = round(band * 0.8 / groups, 2)
        for index, label in enumerate(chart.labels):
            for number, series in enumerate(chart.series):
                value = series.values[index] or 0
                out.bars.append(
                    {
                        "x": round(LEFT + band * index + band * 0.1 + width * number, 2),
                        "y": y(value),
                        "w": width,
                        "h": round(y(0) - y(value), 2),
                        "css": f"s{number % SERIES_CLASSES}",
                        "tip": f"{label} · {series.name}: {_number(value)}{chart.unit}",
                    }
                )
    else:
        for number, series in enumerate(chart.series):
            css = f"s{number % SERIES_CLASSES}"
            run: list[str] = []
            for index, value in enumerate(series.values):
                if value is None:
                    if len(run) > 1:
                        out.lines.append({"points": " ".join(run), "css": css})
                    run = []
                    continue
                x = round(LEFT + band * (index + 0.5), 2)
                run.append(f"{x},{y(value)}")
                out.points.append(
                    {
                        "x": x,
                        "y": y(value),
                        "css": css,
                        "tip": f"{chart.labels[index]} · {series.name}: {_number(value)}{chart.unit}",
                    }
                )
            if len(run) > 1:
                out.lines.append({"points": " ".join(run), "css": css})
    return out


def to_csv(chart: Chart) -> str:
    """The chart's numbers: one row per label, one column per series; every cell safe to open in a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([spreadsheet_safe(chart.label_header), *(spreadsheet_safe(s.name) for s in chart.series)])
    for index, label in enumerate(chart.labels):
        row = [s.values[index] for s in chart.series]
        writer.writerow([spreadsheet_safe(label), *("" if v is None else spreadsheet_safe(_plain(v)) for v in row)])
    return buffer.getvalue()


def _plain(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.4f}".rstrip("0")
