"""The contracts context's collaborators: the contract store and service, on the holiday calendar.

The service tells the journeys (through the fan-out queue) when a contract is approved, paid off or terminated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.contracts.service import ContractService
from chalicelib.contracts.store import ContractStore

if TYPE_CHECKING:  # pragma: no cover - typing only
    from chalicelib.wiring.container import Container


class ContractsWiring:
    def __init__(self, root: Container) -> None:
        self.root = root

    def store(self) -> ContractStore:
        return ContractStore(self.root.table("contracts"))

    def service(self) -> ContractService:
        """Pay-by dates move before the holidays of the calendar the contact policy uses (overrides included)."""
        return ContractService(
            store=self.store(),
            customer=self.root.customers.repository().get,
            is_day_off=self.root.outbound.national_holidays(),
            clock=self.root.now,
            audit=self.root.customers.audit().record,
            observe=self.root.journeys.tell_contract_event,  # approvals, payoffs, terminations, via the fan-out
        )
