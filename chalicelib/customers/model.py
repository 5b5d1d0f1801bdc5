"""The customer record: validation, normalisation and the DynamoDB item shape.

One function, `validate_customer`, decides what a customer may look like, for
the API and the CSV import alike, so both store the same bytes for the same
person: "0812-3456-7890" and "+62 812 3456 7890" become one E.164 number,
"Jabar" becomes "Jawa Barat", and re-importing a file changes nothing
(`content_hash`). Every bad field is reported at once, by name, so a user
fixes a row in one pass.

Decisions worth knowing:

* `id` is derived from `external_id` (`customer_id_for`), so the importer can
  BatchGetItem by primary key instead of querying the external_id index per row.
  As a consequence `external_id` can never change on an existing customer.
* `phone` must pass `phonenumbers.is_valid_number` (not just "possible"): a
  number that cannot exist would only fail later, at send time, as a silent
  delivery error. Landlines are accepted as a contact, but a WhatsApp consent
  needs a mobile-capable number, since WhatsApp cannot reach a landline.
* `email` is checked offline (no DNS) and stored in the library's normalised
  form; non-ASCII local parts are refused because SES cannot deliver to them.
* An unknown province is kept as typed and the zone falls back to WIB: losing
  the customer over a typo is worse than a greeting an hour or two off.
* `None` and "" mean "no value" everywhere, so absent attributes are omitted
  from items (sparse GSIs) and hashes do not depend on how emptiness was spelt.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from chalicelib.customers import regions

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

_EXTERNAL_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_ATTRIBUTE_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Separators people type in phone numbers; letters are refused so "0812-CALL-ME"
# and Excel's "6.28123E+12" are not turned into some other valid number.
_PHONE_CHARS = re.compile(r"[0-9+\-().\s]+")
_WHITESPACE = re.compile(r"\s+")
# The latest Indonesian clock (WIT, UTC+9): a baby born today in Jayapura is not "in the future".
_LATEST_ZONE = timezone(timedelta(hours=9))


class InvalidCustomer(ValueError):
    """Raised with every bad field named, e.g. {"phone": "...", "consents.sms": "..."}.

    Messages do not echo the submitted value: they end up in import reports and logs.
    """

    def __init__(self, fields: Mapping[str, str]) -> None:
        self.fields: dict[str, str] = dict(fields)
        super().__init__("; ".join(f"{name}: {problem}" for name, problem in self.fields.items()))


class _Bad(Exception):
    """One field's problem, collected by `validate_customer` into InvalidCustomer."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def customer_id_for(external_id: str) -> str:
    """The primary key for an external_id: "cus_" + 26 base32 chars (130 bits) of its SHA-256.

    Deterministic so imports upsert by key; hashed so the key has a fixed
    length and alphabet whatever the financing system's numbering looks like.
    """
    digest = hashlib.sha256(external_id.encode("utf-8")).digest()
    return "cus_" + base64.b32encode(digest).decode("ascii").lower()[:26]


@dataclass(frozen=True)
class CustomerInput:
    """A validated, normalised customer (or, with `partial`, just the fields a patch sets).

    `provided` names the fields the caller actually sent and `consents_given`
    the consent channels, so an import whose CSV lacks a consent column (or
    leaves its cell empty) changes nothing there instead of withdrawing.
    """

    external_id: str | None = None
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    birth_date: str | None = None
    province: str | None = None
    city: str | None = None
    timezone: str | None = None
    language: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    consents: dict[str, list[str]] = field(default_factory=dict)
    test_recipient: bool | None = None
    provided: frozenset[str] = frozenset()
    consents_given: frozenset[str] = frozenset()
    partial: bool = False

    @property
    def id(self) -> str | None:
        return customer_id_for(self.external_id) if self.external_id else None

    @property
    def birthday_key(self) -> str | None:
        """ "MM-DD#<zone>" for the birthday GSI; the year is dropped so one query finds every age."""
        if not self.birth_date or not self.timezone:
            return None
        return f"{self.birth_date[5:]}#{self.timezone}"

    def public(self) -> dict[str, Any]:
        """The public JSON shape without timestamps (what `content_hash` covers)."""
        return {
            "id": self.id,
            **{name: getattr(self, name) for name in FIELDS if name not in ("attributes", "consents")},
            "attributes": dict(self.attributes),
            "consents": _consents_out(self.consents),
            "test_recipient": bool(self.test_recipient),
        }

    def to_item(self, now: datetime, *, created_at: str | None = None) -> dict[str, Any]:
        """The DynamoDB item. Absent values are omitted so the phone and birthday GSIs stay sparse.

        Pass the stored `created_at` when replacing an existing customer; `now`
        must be timezone-aware so timestamps are never a guess.
        """
        if self.partial or not self.external_id or not self.name:
            raise ValueError("a partial customer cannot become an item; use merge_update() first")
        stamp = _utc_stamp(now)
        item: dict[str, Any] = {
            "id": self.id,
            "external_id": self.external_id,
            "name": self.name,
            "phone": self.phone,
            "email": self.email,
            "birth_date": self.birth_date,
            "birthday_key": self.birthday_key,
            "province": self.province,
            "city": self.city,
            "timezone": self.timezone or regions.DEFAULT_TIMEZONE,
            "language": self.language or DEFAULT_LANGUAGE,
            "attributes": {key: _to_dynamo(value) for key, value in self.attributes.items()},
            "consents": _consents_out(self.consents),
            # Staff's own numbers for campaign tests: a sparse index lists them.
            "test_recipient": True if self.test_recipient else None,
            "test_recipient_key": "test" if self.test_recipient else None,
            "created_at": created_at or stamp,
            "updated_at": stamp,
        }
        return {key: value for key, value in item.items() if value is not None}


def validate_customer(data: Mapping[str, Any], *, partial: bool = False, today: date | None = None) -> CustomerInput:
    """Validate and normalise a customer, raising InvalidCustomer naming every bad field.

    `partial=True` checks only the fields present (a PATCH body, or a PUT whose
    external_id is in the path): nothing is required, defaults are not filled
    in, and cross-field checks run only when both sides are present. To store
    a patch, use `merge_update`, which re-validates the merged record in full.
    `today` is for tests; by default it is today's date on the latest
    Indonesian clock.
    """
    if not isinstance(data, Mapping):
        raise InvalidCustomer({"body": "must be a JSON object"})
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    provided = frozenset(key for key in data if key in FIELDS)

    for key in data:
        if key not in FIELDS and key not in READ_ONLY:
            errors[_field_name(key)] = "unknown field"

    def check(name: str, validator: Any, *args: Any) -> None:
        raw = data.get(name)
        if _is_empty(raw):
            if not partial and name in ("external_id", "name"):
                errors[name] = "is required"
            return
        try:
            values[name] = validator(raw, *args)
        except _Bad as bad:
            errors[name] = bad.message

    check("external_id", _external_id)
    check("name", _text, NAME_MAX)
    check("phone", _phone)
    check("email", _email)
    check("birth_date", _birth_date, today or datetime.now(_LATEST_ZONE).date())
    check("province", _province)
    check("city", _text, PLACE_MAX)
    check("timezone", _timezone)
    check("language", _language)
    check("test_recipient", _flag)
    try:
        values["attributes"] = _attributes(data.get("attributes"))
    except InvalidCustomer as bad:
        errors.update(bad.fields)
    try:
        values["consents"] = _consents(data.get("consents"))
    except InvalidCustomer as bad:
        errors.update(bad.fields)

    phone = values.get("phone")
    if "consents" in values:
        problems = _contact_problems(values["consents"], data, phone, values.get("email"), partial)
        # A bad phone or email is already reported; "requires a phone number" on top would mislead.
        contact_of = {"consents.whatsapp": "phone", "consents.email": "email"}
        errors.update({name: problem for name, problem in problems.items() if contact_of[name] not in errors})

    if errors:
        raise InvalidCustomer(errors)

    number = phone[0] if phone else None
    consents_given = frozenset(values.get("consents") or ())
    if "timezone" not in values and (not partial or "province" in provided):
        values["timezone"] = regions.resolve_timezone(None, data.get("province"))
    if not partial:
        values.setdefault("language", DEFAULT_LANGUAGE)
        values["consents"] = {channel: values["consents"].get(channel, []) for channel in CHANNELS}
    return CustomerInput(
        external_id=values.get("external_id"),
        name=values.get("name"),
        phone=number,
        email=values.get("email"),
        birth_date=values.get("birth_date"),
        province=values.get("province"),
        city=values.get("city"),
        timezone=values.get("timezone"),
        language=values.get("language"),
        attributes=values["attributes"],
        consents=values["consents"],
        test_recipient=values.get("test_recipient"),
        provided=provided,
        consents_given=consents_given,
        partial=partial,
    )


def merge_update(existing: Mapping[str, Any], patch: Mapping[str, Any], *, today: date | None = None) -> CustomerInput:
    """Apply a PATCH to a stored customer (item or public shape) and validate the result in full.

    JSON Merge Patch (RFC 7396) semantics, the least surprising for a PATCH:
    a field given replaces the stored one, null clears it, and `attributes`
    and `consents` merge key by key (`{"consents": {"email": []}}` withdraws
    e-mail consent and leaves WhatsApp alone; an attribute set to null is
    removed). Changing the province without naming a zone re-derives the
    zone, because the customer has moved.
    """
    changes = validate_customer(patch, partial=True, today=today)
    current = customer_from_item(existing)
    if changes.external_id is not None and changes.external_id != current["external_id"]:
        raise InvalidCustomer({"external_id": "cannot be changed; it identifies the customer"})
    merged = {name: current.get(name) for name in FIELDS}
    for name in changes.provided:
        if name in ("attributes", "consents") and isinstance(patch[name], Mapping):
            merged[name] = {**(merged[name] or {}), **patch[name]}
        else:
            merged[name] = patch[name]
    if "province" in changes.provided and "timezone" not in changes.provided:
        merged["timezone"] = None
    return replace(
        validate_customer(merged, today=today), provided=changes.provided, consents_given=changes.consents_given
    )


def customer_from_item(item: Mapping[str, Any]) -> dict[str, Any]:
    """The public JSON shape of a stored item: every field present (null when unset), no GSI keys.

    Decimals become int (or float when fractional) and sets become sorted
    lists, so the result is JSON-serialisable as is.
    """
    external_id = item.get("external_id")
    return {
        "id": item.get("id") or (customer_id_for(external_id) if external_id else None),
        **{name: _plain(item.get(name)) for name in FIELDS if name not in ("attributes", "consents", "test_recipient")},
        "attributes": {str(key): _plain(value) for key, value in (item.get("attributes") or {}).items()},
        "test_recipient": item.get("test_recipient") is True,
        "consents": _consents_out(item.get("consents") or {}),
        "consents_withdrawn": _consents_out(item.get("consents_withdrawn") or {}),
        "created_at": item.get("created_at"),
        "updated_at": item.get("updated_at"),
    }


def content_hash(item: Mapping[str, Any]) -> str:
    """SHA-256 over the customer-visible fields (not id or timestamps) of an item or public dict.

    Key order, Decimal-vs-int, set-vs-list and missing-vs-null do not change
    it, so an import can skip rows identical to what is stored.
    """
    public = customer_from_item(item)
    visible = {name: _canonical(public.get(name)) for name in FIELDS}
    text = json.dumps(visible, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- field validators: return the normalised value or raise _Bad ----------------------------------


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise _Bad("must be a string")
    return value.strip()


def _field_name(key: Any) -> str:
    text = str(key)
    return text if len(text) <= 50 else text[:47] + "..."


def _external_id(value: Any) -> str:
    text = _string(value)
    if not _EXTERNAL_ID.fullmatch(text):
        raise _Bad(f"must be 1-{EXTERNAL_ID_MAX} characters of letters, digits, '.', '_' or '-'")
    return text


def _text(value: Any, limit: int) -> str:
    """Trimmed, NFC, whitespace runs collapsed: WhatsApp template parameters reject newlines and tabs."""
    text = _WHITESPACE.sub(" ", unicodedata.normalize("NFC", _string(value)))
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        raise _Bad("must not contain control characters")
    if len(text) > limit:
        raise _Bad(f"must be at most {limit} characters")
    return text


def _phone(value: Any) -> tuple[str, bool]:
    """(E.164, is_mobile). Region ID by default; "0062..." is read as "+62..."."""
    import phonenumbers  # here, not at the top: ~30 ms of every cold start otherwise

    text = _string(value)
    if not _PHONE_CHARS.fullmatch(text):
        raise _Bad(PHONE_ERROR)
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, "ID")
    except phonenumbers.NumberParseException:
        raise _Bad(PHONE_ERROR) from None
    if not phonenumbers.is_valid_number(number):
        raise _Bad(PHONE_ERROR)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    mobile_types = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
    return e164, phonenumbers.number_type(number) in mobile_types


def _email(value: Any) -> str:
    from email_validator import EmailNotValidError, validate_email  # ~50 ms: only when an e-mail is checked

    text = _string(value)
    try:
        result = validate_email(text, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as error:
        reason = str(error)
        local = text.partition("@")[0]
        if len(local) > 1 and local in reason:  # keep the address itself out of reports and logs
            raise _Bad("not a valid email address") from None
        raise _Bad(f"not a valid email address: {reason}") from None
    return str(result.normalized)


def _date(value: Any) -> date:
    text = _string(value)
    if not _DATE.fullmatch(text):
        raise _Bad(DATE_ERROR)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _Bad(DATE_ERROR) from None


def _birth_date(value: Any, today: date) -> str:
    born = _date(value)
    if born.year < MIN_BIRTH_YEAR:
        raise _Bad(f"must be in {MIN_BIRTH_YEAR} or later")
    if born > today:
        raise _Bad("must not be in the future")
    return born.isoformat()


def _province(value: Any) -> str:
    """The official spelling when known (so segments match), otherwise as typed."""
    text = _text(value, PLACE_MAX)
    return regions.canonical_province(text) or text


def _timezone(value: Any) -> str:
    zone = regions.normalize_timezone(_string(value))
    if zone is None:
        raise _Bad(f"must be one of {', '.join(regions.TIMEZONES)} (or WIB, WITA, WIT)")
    return zone


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Bad("must be true or false")
    return value


def _language(value: Any) -> str:
    text = _string(value).lower()
    if text not in LANGUAGES:
        raise _Bad(f"must be one of {', '.join(LANGUAGES)}")
    return text


def _attributes(raw: Any) -> dict[str, Any]:
    """Segment attributes: scalar or list-of-scalar values; None and "" are dropped as "no value"."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise InvalidCustomer({"attributes": "must be an object"})
    errors: dict[str, str] = {}
    result: dict[str, Any] = {}
    for key, value in raw.items():
        name = f"attributes.{_field_name(key)}"
        if not isinstance(key, str) or not _ATTRIBUTE_KEY.fullmatch(key):
            errors[name] = "key must be a lower-case letter then up to 39 of a-z, 0-9, _"
            continue
        if key in RESERVED_ATTRIBUTE_KEYS:
            errors[name] = "is a customer field, not an attribute"
            continue
        try:
            cleaned = _attribute_value(key, value)
        except _Bad as bad:
            errors[name] = bad.message
            continue
        if cleaned is not None:
            result[key] = cleaned
    if len(result) > MAX_ATTRIBUTES:
        errors["attributes"] = f"at most {MAX_ATTRIBUTES} keys"
    if errors:
        raise InvalidCustomer(errors)
    return result


def _attribute_value(key: str, value: Any) -> Any:
    if _is_empty(value):
        return None
    if key in DATE_ATTRIBUTES:
        return _date(value).isoformat()
    if key in KNOWN_STRING_ATTRIBUTES:
        text = _text(value, ATTRIBUTE_STRING_MAX)
        # "Paid Off", "paid-off" and "paid_off" are one status to a segment.
        return re.sub(r"[\s-]+", "_", text.lower()) if key == "contract_status" else text
    if isinstance(value, list):
        if len(value) > ATTRIBUTE_LIST_MAX:
            raise _Bad(f"lists may hold at most {ATTRIBUTE_LIST_MAX} values")
        items = []
        for element in value:
            if element is None or isinstance(element, (list, dict)):
                raise _Bad("list values must be strings, numbers or booleans")
            items.append(_scalar(element))
        return items
    return _scalar(value)


def _scalar(value: Any) -> str | int | float | bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip()
        if len(text) > ATTRIBUTE_STRING_MAX:
            raise _Bad(f"must be at most {ATTRIBUTE_STRING_MAX} characters")
        return text
    if isinstance(value, int):
        if abs(value) >= 10**38:  # DynamoDB's number precision
            raise _Bad("number is too large")
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _Bad("must be a finite number")
        return value
    raise _Bad("must be a string, number, boolean, null or a list of those")


def _consents(raw: Any) -> dict[str, list[str]]:
    """channel -> sorted, de-duplicated purposes. Only the channels given; the caller fills the rest."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise InvalidCustomer({"consents": "must be an object of channel -> list of purposes"})
    errors: dict[str, str] = {}
    result: dict[str, list[str]] = {}
    for channel, purposes in raw.items():
        name = f"consents.{_field_name(channel)}"
        if channel not in CHANNELS:
            errors[name] = f"unknown channel; expected one of {', '.join(CHANNELS)}"
            continue
        if purposes is None:
            result[channel] = []
            continue
        if not isinstance(purposes, (list, tuple, set, frozenset)):
            errors[name] = "must be a list of purposes"
            continue
        if not all(isinstance(p, str) and p.strip().lower() in PURPOSES for p in purposes):
            errors[name] = f"unknown purpose; expected any of {', '.join(PURPOSES)}"
            continue
        result[channel] = sorted({purpose.strip().lower() for purpose in purposes})
    if errors:
        raise InvalidCustomer(errors)
    return result


def _contact_problems(
    consents: Mapping[str, list[str]],
    data: Mapping[str, Any],
    phone: tuple[str, bool] | None,
    email: str | None,
    partial: bool,
) -> dict[str, str]:
    """A consent is only usable with a contact to send to; refuse it rather than store a dead promise."""
    problems: dict[str, str] = {}
    if consents.get("whatsapp") and (not partial or "phone" in data):
        if phone is None:
            problems["consents.whatsapp"] = "requires a phone number"
        elif not phone[1]:
            problems["consents.whatsapp"] = "requires a mobile phone number; WhatsApp cannot reach a landline"
    if consents.get("email") and (not partial or "email" in data) and email is None:
        problems["consents.email"] = "requires an email address"
    return problems


# --- item mapping helpers -------------------------------------------------------------------------


def _utc_stamp(now: datetime) -> str:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware (use datetime.now(UTC))")
    return now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _to_dynamo(value: Any) -> Any:
    """boto3 refuses floats; Decimal(str(x)) keeps the value the user typed (1.1, not 1.100000000000000088)."""
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, list):
        return [_to_dynamo(element) for element in value]
    return value


def _plain(value: Any) -> Any:
    """DynamoDB's types back to JSON ones: Decimal -> int/float, set -> sorted list."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (set, frozenset)):
        return sorted((_plain(element) for element in value), key=str)
    if isinstance(value, (list, tuple)):
        return [_plain(element) for element in value]
    if isinstance(value, Mapping):
        return {str(key): _plain(element) for key, element in value.items()}
    return value


def _canonical(value: Any) -> Any:
    """`_plain` plus integral floats as ints, so 2.0 typed in JSON hashes like 2 read back from DynamoDB."""
    value = _plain(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_canonical(element) for element in value]
    if isinstance(value, dict):
        return {key: _canonical(element) for key, element in value.items()}
    return value


def _consents_out(consents: Mapping[str, Any]) -> dict[str, list[str]]:
    """Both channels, purposes sorted: one shape whatever was stored (lists, sets, or nothing)."""
    return {channel: sorted(str(p) for p in (consents.get(channel) or ())) for channel in CHANNELS}
