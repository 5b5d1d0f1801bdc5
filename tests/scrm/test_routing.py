"""Routing: a conversation that needs a person goes round robin to the agents on duty who have room."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.scrm.routing import next_agent
from tests import clocks
from tests.scrm.meta_payloads import ADMIN, wa_text

COMPLAINT = "Saya kecewa sekali, sudah bayar angsuran tapi masih ditagih denda!"


def test_the_round_robin_takes_the_next_name_and_wraps_round() -> None:
    assert next_agent(["ani", "budi", "sari"], None) == "ani"
    assert next_agent(["ani", "budi", "sari"], "ani") == "budi"
    assert next_agent(["ani", "budi", "sari"], "sari") == "ani"
    assert next_agent(["ani", "sari"], "budi") == "sari"  # budi left: the turn passes to whoever is next


@pytest.fixture
def on_duty(aws, settings, roster_agent) -> Any:
    from chalicelib.access.sessions import SessionStore

    sessions = SessionStore(aws.table(settings.table_name("access")))

    def sign_in(*names: str) -> None:
        for name in names:
            roster_agent(name)
            sessions.open(name, "agent", clocks.now())

    return sign_in


def _complaints(deliver, count: int) -> None:
    for n in range(count):
        deliver(wa_text(COMPLAINT, phone=f"62812000000{n:02d}", name=f"Pelanggan {n}"))


def test_complaints_go_round_robin_to_the_agents_on_duty(on_duty, deliver, inbox, api) -> None:
    on_duty("ani", "budi")

    _complaints(deliver, 4)

    assignees = sorted(c["assignee"] for c in inbox("?status=open"))
    assert assignees == ["ani", "ani", "budi", "budi"]
    audit = api("GET", "/audit", headers=ADMIN)[1]["items"]
    assert sum(1 for a in audit if a["action"] == "conversation.assign" and a["actor"] == "sapa:routing") == 4


def test_with_nobody_on_duty_the_conversation_waits_in_the_team_queue(deliver, inbox, roster_agent) -> None:
    roster_agent("ani")  # on the roster, not signed in

    _complaints(deliver, 1)

    assert [c.get("assignee") for c in inbox("?assignee=none")] == [None]


def test_an_agent_at_the_limit_is_passed_by(on_duty, deliver, inbox, monkeypatch) -> None:
    monkeypatch.setenv("SAPA_INBOX_MAX_OPEN_PER_AGENT", "1")
    on_duty("ani")

    _complaints(deliver, 2)

    assert sorted(str(c.get("assignee")) for c in inbox("?status=open")) == ["None", "ani"]
