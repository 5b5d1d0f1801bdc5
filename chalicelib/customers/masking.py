"""Partial masks for phone numbers and e-mail addresses in logs and import reports.

The log formatter (`chalicelib.core.observability`) already blanks personal
data wholesale; these helpers are for the places where an operator needs a
hint to tell two customers apart ("+62******7890") without the log holding
the number itself. The mask has a fixed width so it does not leak length.
"""

from __future__ import annotations

import phonenumbers

MASK = "******"
_VISIBLE_TAIL = 4


def mask_phone(phone: str | None) -> str:
    """ "+6281234567890" -> "+62******7890": country code and last four digits only.

    Works on unnormalised input too ("0812 3456 7890" -> "+62******7890"),
    because callers log what they were given, not only what they stored.
    """
    if not phone:
        return ""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) <= _VISIBLE_TAIL:
        return MASK
    try:
        parsed = phonenumbers.parse(phone, "ID")
    except phonenumbers.NumberParseException:
        return f"{MASK}{digits[-_VISIBLE_TAIL:]}"
    national = str(parsed.national_number)
    if len(national) <= _VISIBLE_TAIL:
        return MASK
    return f"+{parsed.country_code}{MASK}{national[-_VISIBLE_TAIL:]}"


def mask_email(email: str | None) -> str:
    """ "budi@example.com" -> "b***@example.com": the domain stays, since bounces are diagnosed by domain."""
    if not email:
        return ""
    local, at, domain = email.strip().rpartition("@")
    if not at:
        return "***"
    if not local:
        return f"***@{domain}"
    return f"{local[0]}***@{domain}"
