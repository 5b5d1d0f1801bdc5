"""Synthetic demo customers: Indonesian names, spread over WIB, WITA and WIT.

Deterministic (seeded), so a demo and a benchmark see the same people; some
have birthdays today in each zone so the greeting run has work at once, and
their contracts have installments due around today (`sapa_cli.demo_contracts`).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from chalicelib.core.aws import AwsClients
from chalicelib.core.settings import Settings
from chalicelib.core.zones import WIB, local_time

FIRST_NAMES = (
    "Budi Siti Agus Dewi Rina Andi Wahyu Putri Rudi Sri Joko Ayu Bambang Indah Hendra Yuni Eko Fitri Made Ketut "
    "Nyoman Wayan Yohanes Maria Daeng Andi Fransiskus Theresia Muhammad Nur Rizky Anisa Dimas Lestari Slamet Wulan "
    "Gede Komang Ahmad Fajar Ratna Kevin Jessica Stefanus Natalia Arif Intan Bayu Citra"
).split()
LAST_NAMES = (
    "Santoso Wijaya Saputra Hidayat Kusuma Pratama Siregar Nasution Simanjuntak Sitompul Wibowo Setiawan Gunawan "
    "Halim Tanjung Lubis Harahap Manurung Pangaribuan Sinaga Rahman Hakim Purnomo Susanto Kurniawan Tambunan "
    "Pattinama Rumbiak Wenda Mandagi Lumban Tobing Mahendra Permana Sulistyo"
).split()
# (province, city) by zone: the province decides the time zone.
PLACES = {
    "Asia/Jakarta": (
        ("DKI Jakarta", "Jakarta"),
        ("Jawa Barat", "Bandung"),
        ("Jawa Timur", "Surabaya"),
        ("Jawa Tengah", "Semarang"),
        ("Sumatera Utara", "Medan"),
        ("DI Yogyakarta", "Yogyakarta"),
        ("Banten", "Tangerang"),
        ("Kalimantan Barat", "Pontianak"),
    ),
    "Asia/Makassar": (
        ("Bali", "Denpasar"),
        ("Sulawesi Selatan", "Makassar"),
        ("Kalimantan Timur", "Balikpapan"),
        ("Sulawesi Utara", "Manado"),
        ("Nusa Tenggara Barat", "Mataram"),
    ),
    "Asia/Jayapura": (
        ("Papua", "Jayapura"),
        ("Maluku", "Ambon"),
        ("Maluku Utara", "Ternate"),
    ),
}
ZONE_WEIGHTS = (("Asia/Jakarta", 0.6), ("Asia/Makassar", 0.3), ("Asia/Jayapura", 0.1))
VEHICLES = (
    ("Toyota", "Avanza"),
    ("Toyota", "Innova"),
    ("Toyota", "Rush"),
    ("Toyota", "Calya"),
    ("Toyota", "Fortuner"),
    ("Daihatsu", "Xenia"),
    ("Daihatsu", "Ayla"),
    ("Daihatsu", "Sigra"),
    ("Daihatsu", "Terios"),
    ("Daihatsu", "Gran Max"),
)
CONTRACT_STATUSES = ("active", "active", "active", "paid_off", "overdue")
# Real operator prefixes (Telkomsel, Indosat, XL, Axis, Smartfren, Tri): numbers that validate as mobiles.
MOBILE_PREFIXES = (
    "811",
    "812",
    "813",
    "821",
    "822",
    "852",
    "853",
    "814",
    "815",
    "856",
    "857",
    "817",
    "818",
    "819",
    "859",
    "877",
    "878",
    "831",
    "838",
    "881",
    "882",
    "895",
    "896",
    "897",
)
RELIGIONS = ("islam", "islam", "islam", "islam", "kristen", "katolik", "hindu", "buddha", "konghucu")


def synthetic_customers(count: int, today: date, seed: int = 27) -> Iterator[dict[str, Any]]:
    """Customer inputs in the public JSON shape; about 1 in 20 has a birthday today."""
    rng = random.Random(seed)
    zones = [zone for zone, _ in ZONE_WEIGHTS]
    weights = [weight for _, weight in ZONE_WEIGHTS]
    for n in range(count):
        zone = rng.choices(zones, weights)[0]
        province, city = rng.choice(PLACES[zone])
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        born_year = rng.randint(1965, 2003)
        if n % 20 == 0:
            leap_day_in_common_year = (today.month, today.day) == (2, 29) and born_year % 4 != 0
            birth = date(born_year, 2, 28) if leap_day_in_common_year else date(born_year, today.month, today.day)
        else:
            birth = date(born_year, 1, 1) + timedelta(days=rng.randint(0, 364))
        brand, model = rng.choice(VEHICLES)
        start = today - timedelta(days=rng.randint(60, 365 * 6))
        # Consent mix: most on WhatsApp, some email only, a few nothing (telegreeting).
        roll = rng.random()
        phone = f"+62{rng.choice(MOBILE_PREFIXES)}{rng.randint(10_000_000, 99_999_999)}"
        email = f"{first.lower()}.{last.lower()}{n}@contoh.co.id"
        consents: dict[str, list[str]]
        if roll < 0.6:
            consents = {"whatsapp": ["greetings", "promotions"], "email": ["greetings"]}
        elif roll < 0.8:
            consents = {"email": ["greetings", "promotions"]}
        elif roll < 0.9:
            consents = {"whatsapp": ["greetings"]}
        else:
            consents = {}
        yield {
            "external_id": f"DEMO-{n:06d}",
            "name": f"{first} {last}",
            "phone": phone,
            "email": email,
            "birth_date": birth.isoformat(),
            "province": province,
            "city": city,
            "language": "en" if rng.random() < 0.08 else "id",
            "attributes": {
                "vehicle_brand": brand,
                "vehicle_model": model,
                "contract_status": rng.choice(CONTRACT_STATUSES),
                "contract_start": start.isoformat(),
                "branch": city,
                "religion": rng.choice(RELIGIONS),
            },
            "consents": consents,
        }


def jakarta_today() -> date:
    """The day in WIB: the demo's birthdays fall on it, so today's greeting run has work at once."""
    return local_time(datetime.now(UTC), WIB).date()


def seed_demo(
    settings: Settings,
    aws: AwsClients,
    count: int,
    today: date | None = None,
    clock: Callable[[], datetime] | None = None,
) -> str:
    """Load the synthetic customers through the same import path as a CSV (consent history included).

    Then the default journeys, the contracts through the contracts service, and the payments of what is
    past through the payments path (`sapa_cli.demo_contracts`).
    """
    from chalicelib.contracts.payments import record_payments
    from chalicelib.core.runtime import system_clock
    from chalicelib.customers.service import Actor
    from chalicelib.wiring.container import Container
    from sapa_cli.demo_contracts import plan_contracts, seed_contracts

    del settings  # the service reads the same environment
    today = today or jakarta_today()
    container = Container(aws, clock=clock or system_clock)
    rows = ((n + 2, data, None) for n, data in enumerate(synthetic_customers(count, today)))
    report = container.customers.customer_service().import_rows(rows, Actor("seed", "import"))
    # The journeys a finance company starts with, before the contracts: their approvals and payoffs enrol.
    container.journeys.editor().seed_defaults("seed")
    service, store = container.contracts.service(), container.contracts.store()
    contracts = seed_contracts(
        plan_contracts(synthetic_customers(count, today), today),
        put=lambda data: service.put(data, "seed", audited=False).contract,
        pay=lambda payments: record_payments(payments, store, container.now),
        today=today,
    )
    return f"seeded {report.created} new and {report.updated} updated demo customers, and {contracts} contracts"
