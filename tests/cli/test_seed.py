"""The demo data is valid, spread over the three zones, with birthdays to greet today."""

from __future__ import annotations

from collections import Counter
from datetime import date

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
