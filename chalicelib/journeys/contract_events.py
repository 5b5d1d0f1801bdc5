"""The contracts' events as journey events, and as the fan-out job that carries them.

A contract approved, paid off or terminated reaches the journeys through the
fan-out queue, not in the request that wrote it: the job is kept until the
engine took it (a failure is retried, poison ends in the DLQ), and the
engine enrols once per journey, customer and contract, so a redelivered job
repeats nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from chalicelib.contracts.events import ContractEvent
from chalicelib.journeys.events import FACT_KEYS, JourneyEvent

JOB_KIND = "journey_event"


def vehicle_text(vehicle: Any) -> str | None:
    """ "Toyota Avanza B 1234 XY": how the templates name the vehicle (its BPKB, its insurance)."""
    if not isinstance(vehicle, Mapping):
        return str(vehicle) if vehicle else None
    parts = [vehicle.get("brand"), vehicle.get("model"), vehicle.get("plate")]
    return " ".join(str(p) for p in parts if p) or None


def contract_facts(contract: Mapping[str, Any]) -> dict[str, Any]:
    """What a journey may read of a contract (`FACT_KEYS`), as JSON values."""
    facts = {key: contract.get(key) for key in FACT_KEYS if contract.get(key) is not None}
    if "vehicle" in facts:
        facts["vehicle"] = vehicle_text(facts["vehicle"])
    return {k: v for k, v in facts.items() if v is not None}


def journey_event(event: ContractEvent) -> JourneyEvent:
    return JourneyEvent(event.kind, event.customer_id, event.at, event.contract_no, contract_facts(event.contract))


def to_job(event: JourneyEvent) -> dict[str, Any]:
    """The fan-out job (JSON) that carries the event."""
    return {
        "kind": JOB_KIND,
        "event": event.kind,
        "customer_id": event.customer_id,
        "at": event.at.isoformat(),
        "contract_no": event.contract_no,
        "facts": dict(event.facts),
    }


def from_job(job: Mapping[str, Any]) -> JourneyEvent:
    """The event a job carries; ValueError (poison, to the DLQ) for one that is not."""
    try:
        return JourneyEvent(
            kind=job["event"],
            customer_id=str(job["customer_id"]),
            at=datetime.fromisoformat(str(job["at"])),
            contract_no=job.get("contract_no"),
            facts=dict(job.get("facts") or {}),
        )
    except (KeyError, TypeError) as error:
        raise ValueError(f"not a journey event job: {error}") from None
