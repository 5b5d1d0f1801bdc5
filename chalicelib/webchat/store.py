"""The webchat table: every item's key and shape, and the few ways the chat reads and writes them.

pk                          sk        what                                                 TTL
conn#<connection id>        conn      an open socket: site, hashed IP, its visitor          2 h after connect
visitor#<visitor id>        visitor   a visitor: site, language, pre-chat name/contact and  180 days after the
                                      the consent record shown, the customer a portal       last activity
                                      sign-in tied them to
rate#<scope>#<minute>       rate      a fixed-window counter (connections per IP,           2 minutes
                                      messages per socket)

IPs are kept only as salted hashes. `visitor` on a socket (visitor-index) finds
where to push a reply; `customer_id` on a visitor (customer-index) finds what
to erase with the customer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from boto3.dynamodb.conditions import Key

CONNECTION_TTL = timedelta(hours=2, minutes=5)  # API Gateway ends a connection after 2 hours
VISITOR_TTL = timedelta(days=180)
RATE_TTL = timedelta(minutes=2)


def _epoch(at: datetime) -> int:
    return int(at.timestamp())


@dataclass(frozen=True)
class Consent:
    """The follow-up consent a visitor gave (or refused) in the pre-chat form, with the words they saw."""

    granted: bool
    channel: str  # whatsapp or email: the contact they left
    wording: str
    version: str
    language: str
    at: str

    def item(self) -> dict[str, Any]:
        return {
            "granted": self.granted,
            "how": "web_chat",
            "channel": self.channel,
            "purpose": "follow_up",
            "wording": self.wording,
            "version": self.version,
            "language": self.language,
            "at": self.at,
        }


class WebchatStore:
    def __init__(self, table: Any) -> None:
        self.table = table

    # -- sockets ---------------------------------------------------------------------------------------------
    def open_connection(self, connection_id: str, site: str, ip_hash: str, now: datetime) -> None:
        self.table.put_item(
            Item={
                "pk": f"conn#{connection_id}",
                "sk": "conn",
                "site": site,
                "ip_hash": ip_hash,
                "connected_at": now.isoformat(),
                "expires_at": _epoch(now + CONNECTION_TTL),
            }
        )

    def connection(self, connection_id: str) -> dict[str, Any] | None:
        return self.table.get_item(Key={"pk": f"conn#{connection_id}", "sk": "conn"}, ConsistentRead=True).get("Item")

    def attach(self, connection_id: str, visitor: str, language: str) -> None:
        """The socket said hello as this visitor: replies to the visitor are pushed to it from now on."""
        self.table.update_item(
            Key={"pk": f"conn#{connection_id}", "sk": "conn"},
            UpdateExpression="SET visitor = :v, #lang = :l",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeNames={"#lang": "language"},
            ExpressionAttributeValues={":v": visitor, ":l": language},
        )

    def close_connection(self, connection_id: str) -> None:
        self.table.delete_item(Key={"pk": f"conn#{connection_id}", "sk": "conn"})

    def connections_of(self, visitor: str) -> list[str]:
        result = self.table.query(IndexName="visitor-index", KeyConditionExpression=Key("visitor").eq(visitor))
        return [str(item["pk"]).removeprefix("conn#") for item in result["Items"]]

    # -- visitors --------------------------------------------------------------------------------------------
    def visitor(self, visitor: str) -> dict[str, Any] | None:
        return self.table.get_item(Key={"pk": f"visitor#{visitor}", "sk": "visitor"}, ConsistentRead=True).get("Item")

    def save_visitor(self, visitor: str, fields: Mapping[str, Any], now: datetime) -> dict[str, Any]:
        """Create or update a visitor; every write moves its expiry 180 days past now."""
        values = {k: v for k, v in fields.items() if v is not None}
        values["updated_at"] = now.isoformat()
        values["expires_at"] = _epoch(now + VISITOR_TTL)
        names = {f"#f{i}": name for i, name in enumerate(values)}
        sets = ", ".join(f"#f{i} = :f{i}" for i in range(len(values)))
        result = self.table.update_item(
            Key={"pk": f"visitor#{visitor}", "sk": "visitor"},
            UpdateExpression=f"SET {sets}, created_at = if_not_exists(created_at, :now)",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues={**{f":f{i}": v for i, v in enumerate(values.values())}, ":now": now.isoformat()},
            ReturnValues="ALL_NEW",
        )
        return dict(result["Attributes"])

    def delete_visitor(self, visitor: str) -> None:
        self.table.delete_item(Key={"pk": f"visitor#{visitor}", "sk": "visitor"})

    def visitors_of_customer(self, customer_id: str) -> list[str]:
        result = self.table.query(IndexName="customer-index", KeyConditionExpression=Key("customer_id").eq(customer_id))
        return [str(item["pk"]).removeprefix("visitor#") for item in result["Items"]]

    # -- rate windows ------------------------------------------------------------------------------------------
    def count(self, scope: str, now: datetime) -> int:
        """Add one to this minute's counter for the scope; the new count."""
        minute = now.strftime("%Y%m%d%H%M")
        result = self.table.update_item(
            Key={"pk": f"rate#{scope}#{minute}", "sk": "rate"},
            UpdateExpression="ADD hits :one SET expires_at = if_not_exists(expires_at, :ttl)",
            ExpressionAttributeValues={":one": 1, ":ttl": _epoch(now + RATE_TTL)},
            ReturnValues="UPDATED_NEW",
        )
        return int(result["Attributes"]["hits"])


def erase_visitors(table: Any) -> Any:
    """An eraser for CustomerService: (customer id, now) -> the website chat visitors tied to the customer, deleted.

    Their words are in the scrm table (erased there with the customer's conversations); what is here is the
    pre-chat name and contact and the consent record, tied to the customer by a portal sign-in.
    """
    store = WebchatStore(table)

    def erase(customer_id: str, _now: datetime) -> int:
        visitors = store.visitors_of_customer(customer_id)
        for visitor in visitors:
            store.delete_visitor(visitor)
        return len(visitors)

    return erase
