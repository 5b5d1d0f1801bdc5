"""The local endpoint's SQS patch answers exactly as moto does, only faster."""

from __future__ import annotations

import json

import pytest
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


@pytest.mark.slow  # starts moto (`mock_aws`)
def test_the_transaction_patch_keeps_all_or_nothing_and_copies_no_table() -> None:
    import copy as copy_module

    import boto3
    from botocore.exceptions import ClientError
    from moto import mock_aws
    from moto.dynamodb import models as dynamodb_models

    from sapa_cli.local.aws_server import patch_moto_transactions

    unpatched = dynamodb_models.DynamoDBBackend.transact_write_items
    patch_moto_transactions()
    copied: list[str] = []
    original_deepcopy = copy_module.deepcopy

    def counting(value, memo=None):
        copied.append(type(value).__name__)
        return original_deepcopy(value, memo)

    with mock_aws():
        client = boto3.client("dynamodb", region_name="ap-southeast-3")
        client.create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        for n in range(50):
            client.put_item(TableName="t", Item={"pk": {"S": f"k{n}"}, "v": {"N": "1"}})
        copy_module.deepcopy = counting
        try:
            try:
                client.transact_write_items(
                    TransactItems=[
                        {"Put": {"TableName": "t", "Item": {"pk": {"S": "new"}, "v": {"N": "2"}}}},
                        {
                            "Update": {
                                "TableName": "t",
                                "Key": {"pk": {"S": "k1"}},
                                "UpdateExpression": "SET v = :two",
                                "ConditionExpression": "v = :nine",
                                "ExpressionAttributeValues": {":two": {"N": "2"}, ":nine": {"N": "9"}},
                            }
                        },
                    ]
                )
            except ClientError as error:
                cancelled = error.response["Error"]["Code"]
        finally:
            copy_module.deepcopy = original_deepcopy
        new = client.get_item(TableName="t", Key={"pk": {"S": "new"}}).get("Item")
        unchanged = client.get_item(TableName="t", Key={"pk": {"S": "k1"}})["Item"]["v"]["N"]
    # The rest of the suite runs on moto as it ships.
    dynamodb_models.DynamoDBBackend.transact_write_items = unpatched  # type: ignore[method-assign]
    dynamodb_models._sapa_transactions_patched = False  # type: ignore[attr-defined]

    assert cancelled == "TransactionCanceledException"
    assert new is None  # rolled back
    assert unchanged == "1"
    assert "Table" not in copied
