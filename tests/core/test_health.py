from __future__ import annotations

import json


def test_health_is_ok_when_every_table_and_queue_answers(client) -> None:
    response = client.http.get("/health")

    assert response.status_code == 200
    body = json.loads(response.body)
    assert body["status"] == "ok"
    assert body["stage"] == "local"
    assert body["version"]


def test_health_names_the_dependency_that_is_missing(client, aws, settings) -> None:
    aws.dynamodb.delete_table(TableName=settings.table_name("messages"))
    aws.sqs.delete_queue(QueueUrl=aws.sqs.get_queue_url(QueueName=settings.queue_name("outbound"))["QueueUrl"])

    response = client.http.get("/health")

    assert response.status_code == 503
    body = json.loads(response.body)
    assert body["status"] == "unavailable"
    assert body["failing"] == ["table:messages", "queue:outbound"]


def test_unknown_route_answers_json_not_a_stack_trace(client) -> None:
    response = client.http.get("/no/such/route")

    assert 400 <= response.status_code < 500
    assert "Traceback" not in response.body.decode()
