"""`POST /payments`: a batch of payments from the financing system marks installments paid.

Idempotent by `payment_id`: the payment's record and its amount on the
installment are one transaction conditioned on the id being new, so a batch
sent twice (or retried after a timeout) adds each payment once. When the
payments of an installment cover its amount it is settled: its `due-index`
key goes, so no later reminder run finds it, and the sender checks the
installment before sending a reminder already queued for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.contracts.store import ContractStore


@dataclass
class PaymentReport:
    recorded: int = 0
    duplicates: int = 0
    settled: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)

    def body(self) -> dict[str, Any]:
        return {
            "recorded": self.recorded,
            "duplicates": self.duplicates,
            "settled": self.settled,
            "rejected": self.rejected,
        }


def record_payments(
    payments: Iterable[dict[str, Any]], store: ContractStore, clock: Callable[[], datetime]
) -> PaymentReport:
    """Each payment recorded once; one for an installment Sapa does not have is rejected, the others go on."""
    report = PaymentReport()
    for index, payment in enumerate(payments):
        try:
            new = store.record_payment(payment, clock())
        except LookupError:
            report.rejected.append(
                {
                    "index": index,
                    "payment_id": payment["payment_id"],
                    "errors": {"installment_no": "no such installment"},
                }
            )
            continue
        if new:
            report.recorded += 1
        else:
            report.duplicates += 1
        # Also on a duplicate: a retry after a crash between the two writes settles what the first one paid.
        if store.settle(str(payment["contract_no"]), int(payment["installment_no"]), clock()):
            report.settled += 1
    return report
