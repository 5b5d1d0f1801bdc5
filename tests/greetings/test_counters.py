"""What one delivery report moves on a greeting date's counters: each message's status counted once."""

from __future__ import annotations

from chalicelib.greetings.counters import outcome_deltas, status_deltas
from chalicelib.outbound.delivery import Outcome


def test_sender_outcomes() -> None:
    assert outcome_deltas(Outcome("sent")) == {"sent": 1}
    assert outcome_deltas(Outcome("failed", "undeliverable")) == {"failed": 1}
    assert outcome_deltas(Outcome("unconfirmed", "lease lost")) == {"failed": 1}
    assert outcome_deltas(Outcome("deferred", "outside contact hours")) == {"parked": 1}
    assert outcome_deltas(Outcome("held", "halted")) == {"parked": 1}
    assert outcome_deltas(Outcome("released", "first")) == {"parked": 1}  # waited since its run
    assert outcome_deltas(Outcome("released", "again")) == {}  # counted when the sender parked it
    assert outcome_deltas(Outcome("duplicate", "done")) == {}


def test_a_read_that_overtook_its_delivered_still_counts_the_delivery() -> None:
    assert status_deltas({"status": "sent"}, "read") == {"read": 1, "delivered": 1, "failed": 0}
    assert status_deltas({"status": "delivered"}, "read") == {"read": 1, "delivered": 0, "failed": 0}


def test_a_failure_delivered_after_all_is_no_failure_any_more() -> None:
    assert status_deltas({"status": "failed"}, "delivered") == {"delivered": 1, "failed": -1}
    assert status_deltas({"status": "sent"}, "failed") == {"failed": 1}
