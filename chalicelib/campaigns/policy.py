"""Whether one campaign message may go to one customer: pure rules, no I/O.

A promotion that arrives for the third time this week, or without consent,
costs the lender goodwill and, under OJK's consumer protection rules,
possibly more. Keeping these rules pure lets the fan-out gather the facts
(suppression list, recent sends) once and makes every boundary testable
without AWS. *When* a promotion may arrive (Monday to Saturday, 08:00-18:00
local, never on a national holiday) is the contact policy's question
(`outbound.contact_policy`): an eligible recipient outside those hours is
still sent, later.

Times are always timezone-aware.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from enum import StrEnum
from typing import Any, TypeAlias
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chalicelib.core.options import DEFAULTS

DEFAULT_ZONE = "Asia/Jakarta"
"""Most customers live in WIB; used when a record's zone is missing or unusable."""
MAX_SENDS = DEFAULTS.promo_cap
WINDOW = timedelta(days=DEFAULTS.promo_cap_days)
CHANNELS: frozenset[str] = frozenset({"whatsapp", "email"})
CONSENT_PURPOSE = "promotions"

_FIXED_ZONES: dict[str, tzinfo] = {
    "Asia/Jakarta": timezone(timedelta(hours=7), "WIB"),
    "Asia/Pontianak": timezone(timedelta(hours=7), "WIB"),
    "Asia/Makassar": timezone(timedelta(hours=8), "WITA"),
    "Asia/Jayapura": timezone(timedelta(hours=9), "WIT"),
}
_LABELS: dict[str, str] = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}
_PHONE = re.compile(r"\+?[0-9]{8,15}")
_PHONE_SEPARATORS = re.compile(r"[\s().-]")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class SkipReason(StrEnum):
    NO_CONSENT = "no_consent"
    SUPPRESSED = "suppressed"
    FREQUENCY_CAP = "frequency_cap"
    INVALID_CONTACT = "invalid_contact"


@dataclass(frozen=True)
class SendNow:
    """Send: now, or when the contact policy's window opens."""


@dataclass(frozen=True)
class Skip:
    """Do not send this campaign to this customer; `reason` is recorded for reporting."""

    reason: SkipReason


Decision: TypeAlias = SendNow | Skip
"""Exactly one outcome per recipient, so callers can `match` on it exhaustively."""


def zone_info(zone: str) -> tzinfo:
    """A tzinfo for an IANA name or WIB/WITA/WIT label; ValueError for anything else."""
    if not isinstance(zone, str) or not zone.strip():
        raise ValueError("time zone must be a non-empty name such as 'Asia/Jakarta'")
    name = _LABELS.get(zone.strip().upper(), zone.strip())
    if name in _FIXED_ZONES:
        return _FIXED_ZONES[name]
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {zone!r}") from None


def _aware_utc(moment: datetime, name: str) -> datetime:
    """Naive datetimes are refused: guessing their zone is the bug contact hours exist to prevent."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (use datetime.now(UTC))")
    return moment.astimezone(UTC)


def frequency_cap_allows(
    recent_sends: Sequence[datetime], now_utc: datetime, max_sends: int = MAX_SENDS, window: timedelta = WINDOW
) -> bool:
    """True while fewer than `max_sends` sends happened in the `window` before now.

    A send exactly `window` ago has aged out; sends stamped in the future
    (clock skew between Lambdas) still count, erring towards fewer messages.
    """
    if max_sends < 0:
        raise ValueError("max_sends must be zero or more")
    if window <= timedelta(0):
        raise ValueError("window must be positive")
    since = _aware_utc(now_utc, "now_utc") - window
    counted = sum(1 for sent in recent_sends if _aware_utc(sent, "recent_sends") > since)
    return counted < max_sends


def has_consent(customer: Mapping[str, Any], channel: str) -> bool:
    """Consent is per channel and purpose: `consents[channel]` must include "promotions"."""
    consents = customer.get("consents")
    if not isinstance(consents, Mapping):
        return False
    granted = consents.get(channel)
    if isinstance(granted, Mapping):
        return bool(granted.get(CONSENT_PURPOSE))
    if isinstance(granted, str):
        return granted == CONSENT_PURPOSE
    if isinstance(granted, list | tuple | set | frozenset):
        return CONSENT_PURPOSE in granted
    return False


def has_contact(customer: Mapping[str, Any], channel: str) -> bool:
    """A plausible address for the channel: a phone number for WhatsApp, an email address for email."""
    if channel == "whatsapp":
        phone = customer.get("phone")
        return isinstance(phone, str) and bool(_PHONE.fullmatch(_PHONE_SEPARATORS.sub("", phone)))
    email = customer.get("email")
    return isinstance(email, str) and bool(_EMAIL.fullmatch(email.strip()))


def customer_zone(customer: Mapping[str, Any]) -> str:
    """The customer's stored zone when usable, else WIB rather than refusing to send."""
    zone = customer.get("timezone")
    if isinstance(zone, str):
        try:
            zone_info(zone)
        except ValueError:
            return DEFAULT_ZONE
        return zone
    return DEFAULT_ZONE


def decide(
    customer: Mapping[str, Any],
    channel: str,
    *,
    suppressed: bool,
    recent_sends: Sequence[datetime],
    now_utc: datetime,
    max_sends: int = MAX_SENDS,
    window: timedelta = WINDOW,
) -> SendNow | Skip:
    """Send or skip one recipient.

    Order matters only for the reason reported: compliance first (suppression
    list, consent), then reachability, then the frequency cap.
    """
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}; expected one of {', '.join(sorted(CHANNELS))}")
    if suppressed:
        return Skip(SkipReason.SUPPRESSED)
    if not has_consent(customer, channel):
        return Skip(SkipReason.NO_CONSENT)
    if not has_contact(customer, channel):
        return Skip(SkipReason.INVALID_CONTACT)
    if not frequency_cap_allows(recent_sends, now_utc, max_sends, window):
        return Skip(SkipReason.FREQUENCY_CAP)
    return SendNow()
