"""Indonesia's three time zones: greetings and contact hours run on the customer's own local clock.

Customers are stored with an IANA zone name (it is part of the `birthday_key`
GSI key), but the local clock is computed from a fixed UTC offset: Indonesia
has not observed DST or moved these offsets since 1988, and fixed offsets
avoid depending on tz data being present in the Lambda image (some runtimes
ship without /usr/share/zoneinfo and `tzdata` is not a dependency).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

WIB = "Asia/Jakarta"
"""Waktu Indonesia Barat, UTC+7 (Sumatra, Java, West/Central Kalimantan)."""
WITA = "Asia/Makassar"
"""Waktu Indonesia Tengah, UTC+8 (Bali, Nusa Tenggara, Sulawesi, East/South Kalimantan)."""
WIT = "Asia/Jayapura"
"""Waktu Indonesia Timur, UTC+9 (Maluku, Papua)."""

ZONES: tuple[str, ...] = (WIB, WITA, WIT)
"""Every zone the hourly greeting job walks, west to east."""

DEFAULT_ZONE = WIB
"""Most customers live in WIB; use it when a record has no zone."""

ZONE_LABELS: dict[str, str] = {WIB: "WIB", WITA: "WITA", WIT: "WIT"}
"""The abbreviations Indonesians actually write ("08.00 WITA")."""

_OFFSETS: dict[str, timezone] = {
    WIB: timezone(timedelta(hours=7), "WIB"),
    WITA: timezone(timedelta(hours=8), "WITA"),
    WIT: timezone(timedelta(hours=9), "WIT"),
}
_BY_LABEL: dict[str, str] = {label: zone for zone, label in ZONE_LABELS.items()}


def is_supported_zone(zone: str) -> bool:
    """True for the three IANA names we store; anything else has no greeting slot."""
    return zone in _OFFSETS


def normalize_zone(value: str) -> str:
    """Accept "WITA", "wita" or "Asia/Makassar" from imports and return the IANA name.

    Raises ValueError for anything else, so a typo never silently lands a
    customer in a zone the hourly job does not query.
    """
    cleaned = value.strip()
    if cleaned in _OFFSETS:
        return cleaned
    label = cleaned.upper()
    if label in _BY_LABEL:
        return _BY_LABEL[label]
    raise ValueError(f"unsupported time zone {value!r}; expected one of {', '.join(ZONES)} or WIB/WITA/WIT")


def tzinfo_for(zone: str) -> timezone:
    """The fixed-offset tzinfo for a supported zone (ValueError otherwise)."""
    try:
        return _OFFSETS[zone]
    except KeyError:
        raise ValueError(f"unsupported time zone {zone!r}") from None


def utc_offset_hours(zone: str) -> int:
    """Whole-hour UTC offset, e.g. 8 for WITA."""
    offset = tzinfo_for(zone).utcoffset(None)
    return int(offset.total_seconds() // 3600)


def _as_utc(now_utc: datetime) -> datetime:
    """Reject naive datetimes: guessing their zone is exactly the bug this module exists to prevent."""
    if now_utc.tzinfo is None or now_utc.utcoffset() is None:
        raise ValueError("now_utc must be timezone-aware (use datetime.now(UTC))")
    return now_utc.astimezone(UTC)


def local_time(now_utc: datetime, zone: str) -> datetime:
    """The wall-clock time in `zone` at the aware instant `now_utc`."""
    return _as_utc(now_utc).astimezone(tzinfo_for(zone))


def local_date(now_utc: datetime, zone: str) -> date:
    """The calendar date in `zone`, which is not UTC's date for the early UTC hours."""
    return local_time(now_utc, zone).date()
