"""The demo data is valid, spread over the three zones, with birthdays to greet today."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from chalicelib.customers.model import validate_customer
from sapa_cli.seed import synthetic_customers


def test_every_synthetic_customer_passes_the_same_validation_as_the_api() -> None:
    customers = [validate_customer(data) for data in synthetic_customers(1000, date(2027, 6, 15))]

    zones = Counter(c.timezone for c in customers)
    assert set(zones) == {"Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"}
    assert sum(c.birth_date[5:] == "06-15" for c in customers if c.birth_date) >= 40
    assert any(not c.consents.get("whatsapp") and not c.consents.get("email") for c in customers)


def test_some_demo_customers_have_their_birthday_on_any_day_of_the_month() -> None:
    customers = list(synthetic_customers(100, date(2027, 1, 31)))

    assert sum(c["birth_date"].endswith("-01-31") for c in customers) >= 5


def test_the_seed_writes_contracts_due_around_today_with_the_past_paid(aws) -> None:
    from datetime import UTC, datetime

    from chalicelib.contracts.store import ContractStore
    from chalicelib.core.settings import Settings
    from chalicelib.core.zones import ZONES
    from chalicelib.wiring.container import Container
    from sapa_cli.seed import seed_demo

    today = date(2025, 6, 17)  # a Tuesday: none of the days around it is a Sunday
    message = seed_demo(Settings.from_env(), aws, 60, today=today, clock=lambda: datetime(2025, 6, 17, 3, tzinfo=UTC))

    assert message.endswith("20 contracts")
    store: ContractStore = Container(aws).contracts.store()

    def due(offset: int, zone: str = "Asia/Jakarta") -> list[dict]:
        return list(store.due(f"inst#{today + timedelta(days=offset)}#{zone}"))

    for offset in (7, 3, 1, 0, -1, -3, -7):
        assert due(offset), f"no unpaid installment to pay by today{offset:+d}"
    # The past is paid: what is still unpaid before today is the deliberately overdue, one per contract.
    overdue = [i for k in range(1, 62) for i in due(-k)]
    assert len({i["contract_no"] for i in overdue}) == len(overdue)

    def anywhere(kind: str, day: date) -> list[dict]:
        return [i for zone in ZONES for i in store.due(f"{kind}#{day}#{zone}")]

    assert anywhere("stnk_tax", today + timedelta(days=30))
    assert anywhere("stnk_tax", today + timedelta(days=7))
    assert anywhere("insurance", today + timedelta(days=30))
    assert anywhere("bpkb_ready", today)  # the paid-off contracts' BPKB, ready from the day Sapa heard


def test_on_the_seeded_data_todays_reminder_run_has_every_step_and_the_default_journeys_are_there(aws) -> None:
    from datetime import UTC, datetime

    from chalicelib.core.settings import Settings
    from chalicelib.wiring.container import Container
    from sapa_cli.seed import seed_demo

    today = date(2025, 6, 17)
    clock = lambda: datetime(2025, 6, 17, 3, tzinfo=UTC)  # noqa: E731 - 10:00 WIB on the seed's Tuesday
    seed_demo(Settings.from_env(), aws, 60, today=today, clock=clock)
    container = Container(aws, clock=clock)

    report = container.reminders.run().run_date(today)

    steps = set(report.by_step()) | ({"H+3"} if report.calls else set())
    assert {"H-7", "H-3", "H-1", "H0", "H+1", "H+3", "H+7"} <= steps, report.body()
    assert report.items_read == report.total_sent + report.calls + sum(report.skipped.values())
    assert {j.id for j in container.journeys.store().all()} >= {"welcome", "payoff"}
