"""Consent: what a customer agreed to, what they took back, and the proof of both.

UU PDP (Law 27/2022) Pasal 22 and 24 ask the controller to prove consent and
honour its withdrawal, so every grant and withdrawal is appended to a history
with when, how, by whom and the evidence; the customer item holds only the
current state, written in the same transaction as its history entries so the
two always agree.

A withdrawal that came from the customer (WhatsApp STOP/BERHENTI, the
unsubscribe link, an e-mail complaint or hard bounce, a withdrawal staff
recorded on the customer's word, erasure) is final: it is remembered in
`consents_withdrawn`, and no bulk path (a CSV import, a `PUT` from the
financing system) can grant that purpose again. Only a new explicit act
lifts it: the customer opting in (WhatsApp MULAI/START, the web form, a reply
to a consent request) or staff recording consent for one customer with the
evidence (`staff_recorded`).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from boto3.dynamodb.conditions import Key

CHANNELS = ("whatsapp", "email")
PURPOSES = ("greetings", "promotions")

# How a consent change came about. Withdrawals by these are the customer's own word and are final for bulk paths.
CUSTOMER_WITHDRAWALS: frozenset[str] = frozenset(
    {
        "whatsapp_keyword",  # STOP / BERHENTI
        "unsubscribe_link",  # the signed link in every e-mail (RFC 8058)
        "web_form",  # the consent page behind that link
        "consent_reply",  # "no" to a consent request
        "email_complaint",  # the customer marked a message as spam
        "email_bounce",  # the address is gone: SES hard bounce
        "erasure",  # UU PDP erasure
        "staff_recorded",  # the customer told staff (phone, branch), recorded with evidence
    }
)
# Grants that are a new, explicit act: they lift an earlier withdrawal.
EXPLICIT_GRANTS: frozenset[str] = frozenset({"whatsapp_keyword", "web_form", "consent_reply", "staff_recorded"})
# Bulk paths: may grant what the customer never withdrew, and withdraw anything, but never restore a withdrawal.
BULK = frozenset({"import", "api"})

Consents = dict[str, list[str]]


@dataclass(frozen=True)
class ConsentChange:
    channel: str
    purpose: str
    granted: bool


@dataclass(frozen=True)
class ConsentAct:
    """Who changed consent and how: the proof UU PDP asks for."""

    how: str
    by: str
    evidence: str | None = None

    @property
    def is_customer_withdrawal(self) -> bool:
        return self.how in CUSTOMER_WITHDRAWALS

    @property
    def is_explicit_grant(self) -> bool:
        return self.how in EXPLICIT_GRANTS


@dataclass(frozen=True)
class ConsentState:
    """A customer's consents and the purposes the customer withdrew (which bulk paths cannot grant)."""

    consents: Consents
    withdrawn: Consents

    @classmethod
    def of(cls, item: Mapping[str, Any] | None) -> ConsentState:
        item = item or {}
        return cls(_normalise(item.get("consents")), _normalise(item.get("consents_withdrawn")))

    def attributes(self) -> dict[str, Any]:
        """The item attributes; `consents_withdrawn` is omitted when nothing is withdrawn."""
        withdrawn = {channel: purposes for channel, purposes in self.withdrawn.items() if purposes}
        return {"consents": dict(self.consents), "consents_withdrawn": withdrawn or None}


def _normalise(raw: Any) -> Consents:
    raw = raw if isinstance(raw, Mapping) else {}
    return {channel: sorted({str(p) for p in (raw.get(channel) or ())}) for channel in CHANNELS}


def diff(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> list[ConsentChange]:
    """What changed between two `consents` maps, purpose by purpose."""
    changes = []
    for channel in CHANNELS:
        old = set((before or {}).get(channel) or ())
        new = set((after or {}).get(channel) or ())
        changes += [ConsentChange(channel, p, True) for p in sorted(new - old)]
        changes += [ConsentChange(channel, p, False) for p in sorted(old - new)]
    return changes


def allows(consents: Mapping[str, Any] | None, channel: str, purpose: str) -> bool:
    return purpose in ((consents or {}).get(channel) or ())


def merge_bulk(
    state: ConsentState, given: Mapping[str, Iterable[str]], blocked_channels: Iterable[str] = ()
) -> tuple[ConsentState, Consents]:
    """Apply consents from a bulk path (import, financing system): (new state, what was kept withdrawn).

    A channel not given keeps its consents. A channel given is set to what was
    given, except purposes the customer withdrew and every purpose of a
    suppressed contact (erased, bounced, complained): those stay withdrawn and
    are reported, so the sender of the file learns why.
    """
    blocked = set(blocked_channels)
    consents = dict(state.consents)
    kept: Consents = {}
    for channel, purposes in given.items():
        wanted = set(purposes)
        refused = wanted & (set(PURPOSES) if channel in blocked else set(state.withdrawn.get(channel, ())))
        consents[channel] = sorted(wanted - refused)
        if refused:
            kept[channel] = sorted(refused)
    return ConsentState(consents, state.withdrawn), kept


def apply_act(
    state: ConsentState, channel: str, purposes: Iterable[str], granted: bool, act: ConsentAct
) -> ConsentState:
    """One explicit change for one customer: a grant lifts the customer's withdrawal, their withdrawal is final."""
    chosen = set(purposes)
    consents = {ch: list(p) for ch, p in state.consents.items()}
    withdrawn = {ch: list(p) for ch, p in state.withdrawn.items()}
    if granted:
        consents[channel] = sorted(set(consents.get(channel, ())) | chosen)
        withdrawn[channel] = sorted(set(withdrawn.get(channel, ())) - chosen)
    else:
        consents[channel] = sorted(set(consents.get(channel, ())) - chosen)
        if act.is_customer_withdrawal:
            withdrawn[channel] = sorted(set(withdrawn.get(channel, ())) | chosen)
    return ConsentState(consents, withdrawn)


def fold(history: Iterable[Mapping[str, Any]]) -> Consents:
    """The consents a history (oldest first) adds up to: what `GET /customers/{id}/consents` proves."""
    state: dict[str, set[str]] = {channel: set() for channel in CHANNELS}
    for entry in history:
        purposes = state.setdefault(str(entry["channel"]), set())
        if entry["granted"]:
            purposes.add(str(entry["purpose"]))
        else:
            purposes.discard(str(entry["purpose"]))
    return {channel: sorted(purposes) for channel, purposes in state.items()}


HISTORY_FIELDS = ("channel", "purpose", "granted", "how", "by", "evidence", "at")


class ConsentLedger:
    """The append-only history: one item per grant or withdrawal under `customer#<id>`, sorted by time."""

    def __init__(self, table: Any) -> None:
        self.table = table

    def entries(
        self, customer_id: str, changes: list[ConsentChange], act: ConsentAct, now: datetime
    ) -> list[dict[str, Any]]:
        """The items to append for these changes (written by the caller, in the customer's transaction)."""
        at = now.isoformat()
        # Nanoseconds after the timestamp keep acts in the order they happened even within one clock tick.
        sequence = f"{time.time_ns():020d}"
        items = []
        for index, change in enumerate(changes):
            item = {
                "pk": f"customer#{customer_id}",
                "sk": f"{at}#{sequence}{index:02d}#{change.channel}#{change.purpose}",
                "channel": change.channel,
                "purpose": change.purpose,
                "granted": change.granted,
                "how": act.how,
                "by": act.by,
                "at": at,
            }
            if act.evidence:
                item["evidence"] = act.evidence
            items.append(item)
        return items

    def history(self, customer_id: str, *, newest_first: bool = True) -> list[dict[str, Any]]:
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": Key("pk").eq(f"customer#{customer_id}"),
            "ScanIndexForward": not newest_first,
            "ConsistentRead": True,
        }
        entries: list[dict[str, Any]] = []
        while True:
            result = self.table.query(**kwargs)
            entries += [{k: item.get(k) for k in HISTORY_FIELDS} for item in result["Items"]]
            if "LastEvaluatedKey" not in result:
                return entries
            kwargs["ExclusiveStartKey"] = result["LastEvaluatedKey"]


def reachable_for_contract(customer: Mapping[str, Any] | None, channel: str) -> bool:
    """May a message that rests on the contract (a reminder, a service notice) use this channel?

    Such messages need no marketing consent, but never go where the customer withdrew: a channel on which
    they withdrew something and hold nothing any more (BERHENTI on WhatsApp, an unsubscribe from every
    e-mail, a complaint, a hard bounce). WhatsApp also needs some opt-in there: Meta allows
    business-initiated messages only to those who opted in.
    """
    if not customer:
        return False
    contact = customer.get("phone") if channel == "whatsapp" else customer.get("email")
    if not contact or channel not in CHANNELS:
        return False
    state = ConsentState.of(customer)
    if state.consents.get(channel):
        return True
    return channel == "email" and not state.withdrawn.get(channel)
