"""Finding customers: by what staff type into one box, narrowed by filters, a page at a time.

Exact look-ups go to a key or an index and cost one read each: the external id
is the primary key (`customer_id_for`), a phone number in any notation is
normalised to E.164 and read from `phone-index`, an e-mail address from
`email-index`. Everything else (a part of a name, a city, a consent) has no
index that could serve it, so it pages through the table: one Scan page after
another, each item judged here, the cursor pointing at the last item returned,
so no request holds more than a page and a long search resumes where it
stopped. Judging in Python rather than in a FilterExpression costs the same
reads (DynamoDB bills a filtered Scan by what it read) and lets names and
cities match case-insensitively, which DynamoDB's `contains` cannot.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.customers.model import InvalidCustomer, validate_customer
from chalicelib.customers.repository import CustomerRepository

SCAN_PAGE = 500
"""Items read per Scan request while a search pages through the table."""
SCAN_BUDGET = 5000
"""Most items one search request reads before it answers with what it found and a cursor to go on."""
VEHICLE_ATTRIBUTES = ("vehicle_brand", "vehicle_model", "vehicle")
"""The attributes a vehicle filter reads ("toyota", "avanza", "Toyota Avanza")."""


@dataclass(frozen=True)
class CustomerFilters:
    """A search, already validated and normalised (see `schemas.CustomerListQuery`).

    `phone` is E.164 when given; `zone` an IANA zone; `consent` a (channel,
    purpose) pair; `attribute` a (key, value) pair.
    """

    q: str | None = None
    phone: str | None = None
    external_id: str | None = None
    email: str | None = None
    province: str | None = None
    zone: str | None = None
    consent: tuple[str, str] | None = None
    city: str | None = None
    vehicle: str | None = None
    attribute: tuple[str, str] | None = None

    def used(self) -> list[str]:
        """The names of the filters set (what an audit entry may say: never their values)."""
        return [name for name in self.__dataclass_fields__ if getattr(self, name) not in (None, "")]


def _fold(value: Any) -> str:
    return " ".join(str(value).split()).casefold() if value is not None else ""


def matches(item: Mapping[str, Any], filters: CustomerFilters, *, with_q: bool = True) -> bool:
    """True when a stored customer item passes every filter (and, with `with_q`, the name part of `q`)."""
    if with_q and filters.q and _fold(filters.q) not in _fold(item.get("name")):
        return False
    if filters.province and _fold(item.get("province")) != _fold(filters.province):
        return False
    if filters.zone and item.get("timezone") != filters.zone:
        return False
    if filters.city and _fold(item.get("city")) != _fold(filters.city):
        return False
    attributes: Mapping[str, Any] = item.get("attributes") or {}
    if filters.vehicle:
        vehicle = " ".join(str(attributes[key]) for key in VEHICLE_ATTRIBUTES if attributes.get(key))
        if _fold(filters.vehicle) not in _fold(vehicle):
            return False
    if filters.attribute:
        key, value = filters.attribute
        if key not in attributes or _fold(attributes[key]) != _fold(value):
            return False
    if filters.consent:
        channel, purpose = filters.consent
        if purpose not in set((item.get("consents") or {}).get(channel) or ()):
            return False
    return True


def normalised(kind: str, text: str) -> str | None:
    """A phone number or e-mail address as the record stores it ("0812-..." -> "+62812..."), or None."""
    try:
        value = getattr(validate_customer({kind: text}, partial=True), kind)
    except InvalidCustomer:
        return None
    return str(value) if value else None


class CustomerSearch:
    """One search's pages: exact look-ups first, otherwise the table paged through with the filters."""

    def __init__(self, repository: CustomerRepository) -> None:
        self.repository = repository

    def exact(self, filters: CustomerFilters) -> list[dict[str, Any]] | None:
        """The customers an exact key names (phone, external id, e-mail, or `q` read as any of them), or None.

        None means no exact key was given, or `q` named nobody exactly and is to be read as part of a name.
        """
        if filters.phone or filters.external_id or filters.email:
            found: dict[str, dict[str, Any]] = {}
            if filters.external_id:
                item = self.repository.by_external_id(filters.external_id)
                found.update({str(item["id"]): item} if item else {})
            if filters.phone:
                found.update({str(i["id"]): i for i in self.repository.by_phone(filters.phone)})
            if filters.email:
                found.update({str(i["id"]): i for i in self.repository.by_email(filters.email)})
            return [item for item in found.values() if matches(item, filters)]
        if not filters.q:
            return None
        found = {}
        text = filters.q.strip()
        item = self.repository.by_external_id(text)
        if item:
            found[str(item["id"])] = item
        if "@" in text:
            email = normalised("email", text)
            if email:
                found.update({str(i["id"]): i for i in self.repository.by_email(email)})
        elif sum(ch.isdigit() for ch in text) >= 6:
            phone = normalised("phone", text)
            if phone:
                found.update({str(i["id"]): i for i in self.repository.by_phone(phone)})
        if not found:
            return None
        return [item for item in found.values() if matches(item, filters, with_q=False)]

    def page(
        self, filters: CustomerFilters, limit: int, start: dict[str, Any] | None
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """One page of matches and the key to resume after (None on the last page).

        A page may hold fewer than `limit` customers and still have a next
        cursor: the request stops after `SCAN_BUDGET` items read, so a rare
        match never makes one request read the whole table.
        """
        exact = None if start else self.exact(filters)
        if exact is not None:
            return exact[:limit], None
        found: list[dict[str, Any]] = []
        read = 0
        key = start
        while True:
            items, last = self.repository.page(min(SCAN_PAGE, SCAN_BUDGET - read), key)
            read += len(items)
            for item in items:
                if matches(item, filters):
                    found.append(item)
                    if len(found) == limit:
                        return found, {"id": item["id"]}
            if last is None:
                return found, None
            key = last
            if read >= SCAN_BUDGET:
                return found, dict(last)
