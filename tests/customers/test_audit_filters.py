"""`GET /audit` filtered by actor, action, target and days (WIB), a page at a time; bad filters are a 400."""

from __future__ import annotations

from datetime import UTC, datetime

from tests import wired

ADMIN = {"Authorization": "Bearer test-admin-token"}


def _log(api) -> None:  # type: ignore[no-untyped-def]
    audit = wired.customers.audit()
    audit.record("admin", "outbound.halt", "outbound", datetime(2026, 3, 1, 2, 0, tzinfo=UTC), reason="salah")
    audit.record("admin", "outbound.resume", "outbound", datetime(2026, 3, 1, 3, 0, tzinfo=UTC))
    audit.record("maya", "campaign.send", "cp_1", datetime(2026, 3, 2, 18, 30, tzinfo=UTC))  # 3 March, WIB
    audit.record("maya", "campaign.pause", "cp_1", datetime(2026, 3, 4, 1, 0, tzinfo=UTC))


def test_the_action_filter_is_honoured(api) -> None:
    _log(api)

    status, body = api("GET", "/audit?action=outbound.halt", None, ADMIN)

    assert status == 200
    assert [e["action"] for e in body["items"]] == ["outbound.halt"]
    assert body["items"][0]["details"] == {"reason": "salah"}


def test_actor_and_target_narrow_together(api) -> None:
    _log(api)

    _, body = api("GET", "/audit?actor=maya&target=cp_1", None, ADMIN)

    assert [e["action"] for e in body["items"]] == ["campaign.pause", "campaign.send"]


def test_the_days_are_counted_in_wib(api) -> None:
    _log(api)

    _, body = api("GET", "/audit?from=2026-03-03&to=2026-03-03", None, ADMIN)

    assert [e["action"] for e in body["items"]] == ["campaign.send"]  # 18:30 UTC on 2 March is 3 March WIB


def test_a_filtered_list_is_paged(api) -> None:
    _log(api)

    _, first = api("GET", "/audit?target=outbound&limit=1", None, ADMIN)
    _, second = api("GET", f"/audit?target=outbound&limit=1&cursor={first['next']}", None, ADMIN)

    assert [e["action"] for e in first["items"]] == ["outbound.resume"]
    assert [e["action"] for e in second["items"]] == ["outbound.halt"]
    assert (
        second["next"] is None
        or api("GET", f"/audit?target=outbound&cursor={second['next']}", None, ADMIN)[1]["items"] == []
    )


def test_filters_that_cannot_match_are_a_400_naming_them(api) -> None:
    for params, field in (
        ("action=DROP TABLE", "action"),
        ("actor=<img src=x>", "actor"),
        ("from=yesterday", "from"),
        ("from=2026-03-05&to=2026-03-01", "from"),
    ):
        status, body = api("GET", f"/audit?{params}", None, ADMIN)

        assert status == 400, params
        assert field in str(body), (params, body)


def test_an_unknown_parameter_is_a_400(api) -> None:
    status, body = api("GET", "/audit?who=admin", None, ADMIN)

    assert status == 400
    assert "who" in str(body)
