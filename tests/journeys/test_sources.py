"""Date events from indexes: the customers' birthdays, the contracts' anniversaries."""

from __future__ import annotations

from datetime import UTC, date, datetime

from chalicelib.core.zones import tzinfo_for
from chalicelib.journeys.sources import AttributeDates, ContractAnniversaries


def test_birthdays_come_from_the_index_keys_of_every_zone() -> None:
    asked: list[str] = []

    def birthdays(key: str) -> list[dict[str, str]]:
        asked.append(key)
        return [{"id": "c-jkt"}] if key == "06-17#Asia/Jakarta" else []

    events = list(AttributeDates(birthdays, ["birth_date"]).events_on(date(2025, 6, 17), datetime.now(UTC)))

    assert [(e.kind, e.customer_id, e.facts["field"]) for e in events] == [("attribute_date", "c-jkt", "birth_date")]
    assert events[0].at.utcoffset().total_seconds() == 7 * 3600
    assert {"06-17#Asia/Jakarta", "06-17#Asia/Makassar", "06-17#Asia/Jayapura"} <= set(asked)


def test_a_date_field_without_an_index_is_not_scanned() -> None:
    def birthdays(key: str) -> list[dict[str, str]]:
        raise AssertionError("no index may be read for an unindexed field")

    assert list(AttributeDates(birthdays, ["wedding_date"]).events_on(date(2025, 6, 17), datetime.now(UTC))) == []


# -- contract anniversaries ---------------------------------------------------------------------------------------
def _terms(**changes: object) -> dict[str, object]:
    terms: dict[str, object] = {
        "contract_no": "KTR-1",
        "customer_id": "c-1",
        "status": "active",
        "product": "car",
        "vehicle": {"brand": "Honda", "model": "Brio", "year": 2022, "plate": "PA 1234 XY"},
        "start_date": "2023-06-17",
        "installment_amount": 2_900_000,
    }
    terms.update(changes)
    return terms


def test_a_contracts_anniversary_comes_from_its_index_key_with_its_years() -> None:
    asked: list[str] = []

    def anniversaries(key: str) -> list[dict[str, object]]:
        asked.append(key)
        return [_terms()] if key == "06-17#Asia/Jayapura" else []

    [event] = ContractAnniversaries(anniversaries).events_on(date(2025, 6, 17), datetime.now(UTC))

    assert (event.kind, event.customer_id, event.contract_no) == ("contract_anniversary", "c-1", "KTR-1")
    assert (event.facts["years"], event.facts["vehicle"], event.facts["product"]) == (2, "Honda Brio PA 1234 XY", "car")
    assert event.at == datetime(2025, 6, 17, 0, 0, tzinfo=tzinfo_for("Asia/Jayapura"))
    assert event.occurrence() == "KTR-1@2025"
    assert sorted(asked) == ["06-17#Asia/Jakarta", "06-17#Asia/Jayapura", "06-17#Asia/Makassar"]


def test_a_contract_started_this_year_has_no_anniversary_yet() -> None:
    def anniversaries(key: str) -> list[dict[str, object]]:
        return [_terms(start_date="2025-06-17")]

    assert list(ContractAnniversaries(anniversaries).events_on(date(2025, 6, 17), datetime.now(UTC))) == []


def test_a_leap_day_start_is_remembered_on_28_february_of_other_years() -> None:
    def anniversaries(key: str) -> list[dict[str, object]]:
        return [_terms(start_date="2024-02-29")] if key == "02-29#Asia/Jakarta" else []

    [event] = ContractAnniversaries(anniversaries).events_on(date(2025, 2, 28), datetime.now(UTC))

    assert event.facts["years"] == 1


def test_the_contracts_index_finds_the_days_anniversaries_in_the_right_zone_and_not_a_paid_off_one(
    add_customer, clock
) -> None:
    from tests.contracts.conftest import contract
    from tests.wired import contracts as contract_deps

    papua = add_customer(province="Papua")
    jakarta = add_customer(province="DKI Jakarta")
    service = contract_deps.service()
    service.put(contract(contract_no="KTR-1", customer_external_id=papua["external_id"], start_date="2023-06-17"), "t")
    service.put(
        contract(contract_no="KTR-2", customer_external_id=jakarta["external_id"], start_date="2024-06-18"), "t"
    )
    service.put(
        contract(
            contract_no="KTR-3",
            customer_external_id=jakarta["external_id"],
            start_date="2022-06-17",
            status="paid_off",
            bpkb_status="ready",
        ),
        "t",
    )
    source = ContractAnniversaries(contract_deps.store().anniversaries)

    today = [(e.contract_no, e.customer_id, e.facts["years"]) for e in source.events_on(date(2025, 6, 17), clock.now)]
    tomorrow = [e.contract_no for e in source.events_on(date(2025, 6, 18), clock.now)]

    assert today == [("KTR-1", papua["id"], 2)]
    assert list(contract_deps.store().anniversaries("06-17#Asia/Jakarta")) == []  # the paid-off contract has no key
    assert tomorrow == ["KTR-2"]


def test_the_daily_run_reads_the_contracts_anniversaries(journeys, add_customer, messages, clock) -> None:
    from tests.contracts.conftest import contract
    from tests.wired import contracts as contract_deps

    journeys.editor().seed_defaults("test")
    customer = add_customer(province="DKI Jakarta")
    contract_deps.service().put(contract(customer_external_id=customer["external_id"], start_date="2024-06-17"), "t")

    report = journeys.engine().run_daily(date(2025, 6, 17), journeys.sources())

    assert report.started == 1
    enrolled = {e["journey_id"] for e in journeys.enrolments().of_customer(customer["id"])}
    assert "contract_anniversary" in enrolled
