"""`make package` writes one deployable template and a bundle that has everything."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from chalicelib.core import resources
from sapa_cli.cfn import logical_id
from sapa_cli.package import package

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    out = tmp_path_factory.mktemp("dist") / "dev"
    template_path = package("dev", out)
    return json.loads(template_path.read_text()), out


def test_cfn_lint_finds_no_error_in_the_template(packaged) -> None:
    _, out = packaged
    lint = Path(sys.executable).parent / "cfn-lint"

    result = subprocess.run([str(lint), str(out / "sam.json")], capture_output=True, text=True, check=False)

    errors = [line for line in result.stdout.splitlines() if line.startswith("E")]
    assert errors == [], result.stdout


def test_every_table_queue_dead_letter_queue_and_alarm_is_in_the_template(packaged) -> None:
    template, _ = packaged
    found = template["Resources"]

    for table in resources.TABLES:
        spec = found[logical_id("Table", table.logical)]
        assert spec["Type"] == "AWS::DynamoDB::Table"
        assert spec["Properties"]["TableName"] == f"sapa-dev-{table.logical}"
        assert spec["Properties"]["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
        assert spec["Properties"]["SSESpecification"]["SSEEnabled"] is True
        indexes = {i["IndexName"] for i in spec["Properties"].get("GlobalSecondaryIndexes", [])}
        assert indexes == {i.name for i in table.indexes}
    for queue in resources.QUEUES:
        main = found[logical_id("Queue", queue.logical)]["Properties"]
        assert main["VisibilityTimeout"] >= 6 * queue.consumer_timeout
        assert main["RedrivePolicy"]["deadLetterTargetArn"] == {
            "Fn::GetAtt": [logical_id("Queue", queue.dlq_logical), "Arn"]
        }
        assert found[logical_id("Alarm", queue.dlq_logical)]["Type"] == "AWS::CloudWatch::Alarm"


def test_every_sqs_consumer_reports_partial_batch_failures(packaged) -> None:
    template, _ = packaged
    functions = {k: v for k, v in template["Resources"].items() if v["Type"] == "AWS::Serverless::Function"}

    sqs_events = [
        event
        for function in functions.values()
        for event in function["Properties"].get("Events", {}).values()
        if event["Type"] == "SQS"
    ]

    assert len(sqs_events) == sum(1 for q in resources.QUEUES if q.consumer in _consumers())
    for event in sqs_events:
        assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        queue_name = event["Properties"]["Queue"]["Fn::Sub"].rsplit(":", 1)[1]
        assert queue_name in {f"sapa-dev-{q.logical}" for q in resources.QUEUES}


def test_roles_allow_only_sapa_resources(packaged) -> None:
    template, _ = packaged
    roles = [v for v in template["Resources"].values() if v["Type"] == "AWS::IAM::Role"]

    assert roles
    for role in roles:
        statements = role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
        wildcard = [s["Sid"] for s in statements if s["Resource"] == "*"]
        assert wildcard == ["Tracing"]  # X-Ray has no resource-level permissions


def test_the_bundle_contains_the_message_templates(packaged) -> None:
    _, out = packaged
    shipped = sorted(p.relative_to("templates").as_posix() for p in Path("templates").rglob("*") if p.is_file())

    with zipfile.ZipFile(out / "deployment.zip") as bundle:
        names = set(bundle.namelist())

    assert shipped, "templates/ is empty"
    assert {f"templates/{name}" for name in shipped} <= names
    assert "app.py" in names


def _consumers() -> set[str]:
    import app

    return {source.name for source in app.app.event_sources}
