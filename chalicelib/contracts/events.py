"""What happened to a contract, told to whoever listens (the journeys, through the wiring).

The contracts context knows nothing of journeys: it says that a contract was
approved (created active), paid off or terminated, with its terms, to an
observer injected into `ContractService`. A rewrite that changes nothing,
or keeps the status, tells nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

ContractEventKind = Literal["contract_approved", "paid_off", "terminated"]


@dataclass(frozen=True)
class ContractEvent:
    kind: ContractEventKind
    contract_no: str
    customer_id: str
    at: datetime
    contract: Mapping[str, Any] = field(default_factory=dict)
    """The contract's fields as stored (JSON values: dates as YYYY-MM-DD)."""


ContractObserver = Callable[[ContractEvent], None]
"""Hears each event once the write is stored; it must not lose it (a queue), and may raise to say it could not."""


def transition(before: str | None, after: str) -> list[ContractEventKind]:
    """The events of a status change: `before` is None for a new contract."""
    if before == after:
        return []
    if before is None and after == "active":
        return ["contract_approved"]
    if after == "paid_off" and before in (None, "active"):
        return ["paid_off"]
    if after == "terminated" and before in (None, "active"):
        return ["terminated"]
    return []
