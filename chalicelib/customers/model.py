"""The customer record: validation, normalisation and the DynamoDB item shape.

One function, `validate_customer`, decides what a customer may look like, for
the API and the CSV import alike (its field checks are the pydantic model
`chalicelib.customers.validation.CustomerBody`, which the OpenAPI document
shows as the request), so both store the same bytes for the same
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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from chalicelib.customers import regions
from chalicelib.customers.fields import CHANNELS, DEFAULT_LANGUAGE, FIELDS, LATEST_ZONE
from chalicelib.customers.fields import DATE_ERROR as DATE_ERROR  # re-exported: callers name the messages here
from chalicelib.customers.fields import PHONE_ERROR as PHONE_ERROR


class InvalidCustomer(ValueError):
    """Raised with every bad field named, e.g. {"phone": "...", "consents.sms": "..."}.

    Messages do not echo the submitted value: they end up in import reports and logs.
    """

    def __init__(self, fields: Mapping[str, str]) -> None:
        self.fields: dict[str, str] = dict(fields)
        super().__init__("; ".join(f"{name}: {problem}" for name, problem in self.fields.items()))


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
            # The e-mail index's key: staff type an address in whatever case the customer wrote it.
            "email_key": self.email.lower() if self.email else None,
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

    The checks are `chalicelib.customers.validation.CustomerBody`'s (pydantic,
    imported here so a cold start does not pay for it). `partial=True` checks
    only the fields present (a PATCH body, or a PUT whose external_id is in
    the path): nothing is required, defaults are not filled in, and cross-field
    checks run only when both sides are present. To store a patch, use
    `merge_update`, which re-validates the merged record in full. `today` is
    for tests; by default it is today's date on the latest Indonesian clock.
    """
    body_model, validation_error, fields_of = _validation()
    if not isinstance(data, Mapping):
        raise InvalidCustomer({"body": "must be a JSON object"})
    sent = frozenset(data)
    context = {"partial": partial, "today": today or datetime.now(LATEST_ZONE).date(), "sent": sent}
    try:
        body = body_model.model_validate(data, context=context)
    except validation_error as error:
        raise InvalidCustomer(fields_of(error)) from None

    zone = body.timezone
    if zone is None and (not partial or "province" in sent):
        zone = regions.resolve_timezone(None, body.province)
    consents = body.consents
    language = body.language
    if not partial:
        language = language or DEFAULT_LANGUAGE
        consents = {channel: consents.get(channel, []) for channel in CHANNELS}
    return CustomerInput(
        external_id=body.external_id,
        name=body.name,
        phone=str(body.phone) if body.phone is not None else None,
        email=body.email,
        birth_date=body.birth_date,
        province=body.province,
        city=body.city,
        timezone=zone,
        language=language,
        attributes=body.attributes,
        consents=consents,
        test_recipient=body.test_recipient,
        provided=frozenset(key for key in sent if key in FIELDS),
        consents_given=frozenset(body.consents),
        partial=partial,
    )


@cache
def _validation() -> tuple[Any, type[Exception], Callable[[Any], dict[str, str]]]:
    """The model, pydantic's error and its translation: imported on the first validation, not at a cold start.

    Cached so the import validates a row with no per-row import statements.
    """
    from pydantic import ValidationError

    from chalicelib.core.errors import pydantic_fields
    from chalicelib.customers.validation import CustomerBody

    return CustomerBody, ValidationError, pydantic_fields


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
