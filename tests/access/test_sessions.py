"""Console sessions: the cookie names a session kept server-side, which expires, closes, and tells who is on duty."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.access.sessions import Challenge, SessionStore, SignInChallenges
from tests.conftest import WEEKDAY_MORNING

NOW = WEEKDAY_MORNING


@pytest.fixture
def table(aws, settings):
    return aws.table(settings.table_name("access"))


def test_a_session_is_found_by_its_cookie_until_it_expires(table) -> None:
    sessions = SessionStore(table)
    cookie, opened = sessions.open("rina", "agent", NOW, timedelta(hours=8))

    assert sessions.get(cookie, NOW + timedelta(hours=7, minutes=59)) == opened
    assert sessions.get(cookie, NOW + timedelta(hours=8)) is None


def test_the_table_keeps_only_a_hash_of_the_cookie(table) -> None:
    cookie, _ = SessionStore(table).open("rina", "agent", NOW)

    items = table.scan()["Items"]

    assert items
    assert all(cookie not in str(item) for item in items)


def test_an_unknown_empty_or_oversized_cookie_names_no_session(table) -> None:
    sessions = SessionStore(table)
    sessions.open("rina", "agent", NOW)

    assert sessions.get("not-a-session", NOW) is None
    assert sessions.get("", NOW) is None
    assert sessions.get(None, NOW) is None
    assert sessions.get("x" * 5000, NOW) is None


def test_each_session_has_its_own_csrf_token(table) -> None:
    sessions = SessionStore(table)

    _, first = sessions.open("rina", "agent", NOW)
    _, second = sessions.open("rina", "agent", NOW)

    assert first.csrf != second.csrf
    assert len(first.csrf) >= 40


def test_closing_all_of_a_persons_sessions_leaves_the_others(table) -> None:
    sessions = SessionStore(table)
    laptop, _ = sessions.open("rina", "agent", NOW)
    phone, _ = sessions.open("rina", "agent", NOW)
    other, _ = sessions.open("sari", "agent", NOW)

    sessions.close_all("rina")

    assert sessions.get(laptop, NOW) is None
    assert sessions.get(phone, NOW) is None
    assert sessions.get(other, NOW) is not None


def test_live_sessions_are_the_unexpired_ones(table) -> None:
    sessions = SessionStore(table)
    sessions.open("rina", "agent", NOW - timedelta(hours=9), timedelta(hours=8))
    sessions.open("sari", "agent", NOW - timedelta(hours=1), timedelta(hours=8))

    assert [s.name for s in sessions.live(NOW)] == ["sari"]


def test_a_first_sign_in_challenge_lasts_five_minutes_and_closes(table) -> None:
    challenges = SignInChallenges(table)
    challenge = Challenge("dewi", "cognito-session", "dewi@sapa.example", "/console/inbox")
    key = challenges.open(challenge, NOW)

    assert challenges.get(key, NOW + timedelta(minutes=4)) == challenge
    assert challenges.get(key, NOW + timedelta(minutes=5)) is None
    challenges.close(key)
    assert challenges.get(key, NOW) is None
