"""The sender's reminder gate: a reminder for an installment paid (or a contract closed) since it was queued ends.

A payment removes the installment's `due_key` in the transaction that
settles it, and a contract paid off or terminated is rewritten without one;
a service date acted on (BPKB picked up, a new tax date) loses its item or
its date. The sender reads that item in its one consistent BatchGetItem
right after claiming the message, so a reminder waiting in the queue, or
parked overnight until the contact window opens, is cancelled, never sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.contracts.store import contract_pk, installment_sk
from chalicelib.outbound.delivery import Cancel, ItemKey, Verdict
from chalicelib.outbound.envelope import Envelope

OCCASIONS = ("reminder", "service")


class ReminderGate:
    def __init__(self, table_name: str) -> None:
        self.table_name = table_name  # the contracts table

    def probe(self, envelope: Envelope) -> ItemKey | None:
        contract_no = envelope.extra.get("contract_no")
        if envelope.occasion not in OCCASIONS or not contract_no:
            return None
        if envelope.occasion == "reminder":
            sk = installment_sk(int(envelope.extra.get("installment_no") or 0))
        else:
            sk = f"svc#{envelope.extra.get('service')}"
        key = {"pk": contract_pk(str(contract_no)), "sk": sk}
        return ItemKey.of(self.table_name, key, ("due_key", "status", "date"))

    def verdict(self, envelope: Envelope, item: Mapping[str, Any] | None) -> Verdict | None:
        if item is None:
            return Cancel("contract closed" if envelope.occasion == "reminder" else "service done")
        if envelope.occasion == "reminder":
            if item.get("status") == "paid":
                return Cancel("installment paid")
            if not item.get("due_key"):
                return Cancel("contract closed")
            return None
        if str(item.get("date")) != str(envelope.extra.get("service_date")) or not item.get("due_key"):
            return Cancel("service done")
        return None
