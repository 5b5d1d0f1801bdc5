"""The reminders report in Chromium, on the seeded contracts: a run's steps, the overdue months, the ladder."""

from __future__ import annotations

from tests.console.browser.conftest import Stack, Tab


def test_a_supervisor_sees_what_todays_reminder_run_sent_on_the_demo_contracts(stack: Stack, tab: Tab) -> None:
    today = stack.today()
    status, run = stack.call("POST", "/reminders/runs", {"date": today.isoformat()})
    assert status == 200, run
    assert run["sent"] + run["calls"] >= 7, run  # the demo has an installment at every step of the ladder
    tab.sign_in("vina")

    tab.open("/console/reminders")

    rows = tab.page.locator('[data-testid="reminder-step-row"]')
    assert rows.count() >= 6
    steps = {rows.nth(n).locator("td").first.inner_text() for n in range(rows.count())}
    assert {"H-7", "H-3", "H-1", "H0", "H+1", "H+7"} <= steps
    assert tab.page.locator('[data-testid="ladder-row"]').count() == 13
    assert tab.page.locator('[data-testid="overdue-month-row"]').count() >= 1
    tab.screenshot("reminders")
    assert tab.csp_refusals == []
