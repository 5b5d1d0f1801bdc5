"""The campaigns table's guards: the frequency ledger's version, segment leases, schedule markers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.campaigns.store import EMPTY_LEDGER, CampaignStore

NOW = datetime(2025, 6, 15, 3, 0, tzinfo=UTC)
WEEK = timedelta(days=7)


@pytest.fixture
def store(aws, settings) -> CampaignStore:
    return CampaignStore(aws.table(settings.table_name("campaigns")))


def test_two_campaigns_racing_for_the_same_customer_cannot_both_use_one_ledger_read(store) -> None:
    seen = store.ledger("cus_1")

    first = store.record_promotion("cus_1", "cmp_a", NOW, seen, WEEK)
    second = store.record_promotion("cus_1", "cmp_b", NOW, seen, WEEK)  # read before cmp_a wrote
    retried = store.record_promotion("cus_1", "cmp_b", NOW, store.ledger("cus_1"), WEEK)

    assert (first, second, retried) == (True, False, True)
    assert set(store.ledger("cus_1").sends) == {"cmp_a", "cmp_b"}


def test_the_ledger_forgets_promotions_older_than_the_window(store) -> None:
    store.record_promotion("cus_1", "cmp_old", NOW - WEEK - timedelta(days=1), EMPTY_LEDGER, WEEK)

    store.record_promotion("cus_1", "cmp_new", NOW, store.ledger("cus_1"), WEEK)

    ledger = store.ledger("cus_1")
    assert set(ledger.sends) == {"cmp_new"}
    assert ledger.times_except("cmp_new") == []


def test_a_resumed_fan_out_does_not_count_its_own_earlier_entry(store) -> None:
    store.record_promotion("cus_1", "cmp_a", NOW, EMPTY_LEDGER, WEEK)

    assert store.ledger("cus_1").times_except("cmp_a") == []
    assert store.ledger("cus_1").times_except("cmp_b") == [NOW]


def test_a_segment_lease_keeps_a_second_worker_out_until_it_expires(store) -> None:
    store.create_segments("cmp_a", 1, NOW)

    mine = store.claim_segment("cmp_a", 0, "worker-1", NOW, 180)
    theirs = store.claim_segment("cmp_a", 0, "worker-2", NOW + timedelta(seconds=60), 180)
    late_commit_ok = store.commit_segment(
        "cmp_a", 0, "worker-1", NOW, resume_key={"id": "cus_9"}, deltas={}, done=False, release=False, lease_seconds=180
    )
    taken_over = store.claim_segment("cmp_a", 0, "worker-2", NOW + timedelta(seconds=400), 180)
    stale_commit = store.commit_segment(
        "cmp_a", 0, "worker-1", NOW, resume_key=None, deltas={"n_queued": 5}, done=True, release=True, lease_seconds=180
    )

    assert mine is not None
    assert theirs is None
    assert late_commit_ok is True
    assert taken_over is not None
    assert taken_over["resume_key"] == '{"id": "cus_9"}'
    assert stale_commit is False  # the worker that lost its lease counts nothing
    assert "n_queued" not in store.segments("cmp_a")[0]


def test_due_schedules_are_those_at_or_before_now(store) -> None:
    store.put_schedule("cmp_a", "2025-06-15T02:59:00Z")
    store.put_schedule("cmp_b", "2025-06-15T03:00:00Z")
    store.put_schedule("cmp_c", "2025-06-15T03:01:00Z")

    assert store.due_schedules(NOW) == [("cmp_a", "2025-06-15T02:59:00Z"), ("cmp_b", "2025-06-15T03:00:00Z")]


def test_a_ledger_transaction_writes_the_fresh_entries_and_names_the_stale_ones(store) -> None:
    stale = store.ledger("cus_2")
    store.record_promotion("cus_2", "cmp_other", NOW, stale, WEEK)  # another campaign got there first

    changed = store.record_promotions([("cus_1", store.ledger("cus_1")), ("cus_2", stale)], "cmp_a", NOW, WEEK)

    assert changed == {"cus_2"}
    assert set(store.ledger("cus_1").sends) == {"cmp_a"}
    assert set(store.ledger("cus_2").sends) == {"cmp_other"}
