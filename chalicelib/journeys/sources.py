"""Date events read from an index, never a scan: birthdays, and contracts' anniversaries.

`birth_date` is the one customer date with an index ("MM-DD#zone",
`birthday-index`), so a day's birthdays are a few queries. Another attribute
date (a custom field such as `wedding_date`) has no index: its journeys need
one before they can run (a sparse `<field>_key` = "MM-DD#zone" attribute and
GSI, as the birthday's), and until then `AttributeDates` reports the field
as unindexed rather than scanning the table every day.

A contract's anniversary is its start date's: the contracts' sparse
`anniversary-index` ("MM-DD#zone" on active contracts only) gives a day's
contracts in a few queries. A contract started on 29 February has its
anniversary on 28 February in other years, as a birthday does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime, time
from typing import Any

from chalicelib.core.observability import logger
from chalicelib.core.zones import ZONES, tzinfo_for
from chalicelib.greetings.birthdays import birthday_keys_for
from chalicelib.journeys.contract_events import contract_facts
from chalicelib.journeys.events import JourneyEvent

INDEXED_FIELDS = ("birth_date",)


class AttributeDates:
    """The attribute-date events of a local day, one per customer whose date it is, at 00:00 of their zone."""

    def __init__(self, birthdays: Callable[[str], Iterable[Mapping[str, Any]]], fields: Iterable[str]) -> None:
        self.birthdays = birthdays  # customers.repository.birthdays: one birthday-index key's customers
        self.fields = tuple(fields)  # the attribute_date fields active journeys follow

    def events_on(self, day: date, at: datetime) -> Iterator[JourneyEvent]:
        for field_name in self.fields:
            if field_name not in INDEXED_FIELDS:
                logger.warning("journey date field has no index", extra={"field": field_name})
                continue
            for zone in ZONES:
                midnight = datetime.combine(day, time(0), tzinfo_for(zone))
                for key in birthday_keys_for(day, zone):
                    for customer in self.birthdays(key):
                        yield JourneyEvent(
                            kind="attribute_date",
                            customer_id=str(customer["id"]),
                            at=midnight,
                            facts={"field": field_name},
                        )


class ContractAnniversaries:
    """A `contract_anniversary` event per active contract a whole number of years old that day, at 00:00 local."""

    def __init__(self, anniversaries: Callable[[str], Iterable[Mapping[str, Any]]]) -> None:
        self.anniversaries = anniversaries  # contracts.store.anniversaries: one anniversary-index key's contracts

    def events_on(self, day: date, at: datetime) -> Iterator[JourneyEvent]:
        for zone in ZONES:
            midnight = datetime.combine(day, time(0), tzinfo_for(zone))
            for key in birthday_keys_for(day, zone):
                for contract in self.anniversaries(key):
                    years = day.year - date.fromisoformat(str(contract["start_date"])).year
                    if years < 1 or contract.get("status") != "active":
                        continue
                    yield JourneyEvent(
                        kind="contract_anniversary",
                        customer_id=str(contract["customer_id"]),
                        at=midnight,
                        contract_no=str(contract["contract_no"]),
                        facts={**contract_facts(contract), "years": years},
                    )
