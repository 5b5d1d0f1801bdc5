"""The local endpoint's SQS patch answers exactly as moto does, only faster."""

from __future__ import annotations

import json

from moto.sqs.models import Queue

from sapa_cli.local.aws_server import ORIGINAL_ATTRIBUTES, LazyQueueAttributes


def _queue(**attributes: str) -> Queue:
    return Queue("q", region="ap-southeast-3", account_id="123456789012", **attributes)


def test_lazy_attributes_have_the_same_keys_and_values_as_moto() -> None:
    queue = _queue(VisibilityTimeout="180", DelaySeconds="2")
    queue.policy = json.dumps({"Version": "2012-10-17", "Statement": []})
    lazy = LazyQueueAttributes(queue)

    assert dict(lazy) == ORIGINAL_ATTRIBUTES.fget(queue)
    assert lazy["VisibilityTimeout"] == 180
    assert "Policy" in lazy


def test_reading_one_attribute_does_not_walk_the_messages() -> None:
    queue = _queue()

    class Exploding(list):
        def __iter__(self):
            raise AssertionError("walked the queue")

    queue._messages = Exploding()
    lazy = LazyQueueAttributes(queue)

    assert lazy["VisibilityTimeout"] == 30
    assert lazy.get("ContentBasedDeduplication") is None
