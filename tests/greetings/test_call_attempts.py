"""The call list: every attempt kept, the status following the latest, filters that filter."""

from __future__ import annotations

from urllib.parse import quote

ADMIN = {"Authorization": "Bearer test-admin-token"}
DAY = "2025-06-17"


def _tasks(api, add_customer, count: int = 1) -> list[dict]:
    for _ in range(count):
        add_customer(birth_date="1990-06-17", consents={})
    api("POST", "/greetings/runs", {"date": DAY}, ADMIN)
    _, calls = api("GET", f"/telegreeting?day={DAY}", None, ADMIN)
    return calls["items"]


def _attempt(api, task_id: str, body: dict, headers: dict | None = None) -> tuple[int, dict]:
    return api("POST", f"/telegreeting/{quote(task_id, safe='')}", body, headers or ADMIN)


def test_no_answer_keeps_the_task_open_and_a_second_attempt_does_not_overwrite_the_first(
    api, add_customer, staff_token
) -> None:
    [task] = _tasks(api, add_customer)
    tono = staff_token("telemarketer")

    _, first = _attempt(api, task["id"], {"outcome": "no_answer"}, tono)
    status, second = _attempt(api, task["id"], {"outcome": "reached", "notes": "senang sekali"}, tono)

    assert first["status"] == "open"
    assert status == 200
    assert second["status"] == "done"
    assert [a["outcome"] for a in second["attempts"]] == ["no_answer", "reached"]
    assert second["attempts"][1]["note"] == "senang sekali"
    assert second["attempts"][0]["by"] == "telemarketer-user"


def test_each_outcome_leads_to_its_status(api, add_customer) -> None:
    tasks = _tasks(api, add_customer, 4)
    expected = {"reached": "done", "wrong_number": "done", "not_interested": "done", "no_answer": "open"}

    for task, (outcome, status) in zip(tasks, expected.items(), strict=True):
        _, answer = _attempt(api, task["id"], {"outcome": outcome})
        assert answer["status"] == status, outcome


def test_a_callback_shows_the_task_again_on_its_day(api, add_customer) -> None:
    [task] = _tasks(api, add_customer)

    status, answer = _attempt(api, task["id"], {"outcome": "callback", "callback_at": "2025-06-19T15:00:00+07:00"})
    _, that_day = api("GET", "/telegreeting?day=2025-06-19", None, ADMIN)
    _, callbacks = api("GET", f"/telegreeting?day={DAY}&status=callback", None, ADMIN)
    _, still_open = api("GET", f"/telegreeting?day={DAY}&status=open", None, ADMIN)

    assert status == 200
    assert answer["status"] == "callback"
    assert answer["callback_at"] == "2025-06-19T15:00:00+07:00"
    assert [t["id"] for t in that_day["items"]] == [task["id"]]
    assert [t["id"] for t in callbacks["items"]] == [task["id"]]
    assert still_open["items"] == []

    _attempt(api, task["id"], {"outcome": "reached"})  # called back: off the later day's list
    _, later = api("GET", "/telegreeting?day=2025-06-19", None, ADMIN)
    assert later["items"] == []


def test_a_callback_needs_a_time_ahead(api, add_customer) -> None:
    [task] = _tasks(api, add_customer)

    for body, field in (
        ({"outcome": "callback"}, "callback_at"),
        ({"outcome": "callback", "callback_at": "2025-06-16T10:00:00+07:00"}, "callback_at"),
        ({"outcome": "callback", "callback_at": "2025-06-19T10:00:00"}, "callback_at"),
        ({"outcome": "reached", "callback_at": "2025-06-19T10:00:00+07:00"}, "callback_at"),
        ({"outcome": "maybe"}, "outcome"),
    ):
        status, error = _attempt(api, task["id"], body)
        assert status == 400, body
        assert field in error["fields"], (body, error)


def test_attempts_are_bounded(api, add_customer) -> None:
    from chalicelib.greetings.calls import MAX_ATTEMPTS

    [task] = _tasks(api, add_customer)
    for _ in range(MAX_ATTEMPTS):
        assert _attempt(api, task["id"], {"outcome": "no_answer"})[0] == 200

    status, error = _attempt(api, task["id"], {"outcome": "reached"})
    _, calls = api("GET", f"/telegreeting?day={DAY}", None, ADMIN)

    assert status == 409
    assert str(MAX_ATTEMPTS) in error["message"]
    assert len(calls["items"][0]["attempts"]) == MAX_ATTEMPTS


def test_an_unknown_task_is_a_404(api) -> None:
    assert _attempt(api, "2025-06-17.nobody.birthday", {"outcome": "reached"})[0] == 404
    assert _attempt(api, "not-a-task", {"outcome": "reached"})[0] == 404


def test_the_list_filters_by_status_and_kind(api, add_customer) -> None:
    first, second = _tasks(api, add_customer, 2)
    _attempt(api, first["id"], {"outcome": "reached"})

    _, done = api("GET", f"/telegreeting?day={DAY}&status=done", None, ADMIN)
    _, open_ = api("GET", f"/telegreeting?day={DAY}&status=open&kind=telegreeting", None, ADMIN)
    _, leads = api("GET", f"/telegreeting?day={DAY}&kind=lead", None, ADMIN)

    assert [t["id"] for t in done["items"]] == [first["id"]]
    assert [t["id"] for t in open_["items"]] == [second["id"]]
    assert leads["items"] == []
    assert {t["kind"] for t in done["items"] + open_["items"]} == {"telegreeting"}


def test_unknown_filter_values_are_a_400(api) -> None:
    for path, field in (
        ("/telegreeting?status=later", "status"),
        ("/telegreeting?kind=sms", "kind"),
        ("/telegreeting?day=2025-02-30", "day"),
        ("/telegreeting?day=2025-06-17&date=2025-06-18", "day"),
    ):
        status, body = api("GET", path, None, ADMIN)
        assert status == 400, path
        assert field in body["fields"], (path, body)
