"""How events move a conversation: who owes the next answer, and how urgent it is."""

from __future__ import annotations

from chalicelib.scrm import conversation

T0 = "2025-06-13T08:00:00.000000+00:00"
T1 = "2025-06-13T08:00:30.000000+00:00"
T2 = "2025-06-13T09:00:00.000000+00:00"


def fresh() -> dict:
    return conversation.new(
        "cv_1",
        channel="whatsapp",
        party="customer:cus_1",
        customer_id="cus_1",
        sender_id="6281",
        sender_phone="+6281",
        sender_name="Budi",
        account_id="1",
        at=T0,
        is_test=False,
        language="id",
    )


def inbound(item: dict, at: str, priority: int, routed: bool) -> dict:
    analysis = {
        "category": "question",
        "sentiment": "neutral",
        "sentiment_score": 0.0,
        "topics": [],
        "priority": priority,
    }
    return conversation.inbound(
        item,
        at=at,
        event_sk=f"event#{at}",
        text="x",
        opens_window=True,
        reply_target="dm",
        reply_to="w",
        analysis=analysis,
        routed=routed,
    )


def test_the_most_urgent_message_decides_while_the_customer_waits() -> None:
    item = inbound(fresh(), T0, 1, routed=True)
    item = inbound(item, T1, 3, routed=False)

    assert item["priority"] == 1
    assert item["waiting_since"] == T0


def test_a_bot_answer_keeps_a_conversation_open_while_a_person_owes_an_answer() -> None:
    item = inbound(fresh(), T0, 1, routed=True)

    item, first = conversation.responded(item, at=T1, by="bot")

    assert item["status"] == "open"
    assert (item["first_response_by"], first) == ("bot", 30.0)


def test_a_person_answering_clears_the_wait() -> None:
    item = inbound(fresh(), T0, 2, routed=True)

    item, first = conversation.responded(item, at=T2, by="human", agent="sari")

    assert (item["status"], item["needs_agent"], item["assignee"], first) == ("answered", False, "sari", 3600.0)
    assert "waiting_since" not in item


def test_index_keys_follow_status_priority_and_time() -> None:
    waiting = conversation.with_keys(inbound(fresh(), T1, 2, routed=True))
    done, seconds = conversation.resolved(waiting, at=T2, by="sari")
    done = conversation.with_keys(done)

    assert (waiting["gsi1pk"], waiting["gsi1sk"]) == ("inbox#open", f"2#{T1}#cv_1")
    assert (done["gsi1pk"], done["gsi1sk"]) == ("inbox#resolved", f"{T2}#cv_1")
    assert done["gsi2pk"] == "customer#cus_1"
    assert seconds == 3600.0
