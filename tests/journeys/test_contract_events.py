"""A contract's event as the journeys read it, and the fan-out job that carries it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.contracts.events import ContractEvent
from chalicelib.journeys.contract_events import JOB_KIND, contract_facts, from_job, journey_event, to_job

AT = datetime(2025, 6, 17, 3, 0, tzinfo=UTC)
CONTRACT = {
    "contract_no": "KTR-0001",
    "customer_external_id": "K-0001",
    "product": "car",
    "vehicle": {"brand": "Toyota", "model": "Avanza", "year": 2021, "plate": "B 1234 XY"},
    "start_date": "2025-05-20",
    "tenor_months": 12,
    "installment_amount": 3_500_000,
    "due_day": 5,
    "virtual_account": "8808123400001",
    "status": "active",
    "bpkb_status": "held",
    "stnk_tax_date": "2026-05-20",
    "insurance_end_date": None,
}


def test_the_journey_reads_the_contracts_terms_and_names_the_vehicle() -> None:
    event = journey_event(ContractEvent("contract_approved", "KTR-0001", "c-1", AT, CONTRACT))

    assert (event.kind, event.customer_id, event.contract_no, event.at) == ("contract_approved", "c-1", "KTR-0001", AT)
    assert event.facts == {
        "product": "car",
        "vehicle": "Toyota Avanza B 1234 XY",
        "start_date": "2025-05-20",
        "tenor_months": 12,
        "installment_amount": 3_500_000,
        "due_day": 5,
        "virtual_account": "8808123400001",
        "bpkb_status": "held",
    }


def test_what_a_journey_does_not_read_stays_out() -> None:
    assert "customer_external_id" not in contract_facts(CONTRACT)
    assert "stnk_tax_date" not in contract_facts(CONTRACT)


def test_the_job_carries_the_event_unchanged_through_json() -> None:
    import json

    event = journey_event(ContractEvent("paid_off", "KTR-0001", "c-1", AT, CONTRACT))
    job = json.loads(json.dumps(to_job(event)))

    assert job["kind"] == JOB_KIND
    assert from_job(job) == event


def test_a_job_that_is_no_event_is_refused() -> None:
    with pytest.raises(ValueError):
        from_job({"kind": JOB_KIND, "event": "contract_approved"})
    with pytest.raises(ValueError):
        from_job({"kind": JOB_KIND, "event": "exploded", "customer_id": "c-1", "at": AT.isoformat()})
