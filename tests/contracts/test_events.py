"""Which status changes a contract's observer hears of."""

from __future__ import annotations

from chalicelib.contracts.events import transition


def test_a_new_active_contract_is_approved() -> None:
    assert transition(None, "active") == ["contract_approved"]


def test_leaving_active_pays_off_or_terminates() -> None:
    assert transition("active", "paid_off") == ["paid_off"]
    assert transition("active", "terminated") == ["terminated"]


def test_a_contract_first_seen_paid_off_is_still_a_payoff() -> None:
    assert transition(None, "paid_off") == ["paid_off"]


def test_the_same_status_or_a_correction_of_an_ended_contract_says_nothing() -> None:
    for before, after in [
        ("active", "active"),
        ("paid_off", "paid_off"),
        ("paid_off", "active"),
        ("terminated", "paid_off"),
    ]:
        assert transition(before, after) == [], (before, after)
