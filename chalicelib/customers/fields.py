"""What a customer's fields are: their names, limits and the messages that are part of the API.

Shared by the record (`chalicelib.customers.model`) and the pydantic model that
checks a body (`chalicelib.customers.validation`): the model takes them from
here, so it and the record (which imports the model when it validates) do not
import each other.
"""

from __future__ import annotations

from datetime import timedelta, timezone

FIELDS: tuple[str, ...] = (
    "external_id",
    "name",
    "phone",
    "email",
    "birth_date",
    "province",
    "city",
    "timezone",
    "language",
    "attributes",
    "consents",
    "test_recipient",
)
"""Fields a client writes, in public-JSON order."""

READ_ONLY: frozenset[str] = frozenset({"id", "created_at", "updated_at", "consents_withdrawn"})
"""Fields a client may echo back (GET then PUT) but never sets; silently ignored on input."""

CHANNELS: tuple[str, ...] = ("whatsapp", "email")
PURPOSES: tuple[str, ...] = ("greetings", "promotions")
LANGUAGES: tuple[str, ...] = ("id", "en")
DEFAULT_LANGUAGE = "id"

EXTERNAL_ID_MAX = 64
NAME_MAX = 120
PLACE_MAX = 100
MAX_ATTRIBUTES = 50
ATTRIBUTE_STRING_MAX = 500
ATTRIBUTE_LIST_MAX = 100
MIN_BIRTH_YEAR = 1900

KNOWN_STRING_ATTRIBUTES: frozenset[str] = frozenset(
    {"vehicle_brand", "vehicle_model", "contract_status", "branch", "religion"}
)
"""Attributes segments rely on being plain strings (a list here would never match "= Toyota")."""
DATE_ATTRIBUTES: frozenset[str] = frozenset({"contract_start"})
"""Attributes that stay "YYYY-MM-DD" strings but must be real dates (segments compare them as text)."""

RESERVED_ATTRIBUTE_KEYS: frozenset[str] = frozenset(
    {*FIELDS, *READ_ONLY, "consent_whatsapp", "consent_email", "birthday_key", "test_recipient_key"}
)
"""Top-level names: an attribute "phone" would be a second, unvalidated copy of personal data."""

PHONE_ERROR = "not a valid Indonesian or international phone number"
DATE_ERROR = "must be a date YYYY-MM-DD"

# The latest Indonesian clock (WIT, UTC+9): a baby born today in Jayapura is not "in the future".
LATEST_ZONE = timezone(timedelta(hours=9))
