"""The local stack's data survives a restart of the local AWS endpoint, and only a whole snapshot is kept."""

from __future__ import annotations

import gzip
import json
import time
from decimal import Decimal
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from chalicelib.core.aws import AwsClients
from chalicelib.core.settings import Settings
from sapa_cli.local.state import LocalState, PeriodicSave, StateUnreadable
from tests.cli.conftest import LocalAws

CUSTOMER = {
    "id": "cus_abcdefghijklmnopqrstuvwxyz",
    "external_id": "STATE-1",
    "phone": "+6281298765432",
    "version": Decimal(3),
    "score": Decimal("0.125"),
    "photo": b"\x00\xffbinary",
    "tags": {"vip", "bpkb"},
    "attributes": {"vehicle_model": "Avanza", "contract": {"months": Decimal(36)}},
    "consents": ["whatsapp#greetings"],
}


def _state(local: LocalAws, directory: Path, **kwargs: object) -> LocalState:
    return LocalState(directory, local.settings, local.aws, **kwargs)  # type: ignore[arg-type]


def _queue_url(local: LocalAws, logical: str) -> str:
    return local.aws.sqs.get_queue_url(QueueName=local.settings.queue_name(logical))["QueueUrl"]


def _receive(local: LocalAws, logical: str) -> list[dict]:
    """Take every message off the queue (and delete it, so the next test starts with an empty queue)."""
    url = _queue_url(local, logical)
    messages = local.aws.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"])
    for message in messages.get("Messages", []):
        local.aws.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return messages.get("Messages", [])


def _offline_state(directory: Path) -> LocalState:
    """For snapshots refused before any AWS call."""
    return LocalState(directory, Settings.from_env(), AwsClients())


def test_tables_objects_and_queued_messages_come_back_after_the_endpoint_restarts(
    local_aws: LocalAws, tmp_path: Path
) -> None:
    local_aws.reset()
    local_aws.bootstrap()
    customers = local_aws.aws.table(local_aws.settings.table_name("customers"))
    customers.put_item(Item=CUSTOMER)
    campaigns = local_aws.aws.table(local_aws.settings.table_name("campaigns"))
    campaigns.put_item(Item={"pk": "campaign#cmp_1", "sk": "meta", "name": "Promo Servis Juni", "state": "draft"})
    s3 = local_aws.aws.client("s3")
    s3.put_object(Bucket=local_aws.settings.payload_bucket, Key="webhooks/1.json", Body=b'{"big": true}')
    attributes = {"kind": {"DataType": "String", "StringValue": "greeting"}}
    local_aws.aws.sqs.send_message(
        QueueUrl=_queue_url(local_aws, "outbound"), MessageBody='{"message_id": "msg_1"}', MessageAttributes=attributes
    )
    local_aws.aws.sqs.send_message(QueueUrl=_queue_url(local_aws, "outbound-dlq"), MessageBody='{"message_id": "m2"}')
    state = _state(local_aws, tmp_path / "state")

    saved = state.save(queues=True)
    local_aws.reset()
    local_aws.bootstrap()
    restored = state.restore()

    assert saved.as_dict() == {"items": 2, "objects": 1, "messages": 2}
    assert restored is not None
    assert restored.as_dict() == saved.as_dict()
    assert customers.get_item(Key={"id": CUSTOMER["id"]})["Item"] == {**CUSTOMER, "photo": CUSTOMER["photo"]}
    assert campaigns.get_item(Key={"pk": "campaign#cmp_1", "sk": "meta"})["Item"]["name"] == "Promo Servis Juni"
    body = s3.get_object(Bucket=local_aws.settings.payload_bucket, Key="webhooks/1.json")["Body"].read()
    assert body == b'{"big": true}'
    [outbound] = _receive(local_aws, "outbound")
    assert outbound["Body"] == '{"message_id": "msg_1"}'
    assert outbound["MessageAttributes"]["kind"]["StringValue"] == "greeting"
    assert [m["Body"] for m in _receive(local_aws, "outbound-dlq")] == ['{"message_id": "m2"}']


def test_a_periodic_save_leaves_the_queued_messages_to_their_consumers(local_aws: LocalAws, tmp_path: Path) -> None:
    local_aws.aws.sqs.send_message(QueueUrl=_queue_url(local_aws, "outbound"), MessageBody="{}")

    counts = _state(local_aws, tmp_path).save()

    assert counts.messages == 0
    assert len(_receive(local_aws, "outbound")) == 1


def test_a_save_that_fails_half_way_keeps_the_previous_snapshot_whole(local_aws: LocalAws, tmp_path: Path) -> None:
    local_aws.aws.table(local_aws.settings.table_name("customers")).put_item(Item={"id": "cus_halfway"})
    _state(local_aws, tmp_path).save()
    before = (tmp_path / "snapshot.jsonl.gz").read_bytes()
    broken = _state(local_aws, tmp_path, tables=("customers", "no-such-table"))

    with pytest.raises(ClientError):
        broken.save()

    assert (tmp_path / "snapshot.jsonl.gz").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["snapshot.jsonl.gz"]


def test_nothing_saved_means_nothing_to_restore(tmp_path: Path) -> None:
    assert _offline_state(tmp_path / "state").restore() is None


def test_fresh_forgets_the_saved_state(local_aws: LocalAws, tmp_path: Path) -> None:
    state = _state(local_aws, tmp_path / "state")
    state.save()

    state.clear()

    assert not state.exists()
    assert state.restore() is None


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"not gzip at all", "damaged"),
        (gzip.compress(b'{"format": "something-else"}\n'), "not a Sapa local state"),
        (gzip.compress(b'{"format": "sapa-local-state", "version": 99}\n'), "another version"),
        (
            gzip.compress(b'{"format": "sapa-local-state", "version": 1}\n{"table": "customers", "item": {"id"'),
            "damaged",
        ),
        (gzip.compress(b'{"format": "sapa-local-state", "version": 1}\n'), "incomplete"),
    ],
)
def test_a_snapshot_that_cannot_be_trusted_is_refused(tmp_path: Path, content: bytes, reason: str) -> None:
    (tmp_path / "snapshot.jsonl.gz").write_bytes(content)

    with pytest.raises(StateUnreadable, match=reason):
        _offline_state(tmp_path).restore()


def test_items_of_a_table_this_version_no_longer_has_are_skipped(local_aws: LocalAws, tmp_path: Path) -> None:
    lines = [
        {"format": "sapa-local-state", "version": 1},
        {"table": "retired", "item": {"pk": {"S": "x"}}},
        {"table": "customers", "item": {"id": {"S": "cus_skipping"}}},
        {"end": {"items": 2, "objects": 0, "messages": 0}},
    ]
    (tmp_path / "snapshot.jsonl.gz").write_bytes(gzip.compress("".join(json.dumps(x) + "\n" for x in lines).encode()))

    counts = _state(local_aws, tmp_path).restore()

    assert counts is not None
    assert (counts.items, counts.skipped) == (1, 1)


def test_the_periodic_save_writes_a_snapshot_while_the_stack_runs(local_aws: LocalAws, tmp_path: Path) -> None:
    state = _state(local_aws, tmp_path)
    saver = PeriodicSave(state, every=0.05, log=lambda _: None)

    saver.start()
    deadline = time.monotonic() + 10
    while not state.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    saver.stop()

    assert state.exists()
