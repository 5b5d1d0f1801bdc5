"""The agents' inbox: filters, threads with their analysis, replies on the same channel, assign, resolve."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests import clocks
from tests.scrm.meta_payloads import ADMIN, dm, ig_comment, wa_text

COMPLAINT = "Saya kecewa sekali, sudah bayar angsuran tapi masih ditagih denda!"


@pytest.fixture
def three(deliver, inbox) -> dict[str, dict]:
    """A WhatsApp complaint, an Instagram DM question and a Facebook DM praise."""
    deliver(wa_text(COMPLAINT))
    deliver(dm("instagram", "Kapan BPKB saya bisa diambil?", sender="IG-1"))
    deliver(dm("facebook", "Terima kasih, pelayanannya cepat dan ramah sekali!", sender="FB-1"))
    return {c["channel"]: c for c in inbox()}


def test_the_inbox_needs_an_agent_or_admin(client, api, staff_token) -> None:
    assert client.http.get("/scrm/conversations").status_code == 401
    assert api("GET", "/scrm/conversations", headers=staff_token("viewer"))[0] == 403
    assert api("GET", "/scrm/conversations", headers=staff_token("marketer"))[0] == 403
    assert api("GET", "/scrm/conversations", headers=staff_token("agent"))[0] == 200


def test_each_item_says_what_an_agent_needs_to_triage(three) -> None:
    whatsapp = three["whatsapp"]

    assert set(whatsapp) >= {
        "id",
        "channel",
        "customer_id",
        "category",
        "sentiment",
        "topics",
        "priority",
        "status",
        "last_event_at",
    }
    assert (whatsapp["category"], whatsapp["sentiment"], whatsapp["status"]) == ("complaint", "negative", "open")
    assert set(three) == {"whatsapp", "instagram", "facebook"}


def test_open_conversations_come_first_most_urgent_first(three, inbox) -> None:
    items = inbox()

    assert items[0]["channel"] == "whatsapp"
    assert [i["status"] for i in items] == sorted((i["status"] for i in items), key=["open", "answered"].index)


@pytest.mark.parametrize(
    ("query", "channels"),
    [
        ("?status=open", {"whatsapp"}),
        ("?status=answered", {"instagram", "facebook"}),
        ("?status=resolved", set()),
        ("?channel=instagram", {"instagram"}),
        ("?category=complaint", {"whatsapp"}),
        ("?category=praise", {"facebook"}),
        ("?priority=1", {"whatsapp"}),
        ("?status=open&channel=facebook", set()),
    ],
)
def test_the_inbox_filters(three, inbox, query: str, channels: set[str]) -> None:
    assert {c["channel"] for c in inbox(query)} == channels


@pytest.mark.parametrize("query", ["?status=closed", "?channel=x", "?priority=9", "?category=spam", "?limit=0"])
def test_an_unknown_filter_value_is_400(api, query: str) -> None:
    status, body = api("GET", f"/scrm/conversations{query}", headers=ADMIN)

    assert status == 400
    assert body["error"] == "validation_error"


def test_pages_follow_the_cursor_without_repeats(three, api) -> None:
    seen: list[str] = []
    path = "/scrm/conversations?limit=1"
    while path:
        status, body = api("GET", path, headers=ADMIN)
        assert status == 200
        seen += [item["id"] for item in body["items"]]
        path = f"/scrm/conversations?limit=1&cursor={body['next']}" if body["next"] else ""

    assert sorted(seen) == sorted(c["id"] for c in three.values())


def test_a_conversation_shows_its_events_with_their_analysis(three, conversation_detail) -> None:
    detail = conversation_detail(three["instagram"]["id"])

    incoming, answer = detail["events"]
    assert incoming["analysis"]["topics"] == ["bpkb"]
    assert incoming["decision"]["action"] == "auto_reply"
    assert (answer["direction"], answer["by"], answer["delivery_status"]) == ("out", "bot", "queued")


def test_an_unknown_conversation_is_404(api) -> None:
    assert api("GET", "/scrm/conversations/cv_nope", headers=ADMIN)[0] == 404
    assert api("POST", "/scrm/conversations/cv_nope/reply", {"text": "Halo"}, ADMIN)[0] == 404


def test_an_agent_reply_goes_out_on_whatsapp_to_the_sender(three, api, runner, whatsapp, inbox) -> None:
    conversation = three["whatsapp"]

    status, body = api(
        "POST", f"/scrm/conversations/{conversation['id']}/reply", {"text": "Mohon maaf, kami cek ya."}, ADMIN
    )
    runner.drain("send_outbound")

    assert status == 202
    assert body["channel"] == "whatsapp"
    [sent] = [m for m in whatsapp.messages() if m["text"] == "Mohon maaf, kami cek ya."]
    assert sent["to"] == "6281234567890"
    [after] = inbox("?channel=whatsapp")
    assert (after["status"], after["first_response_by"], after["assignee"]) == ("answered", "human", "local-admin")


def test_an_agent_reply_goes_out_on_instagram_as_a_dm(three, api, runner, whatsapp) -> None:
    status, _ = api("POST", f"/scrm/conversations/{three['instagram']['id']}/reply", {"text": "Siap kak"}, ADMIN)
    runner.drain("send_outbound")

    assert status == 202
    [sent] = [m for m in whatsapp.messages() if m["text"] == "Siap kak"]
    assert (sent["to"], sent["channel"]) == ("IG-1", "messenger")


def test_an_agent_reply_to_a_comment_is_a_public_reply_under_it(deliver, inbox, api, runner, whatsapp) -> None:
    deliver(ig_comment("Admin tolong dibalas", comment_id="17900000000000077"))
    [conversation] = inbox()

    status, _ = api("POST", f"/scrm/conversations/{conversation['id']}/reply", {"text": "Sudah kami DM ya"}, ADMIN)
    runner.drain("send_outbound")

    assert status == 202
    [sent] = [m for m in whatsapp.messages() if m["text"] == "Sudah kami DM ya"]
    assert (sent["type"], sent["to"]) == ("comment_reply", "17900000000000077")


def test_a_reply_outside_the_24_hour_window_is_409_and_asks_for_a_template(deliver, inbox, api, aws, settings) -> None:
    deliver(wa_text(COMPLAINT, at=clocks.now().timestamp() - 25 * 3600))
    [conversation] = inbox()

    status, body = api("POST", f"/scrm/conversations/{conversation['id']}/reply", {"text": "Halo"}, ADMIN)

    assert status == 409
    assert body["error"] == "template_required"
    assert "template" in body["message"]
    url = aws.sqs.get_queue_url(QueueName=settings.queue_name("outbound"))["QueueUrl"]
    assert aws.sqs.receive_message(QueueUrl=url).get("Messages", []) == []


def test_a_repeated_reply_with_the_same_idempotency_key_is_sent_once(three, api, runner, whatsapp) -> None:
    path = f"/scrm/conversations/{three['whatsapp']['id']}/reply"
    headers = {**ADMIN, "Idempotency-Key": "click-1"}

    first = api("POST", path, {"text": "Kami bantu cek"}, headers)
    second = api("POST", path, {"text": "Kami bantu cek"}, headers)
    runner.drain("send_outbound")

    assert first[1]["message_id"] == second[1]["message_id"]
    assert len([m for m in whatsapp.messages() if m["text"] == "Kami bantu cek"]) == 1


def test_a_reply_needs_text(three, api) -> None:
    status, body = api("POST", f"/scrm/conversations/{three['whatsapp']['id']}/reply", {"text": " "}, ADMIN)

    assert status == 400
    assert "text" in body["fields"]


def test_assigning_and_filtering_by_assignee(three, api, inbox, roster_agent) -> None:
    roster_agent("sari")
    conversation_id = three["whatsapp"]["id"]

    status, body = api("POST", f"/scrm/conversations/{conversation_id}/assign", {"agent": "sari"}, ADMIN)

    assert (status, body["assignee"]) == (200, "sari")
    assert [c["id"] for c in inbox("?assignee=sari")] == [conversation_id]
    assert api("POST", f"/scrm/conversations/{conversation_id}/assign", {"agent": ""}, ADMIN)[0] == 400


def test_resolving_closes_the_conversation_and_the_next_message_opens_a_new_one(three, api, deliver, inbox) -> None:
    conversation_id = three["whatsapp"]["id"]

    status, body = api("POST", f"/scrm/conversations/{conversation_id}/resolve", None, ADMIN)
    again = api("POST", f"/scrm/conversations/{conversation_id}/resolve", None, ADMIN)
    deliver(wa_text("Masih belum beres, tolong dicek lagi"))

    assert (status, body["status"]) == (200, "resolved")
    assert again[0] == 200
    assert body["resolution_seconds"] is not None
    assert [c["id"] for c in inbox("?status=resolved")] == [conversation_id]
    [reopened] = inbox("?channel=whatsapp&status=open")
    assert reopened["id"] != conversation_id


def test_agents_manage_standard_replies_and_send_them(three, api, runner, whatsapp, staff_token) -> None:
    agent = staff_token("agent")
    created = api("POST", "/scrm/replies", {"title": "Cek pembayaran", "text": "Mohon kirim bukti bayar ya."}, agent)
    listed = api("GET", "/scrm/replies", headers=agent)
    sent = api("POST", f"/scrm/conversations/{three['whatsapp']['id']}/reply", {"reply_id": created[1]["id"]}, agent)
    runner.drain("send_outbound")
    deleted = api("DELETE", f"/scrm/replies/{created[1]['id']}", headers=agent)

    assert created[0] == 201
    assert [r["title"] for r in listed[1]["items"]] == ["Cek pembayaran"]
    assert sent[0] == 202
    assert any(m["text"] == "Mohon kirim bukti bayar ya." for m in whatsapp.messages())
    assert deleted[0] == 204
    assert api("DELETE", f"/scrm/replies/{created[1]['id']}", headers=agent)[0] == 404
    assert api("GET", "/scrm/replies", headers=agent)[1]["items"] == []


@pytest.mark.parametrize(
    "body", [{"title": "", "text": "x"}, {"title": "t"}, {"title": "t", "text": "x", "language": "fr"}, {"x": 1}]
)
def test_an_invalid_standard_reply_is_400(api, body: dict) -> None:
    assert api("POST", "/scrm/replies", body, ADMIN)[0] == 400


def test_viewers_cannot_touch_standard_replies(api, staff_token) -> None:
    assert api("POST", "/scrm/replies", {"title": "t", "text": "x"}, staff_token("viewer"))[0] == 403


@pytest.mark.parametrize(
    ("query", "channels"),
    [
        ("?sentiment=negative", {"whatsapp"}),
        ("?sentiment=positive", {"facebook"}),
        ("?topic=bpkb", {"instagram"}),
        ("?assignee=none", {"whatsapp", "instagram", "facebook"}),
        ("?past_sla=false", {"whatsapp", "instagram", "facebook"}),
    ],
)
def test_the_inbox_filters_by_sentiment_topic_and_the_team_queue(three, inbox, query: str, channels: set) -> None:
    assert {c["channel"] for c in inbox(query)} == channels


@pytest.mark.parametrize("query", ["?sentiment=angry", "?topic=weather", "?past_sla=maybe", "?colour=red"])
def test_a_bad_new_filter_is_400(api, query: str) -> None:
    assert api("GET", f"/scrm/conversations{query}", headers=ADMIN)[0] == 400


def test_past_sla_lists_open_conversations_waiting_longer_than_the_sla(clock, three, inbox) -> None:
    assert inbox("?past_sla=true") == []

    clock.advance(timedelta(hours=5))

    assert {c["channel"] for c in inbox("?past_sla=true")} == {"whatsapp"}


def test_the_summary_counts_the_open_queue_and_knows_the_newest_message(clock, three, api) -> None:
    status, summary = api("GET", "/scrm/inbox/summary", headers=ADMIN)

    assert status == 200, summary
    assert (summary["open"], summary["unassigned"], summary["mine"], summary["past_sla"]) == (1, 1, 0, 0)
    assert summary["newest_inbound_at"]
    clock.advance(timedelta(hours=5))
    assert api("GET", "/scrm/inbox/summary", headers=ADMIN)[1]["past_sla"] == 1


def test_the_approved_templates_are_listed_with_their_parameters(api) -> None:
    status, body = api("GET", "/scrm/templates", headers=ADMIN)

    assert status == 200
    by_name = {t["name"]: t for t in body["items"]}
    assert by_name["sapa_tindak_lanjut"]["parameters"] == ["nama", "topik"]
    assert by_name["sapa_ulang_tahun"]["occasion"] == "birthday"  # the greetings' templates, from the same file


def test_outside_the_window_an_approved_template_goes_out_instead(deliver, inbox, api, runner, whatsapp) -> None:
    deliver(wa_text(COMPLAINT, at=clocks.now().timestamp() - 25 * 3600))
    [conversation] = inbox()
    path = f"/scrm/conversations/{conversation['id']}/reply"
    body = {"template": "sapa_tindak_lanjut", "parameters": ["Budi", "denda"]}
    headers = {**ADMIN, "Idempotency-Key": "tpl-1"}

    first = api("POST", path, body, headers)
    again = api("POST", path, body, headers)
    runner.drain("send_outbound")

    assert first[0] == 202, first[1]
    assert first[1]["message_id"] == again[1]["message_id"]
    [sent] = [m for m in whatsapp.messages() if m["type"] == "template"]
    assert (sent["template"], sent["params"], sent["to"]) == ("sapa_tindak_lanjut", ["Budi", "denda"], "6281234567890")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"template": "sapa_tindak_lanjut", "parameters": ["Budi"]}, "parameters"),
        ({"template": "no_such_template", "parameters": []}, "template"),
        ({"template": "sapa_tindak_lanjut", "parameters": "Budi"}, "parameters"),
    ],
)
def test_a_template_reply_is_checked_against_the_template(three, api, body: dict, field: str) -> None:
    status, answer = api("POST", f"/scrm/conversations/{three['whatsapp']['id']}/reply", body, ADMIN)

    assert status == 400, answer
    assert field in answer["fields"]


def test_assigning_to_someone_not_on_the_roster_is_400_naming_the_problem(three, api) -> None:
    status, body = api("POST", f"/scrm/conversations/{three['whatsapp']['id']}/assign", {"agent": "siapa"}, ADMIN)

    assert status == 400
    assert "no agent named 'siapa'" in body["fields"]["agent"]


def test_an_agent_takes_a_conversation_but_only_a_supervisor_takes_it_from_another(
    three, api, roster_agent, staff_token
) -> None:
    roster_agent("sari")
    agent = staff_token("agent")  # "agent-user", on the roster by their role
    path = f"/scrm/conversations/{three['whatsapp']['id']}/assign"

    assert api("POST", path, {"agent": "agent-user"}, agent)[1]["assignee"] == "agent-user"
    assert api("POST", path, {"agent": "sari"}, agent)[0] == 200  # the holder hands it over
    status, body = api("POST", path, {"agent": "agent-user"}, agent)
    assert status == 403, body
    assert api("POST", path, {"agent": "agent-user"}, ADMIN)[1]["assignee"] == "agent-user"


def test_a_resolved_conversation_reopens_into_the_open_queue(three, api, inbox) -> None:
    path = f"/scrm/conversations/{three['facebook']['id']}"

    assert api("POST", f"{path}/reopen", None, ADMIN)[0] == 409
    api("POST", f"{path}/resolve", None, ADMIN)
    status, body = api("POST", f"{path}/reopen", None, ADMIN)

    assert (status, body["status"]) == (200, "open")
    assert three["facebook"]["id"] in [c["id"] for c in inbox("?status=open")]


def test_marking_a_lead_puts_one_call_on_the_list(three, api) -> None:
    path = f"/scrm/conversations/{three['whatsapp']['id']}/lead"

    first = api("POST", path, None, ADMIN)
    again = api("POST", path, None, ADMIN)

    assert (first[0], first[1]["created"], again[1]["created"]) == (200, True, False)
    assert first[1]["conversation_id"] == three["whatsapp"]["id"]
    leads = api("GET", "/leads", None, ADMIN)[1]["items"]
    assert [lead["id"] for lead in leads].count(first[1]["id"]) == 1
