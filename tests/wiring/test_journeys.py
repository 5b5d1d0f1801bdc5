"""Contracts reach the journeys through the fan-out queue: approved, welcomed; paid off, congratulated."""

from __future__ import annotations

from typing import Any

from chalicelib.customers.service import Actor
from tests.contracts.conftest import ADMIN, contract
from tests.wired import customers as customer_deps
from tests.wired import wired

CSV = {**ADMIN, "Content-Type": "text/csv"}


def _customer(external_id: str = "K-0001") -> dict[str, Any]:
    customer, _ = customer_deps.customer_service().upsert(
        {
            "external_id": external_id,
            "name": f"Budi {external_id}",
            "phone": "+6281234567890",
            "email": f"{external_id.lower()}@contoh.co.id",
            "province": "DKI Jakarta",
        },
        Actor("test", "api"),
    )
    return customer


def _sent(customer_id: str) -> list[dict[str, Any]]:
    return sorted(customer_deps.message_log().all_for_customer(customer_id), key=lambda m: str(m["created_at"]))


def test_an_approved_contract_is_welcomed_by_the_fan_out_not_by_the_request(api, runner, clock) -> None:
    wired().journeys.editor().seed_defaults("test")
    customer = _customer()

    assert api("PUT", "/contracts/KTR-0001", contract(), ADMIN)[0] == 201

    assert _sent(customer["id"]) == []  # nothing inline: the event waits on the fan-out queue
    assert runner.drain("fan_out_audience") == 1
    [welcome] = _sent(customer["id"])
    assert welcome["purpose"] == "service"
    assert "8808123400001" in welcome["text"]  # how to pay: the contract's virtual account


def test_a_redelivered_event_welcomes_once(api, runner, clock) -> None:
    wired().journeys.editor().seed_defaults("test")
    customer = _customer()
    api("PUT", "/contracts/KTR-0001", contract(), ADMIN)
    runner.drain("fan_out_audience")
    from chalicelib.contracts.events import ContractEvent

    stored = wired().contracts.store().get("KTR-0001").contract
    wired().journeys.tell_contract_event(
        ContractEvent("contract_approved", "KTR-0001", customer["id"], clock.now, stored)
    )
    runner.drain("fan_out_audience")

    assert len(_sent(customer["id"])) == 1


def test_imported_contracts_are_approved_and_a_payoff_congratulates(api, runner, clock) -> None:
    wired().journeys.editor().seed_defaults("test")
    customer = _customer()
    from chalicelib.contracts.imports import EXAMPLE_CSV

    assert api("POST", "/contracts/import", EXAMPLE_CSV, CSV)[1]["created"] == 1
    runner.drain("fan_out_audience")
    paid_off = {**_example_row(EXAMPLE_CSV), "status": "paid_off", "bpkb_status": "ready"}
    assert api("PUT", "/contracts/KTR-0001", paid_off, ADMIN)[0] == 200
    runner.drain("fan_out_audience")

    welcome, congratulations = _sent(customer["id"])
    assert "8808123400001" in welcome["text"]
    assert "Toyota Avanza DD 1234 AB" in congratulations["text"]  # the BPKB of this vehicle
    journeys = {e["journey_id"] for e in wired().journeys.enrolments().of_customer(customer["id"])}
    assert {"welcome", "payoff"} <= journeys


def _example_row(csv_text: str) -> dict[str, Any]:
    from chalicelib.contracts.model import row_to_contract_data

    header, row = csv_text.strip().split("\r\n")
    return row_to_contract_data(dict(zip(header.split(","), row.split(","), strict=True)))
