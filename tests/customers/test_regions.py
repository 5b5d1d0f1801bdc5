"""Province -> zone lookup: every province, the spellings clerks type, and the fallbacks."""

from __future__ import annotations

import pytest

from chalicelib.customers import regions
from chalicelib.customers.regions import (
    DEFAULT_TIMEZONE,
    PROVINCES,
    WIB,
    WIT,
    WITA,
    canonical_province,
    normalize_timezone,
    resolve_timezone,
    timezone_for_province,
)


def test_all_38_provinces_have_a_supported_zone() -> None:
    assert len(PROVINCES) == 38
    assert set(PROVINCES.values()) == set(regions.TIMEZONES)


@pytest.mark.parametrize(
    ("province", "zone"),
    [
        ("Aceh", WIB),
        ("Lampung", WIB),
        ("DKI Jakarta", WIB),
        ("Jawa Timur", WIB),
        ("Kalimantan Barat", WIB),
        ("Kalimantan Tengah", WIB),
        ("Kalimantan Selatan", WITA),
        ("Kalimantan Timur", WITA),
        ("Kalimantan Utara", WITA),
        ("Bali", WITA),
        ("Nusa Tenggara Barat", WITA),
        ("Nusa Tenggara Timur", WITA),
        ("Gorontalo", WITA),
        ("Sulawesi Barat", WITA),
        ("Sulawesi Tenggara", WITA),
        ("Maluku", WIT),
        ("Maluku Utara", WIT),
        ("Papua", WIT),
        ("Papua Barat", WIT),
        ("Papua Barat Daya", WIT),
        ("Papua Selatan", WIT),
        ("Papua Tengah", WIT),
        ("Papua Pegunungan", WIT),
    ],
)
def test_zone_per_province(province: str, zone: str) -> None:
    assert timezone_for_province(province) == zone


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        ("Jakarta", "DKI Jakarta"),
        ("dki jakarta", "DKI Jakarta"),
        ("D.K.I. Jakarta", "DKI Jakarta"),
        ("DI Yogyakarta", "DI Yogyakarta"),
        ("Yogyakarta", "DI Yogyakarta"),
        ("Jogja", "DI Yogyakarta"),
        ("D.I. Yogyakarta", "DI Yogyakarta"),
        ("Daerah Istimewa Yogyakarta", "DI Yogyakarta"),
        ("Jabar", "Jawa Barat"),
        ("  JAWA   BARAT ", "Jawa Barat"),
        ("Provinsi Jawa Tengah", "Jawa Tengah"),
        ("West Java", "Jawa Barat"),
        ("NTB", "Nusa Tenggara Barat"),
        ("ntt", "Nusa Tenggara Timur"),
        ("Kalbar", "Kalimantan Barat"),
        ("Sulsel", "Sulawesi Selatan"),
        ("Bangka Belitung", "Kepulauan Bangka Belitung"),
        ("Babel", "Kepulauan Bangka Belitung"),
        ("Kep. Bangka Belitung", "Kepulauan Bangka Belitung"),
        ("Kepri", "Kepulauan Riau"),
        ("Sumatra Utara", "Sumatera Utara"),
        ("North Sumatra", "Sumatera Utara"),
        ("NAD", "Aceh"),
        ("papua barat daya", "Papua Barat Daya"),
        ("Papua-Pegunungan", "Papua Pegunungan"),
        ("Irian Jaya Barat", "Papua Barat"),
    ],
)
def test_aliases(spelling: str, canonical: str) -> None:
    assert canonical_province(spelling) == canonical
    assert timezone_for_province(spelling) == PROVINCES[canonical]


def test_similar_names_do_not_collide() -> None:
    assert canonical_province("Papua") == "Papua"
    assert canonical_province("Papua Barat") == "Papua Barat"
    assert canonical_province("Riau") == "Riau"
    assert canonical_province("Kepulauan Riau") == "Kepulauan Riau"
    assert canonical_province("Maluku") == "Maluku"


@pytest.mark.parametrize("unknown", ["Atlantis", "", None, "Jawa"])
def test_unknown_province(unknown: str | None) -> None:
    assert canonical_province(unknown) is None
    assert timezone_for_province(unknown) is None


@pytest.mark.parametrize(
    ("spelling", "zone"),
    [
        ("Asia/Jakarta", WIB),
        ("asia/makassar", WITA),
        ("WIT", WIT),
        ("wita", WITA),
        ("Asia/Pontianak", WIB),
        (" Asia/Jayapura ", WIT),
    ],
)
def test_normalize_timezone(spelling: str, zone: str) -> None:
    assert normalize_timezone(spelling) == zone


@pytest.mark.parametrize("bad", ["UTC", "Asia/Singapore", "+07:00", "Asia/Tokyo"])
def test_normalize_timezone_rejects_other_zones(bad: str) -> None:
    assert normalize_timezone(bad) is None


def test_resolve_timezone() -> None:
    assert resolve_timezone("WITA", "Papua") == WITA  # explicit wins: people move
    assert resolve_timezone(None, "Sulsel") == WITA
    assert resolve_timezone(None, "Atlantis") == DEFAULT_TIMEZONE
    assert resolve_timezone(None, None) == DEFAULT_TIMEZONE == WIB
    with pytest.raises(ValueError):
        resolve_timezone("Europe/Berlin", "Bali")
