"""The scrm table's items as the store builds them from typed writes, and dedupe markers read back."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from chalicelib.outbound.envelope import Envelope
from chalicelib.scrm import store
from chalicelib.scrm.actions import AddCallTask, Grant, SendReply, Suppress, Unsuppress, Withdraw
from chalicelib.scrm.meta import InboundEvent

NOW = datetime(2025, 6, 13, 8, 0, tzinfo=UTC)
AT = "2025-06-13T08:00:00.000000+00:00"
ACTIONS = (
    Withdraw("cus_1"),
    Suppress("+6281"),
    Grant("cus_1"),
    Unsuppress("+6281"),
    SendReply(Envelope("msg_1", "whatsapp", "service", "auto_reply", "ref", "Halo", recipient="+6281")),
    AddCallTask("ld_1", date(2025, 6, 13)),
)


class Table:
    """Just enough of a boto3 Table: puts and gets by key."""

    name = "scrm"

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], dict[str, Any]] = {}

    def put(self, item: dict[str, Any]) -> None:
        self.items[(item["pk"], item["sk"])] = item

    def get_item(self, Key: dict[str, str], ConsistentRead: bool) -> dict[str, Any]:
        found = self.items.get((Key["pk"], Key["sk"]))
        return {"Item": found} if found else {}

    def query(self, **kwargs: Any) -> dict[str, Any]:
        return {"Items": list(self.items.values())}  # one partition is all these tests store


def written(*writes: store.Write) -> list[dict[str, Any]]:
    return store.ScrmStore(Table()).transaction(writes).items


def test_a_marker_s_actions_are_read_back_as_they_were_planned() -> None:
    table = Table()
    scrm = store.ScrmStore(table)
    [put] = scrm.transaction([store.Marker("wa:msg:1", "cv_1", "event#1", NOW, ACTIONS)]).items
    table.put(put["Put"]["Item"])

    seen = scrm.seen("wa:msg:1")

    assert put["Put"]["ConditionExpression"] == "attribute_not_exists(pk)"
    assert seen == store.Seen("cv_1", "event#1", acted=False, actions=ACTIONS)


def test_markers_keep_the_stored_action_shape() -> None:
    [put] = written(store.Marker("wa:msg:1", "cv_1", "event#1", NOW, ACTIONS))
    item = put["Put"]["Item"]

    assert [a["do"] for a in item["actions"]] == [
        "withdraw",
        "suppress",
        "grant",
        "unsuppress",
        "dispatch",
        "call_task",
    ]
    assert item["actions"][-1] == {"do": "call_task", "lead_id": "ld_1", "day": "2025-06-13"}
    assert item["expires_at"] == int(NOW.timestamp()) + store.DEDUPE_TTL_SECONDS


def test_a_marker_with_nothing_to_do_is_acted_already_and_unknown_stored_actions_are_skipped() -> None:
    table = Table()
    table.put({"pk": "dedupe#k", "sk": "dedupe", "conversation_id": "cv_1", "actions": [{"do": "retired"}]})

    [put] = written(store.Marker("k2", "cv_1", "event#1", NOW, ()))

    assert put["Put"]["Item"]["acted"] is True
    assert "actions" not in put["Put"]["Item"]
    assert store.ScrmStore(table).seen("k") == store.Seen("cv_1", None, acted=False, actions=())


def test_an_event_keeps_only_the_details_worth_showing_and_its_owner() -> None:
    event = InboundEvent(
        "message", "whatsapp", "wa:msg:1", event_id="wamid.1", text="Halo", extra={"media_id": "m1", "contacts": [1]}
    )

    [put] = written(store.EventEntry("cv_1", "event#1", "customer#cus_1", event, False, AT, None, None))
    item = put["Put"]["Item"]

    assert (item["pk"], item["sk"], item["direction"], item["by"]) == ("conv#cv_1", "event#1", "in", "customer")
    assert item["extra"] == {"media_id": "m1"}
    assert (item["gsi2pk"], item["gsi2sk"]) == ("customer#cus_1", f"event#{AT}")
    assert "decision" not in item


def test_a_conversation_is_created_once_or_saved_over_the_version_read() -> None:
    item = {"pk": "conv#cv_1", "sk": "conversation", "version": 3}

    [new, known] = written(store.ConversationSave(item, None), store.ConversationSave(item, 2))

    assert new["Put"]["ConditionExpression"] == "attribute_not_exists(pk)"
    assert known["Put"]["ConditionExpression"] == "version = :v"
    assert known["Put"]["ExpressionAttributeValues"] == {":v": 2}


def test_metrics_land_on_the_day_s_partition() -> None:
    volume, _month, _frt_histogram, frt, _res_histogram, res = written(
        store.VolumeCount(date(2025, 6, 13), "seed", {"inbound": 1}, AT),
        store.ResponseSample(date(2025, 6, 13), "cv_1", 1.5, "bot", AT),
        store.ResolutionSample(date(2025, 6, 13), "cv_1", 60.0, AT),
    )

    assert volume["Update"]["Key"]["pk"] == "metrics#2025-06-13"
    assert volume["Update"]["Key"]["sk"].startswith("volume#")
    assert frt["Put"]["Item"] == {
        "pk": "metrics#2025-06-13",
        "sk": "frt#cv_1",
        "seconds": Decimal("1.5"),
        "by": "bot",
        "at": AT,
    }
    assert res["Put"]["Item"]["sk"] == "res#cv_1"
    assert written(store.VolumeCount(date(2025, 6, 13), "seed", {}, AT)) == []


def test_a_lead_leaves_out_the_other_topic() -> None:
    entry = store.LeadEntry(
        "ld_1", "cv_1", None, "instagram", "IG1", "Budi", None, ("promo", "other"), "id", "mau kredit", AT, "sender#x"
    )

    [put] = written(entry)

    assert put["Put"]["Item"]["topics"] == ["promo"]
    assert (put["Put"]["Item"]["gsi1pk"], put["Put"]["Item"]["gsi2pk"]) == ("leads", "sender#x")


def test_a_day_s_figures_are_read_back_by_kind() -> None:
    table = Table()
    table.put({"pk": "metrics#2025-06-13", "sk": "volume#3", "updated_at": AT, "inbound": Decimal(2)})
    table.put({"pk": "metrics#2025-06-13", "sk": "frt#cv_1", "seconds": Decimal("1.5"), "by": "bot", "at": AT})
    table.put({"pk": "metrics#2025-06-13", "sk": "res#cv_1", "seconds": Decimal(60), "at": AT})

    day = store.ScrmStore(table).metrics_day(date(2025, 6, 13))

    assert day == store.MetricsDay(shards=({"inbound": 2},), responses=(("bot", 1.5),), resolutions=(60.0,))
