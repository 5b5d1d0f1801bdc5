"""The reports: the period's figures drawn as SVG charts, each downloadable as CSV, the counting zone shown."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta, timezone

import pytest

from chalicelib.console.charts import Chart, Series, layout, to_csv
from tests import clocks
from tests.scrm.meta_payloads import dm, wa_text

WIB = timezone(timedelta(hours=7))


def _today():  # type: ignore[no-untyped-def]
    return clocks.now().astimezone(WIB).date()


@pytest.fixture
def supervisor(browser, console_user):  # type: ignore[no-untyped-def]
    email, _ = console_user("vina", "viewer")
    browser.sign_in(email)
    return browser


def test_a_supervisor_sees_the_period_drawn_day_by_day(supervisor, deliver) -> None:
    deliver(wa_text("Kapan BPKB saya bisa diambil?", phone="6281111111111"))
    deliver(dm("instagram", "Halo admin", sender="IG-7"))
    today = _today()
    start = today - timedelta(days=6)

    answer = supervisor.get(f"/console/reports?from={start}&to={today}")

    page = answer.body.decode()
    assert answer.status_code == 200, page
    assert "Hari dihitung dalam WIB (UTC+7)" in page
    channel = page[page.index('data-testid="chart-channel"') :]
    channel = channel[: channel.index("</figure>")]
    assert "<svg" in channel
    assert 'role="img"' in channel
    assert len(re.findall(r'<rect class="bar', channel)) == 2  # today's WhatsApp and Instagram, stacked
    assert f"/console/reports/channel.csv?from={start}&amp;to={today}" in page
    assert "style=" not in page
    assert "<script>" not in page


def test_a_chart_s_csv_has_a_row_per_day(supervisor, deliver) -> None:
    deliver(wa_text("Kapan BPKB saya bisa diambil?", phone="6281111111111"))
    today = _today()
    start = today - timedelta(days=2)

    answer = supervisor.get(f"/console/reports/channel.csv?from={start}&to={today}")

    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.body.decode())))
    assert rows[0] == ["date", "whatsapp"]
    assert [row[1] for row in rows[1:]] == ["0", "0", "1"]


def test_two_years_are_drawn_month_by_month(supervisor, deliver) -> None:
    deliver(wa_text("Kapan BPKB saya bisa diambil?", phone="6281111111111"))
    today = _today()

    answer = supervisor.get(f"/console/reports?from={today - timedelta(days=730)}&to={today}")

    page = answer.body.decode()
    assert answer.status_code == 200
    assert "bulan demi bulan" in page
    assert today.strftime("%Y-%m") in page


def test_three_years_are_refused_with_a_message(supervisor) -> None:
    answer = supervisor.get("/console/reports?from=2023-01-01&to=2025-12-31")

    assert answer.status_code == 400
    assert "paling lama dua tahun" in answer.body.decode()


def test_an_unknown_chart_is_a_404(supervisor) -> None:
    assert supervisor.get("/console/reports/passwords.csv").status_code == 404


def test_a_telemarketer_may_not_open_the_reports(browser, console_user) -> None:
    email, _ = console_user("tono", "telemarketer")
    browser.sign_in(email)

    assert browser.get("/console/reports").status_code == 403
    assert browser.get("/console/reports/channel.csv").status_code == 403


def test_labels_from_staff_or_customers_are_escaped_and_formula_neutral() -> None:
    hostile = "<img src=x onerror=alert(1)>"
    chart = Chart("campaigns", "Funnels", "grouped", (hostile, "=HYPERLINK(1)"), (Series("+sent", (1.0, 2.0)),))

    text = to_csv(chart)

    assert text.splitlines() == ["date,'+sent", "<img src=x onerror=alert(1)>,1", "'=HYPERLINK(1),2"]


def test_a_stacked_bar_is_as_tall_as_its_parts() -> None:
    chart = Chart("c", "t", "stacked", ("a", "b"), (Series("x", (1.0, 2.0)), Series("y", (3.0, None))))

    drawn = layout(chart)

    assert len(drawn.bars) == 3
    first = [bar for bar in drawn.bars if bar["tip"].startswith("a ")]
    assert round(sum(bar["h"] for bar in first), 1) == round(first[0]["h"] * 4, 1)


def test_a_line_breaks_where_a_day_has_no_value() -> None:
    chart = Chart("c", "t", "lines", ("a", "b", "c", "d"), (Series("p50", (1.0, 2.0, None, 4.0)),))

    drawn = layout(chart)

    assert len(drawn.lines) == 1
    assert len(drawn.points) == 3


def test_a_day_that_is_not_a_date_is_a_400_saying_so(supervisor) -> None:
    answer = supervisor.get("/console/reports?from=kemarin")

    assert answer.status_code == 400
    assert "YYYY-MM-DD" in answer.body.decode()


def test_the_axis_steps_are_round() -> None:
    drawn = layout(Chart("c", "t", "grouped", ("a",), (Series("x", (3.0,)),)))

    assert [tick["text"] for tick in drawn.y_ticks] == ["0", "1", "2", "3", "4"]
