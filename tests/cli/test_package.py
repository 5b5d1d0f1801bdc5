"""`make package` writes one deployable template and a bundle that has everything, or refuses a stage.

The packaging tests run `chalice package` and cfn-lint (slow); the refusals stop before either.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from chalicelib.core import resources
from sapa_cli import package as package_module
from sapa_cli.cfn import function_id, lambda_names, logical_id, merge_template, role_id
from sapa_cli.package import package
from sapa_cli.stage_settings import StageSettings, StageSettingsMissing
from tests.aws_calls import ACCOUNT, PARTITION, REGION, Call, table_arn
from tests.iam import role_policies

SETTINGS = StageSettings("dev", "https://sapa-dev.bank-contoh.co.id", "halo@dev.bank-contoh.co.id")
slow = pytest.mark.slow


@pytest.fixture(scope="module")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    out = tmp_path_factory.mktemp("dist") / "dev"
    template_path = package("dev", out, SETTINGS)
    return json.loads(template_path.read_text()), out


@slow
def test_cfn_lint_finds_no_error_in_the_template(packaged) -> None:
    _, out = packaged
    lint = Path(sys.executable).parent / "cfn-lint"

    result = subprocess.run([str(lint), str(out / "sam.json")], capture_output=True, text=True, check=False)

    errors = [line for line in result.stdout.splitlines() if line.startswith("E")]
    assert errors == [], result.stdout


@slow
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


@slow
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


@slow
def test_roles_allow_only_sapa_resources(packaged) -> None:
    template, _ = packaged
    roles = [v for v in template["Resources"].values() if v["Type"] == "AWS::IAM::Role"]

    assert roles
    for role in roles:
        statements = role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
        wildcard = [s["Sid"] for s in statements if s["Resource"] == "*"]
        assert wildcard == ["Tracing"]  # X-Ray has no resource-level permissions


@slow
def test_every_function_is_traced_by_lambda_itself_with_no_sdk_in_the_bundle(packaged) -> None:
    template, out = packaged
    found = template["Resources"]
    functions = {k: v["Properties"] for k, v in found.items() if v["Type"] == "AWS::Serverless::Function"}

    assert functions
    assert {k: p["Tracing"] for k, p in functions.items()} == dict.fromkeys(functions, "Active")
    # API Gateway's own segment would keep every caller's IP address (customers opening unsubscribe links).
    assert not found["RestAPI"]["Properties"].get("TracingEnabled")
    with zipfile.ZipFile(out / "deployment.zip") as bundle:
        packages = {name.split("/")[0] for name in bundle.namelist()}
    assert not {"aws_xray_sdk", "wrapt"} & packages


@slow
def test_the_bundle_contains_the_message_templates(packaged) -> None:
    _, out = packaged
    shipped = sorted(p.relative_to("templates").as_posix() for p in Path("templates").rglob("*") if p.is_file())

    with zipfile.ZipFile(out / "deployment.zip") as bundle:
        names = set(bundle.namelist())

    assert shipped, "templates/ is empty"
    assert {f"templates/{name}" for name in shipped} <= names
    assert "app.py" in names


@slow
def test_each_packaged_role_carries_exactly_its_generated_policy(packaged) -> None:
    import app

    template, _ = packaged
    expected = merge_template(SETTINGS, app.app)["Resources"]

    for name in lambda_names(app.app):
        role = template["Resources"][role_id(name)]
        assert role["Properties"]["Policies"] == expected[role_id(name)]["Properties"]["Policies"], name
        function = template["Resources"][function_id(name)]
        assert function["Properties"]["Role"] == {"Fn::GetAtt": [role_id(name), "Arn"]}
        assert function["Properties"]["FunctionName"] == f"sapa-dev-{name}"
        variables = function["Properties"]["Environment"]["Variables"]
        assert (variables["SAPA_PUBLIC_URL"], variables["SAPA_EMAIL_SENDER"]) == (
            SETTINGS.public_url,
            SETTINGS.email_sender,
        )


@slow
def test_the_packaged_roles_keep_tokens_audit_ses_and_customer_deletes_to_their_owners(packaged) -> None:
    import app

    template, _ = packaged
    policies = role_policies(template, {name: role_id(name) for name in lambda_names(app.app)})
    access, customers = table_arn("sapa-dev-access"), table_arn("sapa-dev-customers")
    ses = f"arn:{PARTITION}:ses:{REGION}:{ACCOUNT}:identity/dev.bank-contoh.co.id"

    def allowed(action: str, resource: str, *keys: str) -> set[str]:
        return {f for f, policy in policies.items() if policy.allows(Call(f, action, resource, keys))}

    assert allowed("dynamodb:GetItem", access, "token#abc") == {"staff_auth"}
    assert allowed("dynamodb:UpdateItem", access, "audit") == set()
    assert allowed("dynamodb:DeleteItem", access, "audit") == set()
    assert allowed("ses:SendEmail", ses) == {"send_outbound"}
    assert allowed("dynamodb:DeleteItem", customers, "cus_x") == {"api_handler"}
    assert allowed("dynamodb:BatchWriteItem", customers, "cus_x") == set()


# -- refusals --------------------------------------------------------------------------------------


@pytest.fixture
def bare_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SAPA_PUBLIC_URL", raising=False)
    monkeypatch.delenv("SAPA_EMAIL_SENDER", raising=False)


def test_packaging_a_stage_without_its_settings_stops_before_writing_anything(bare_environment, tmp_path) -> None:
    out = tmp_path / "prod"

    with pytest.raises(StageSettingsMissing) as refused:
        package("prod", out)

    assert not out.exists()
    assert "SAPA_PUBLIC_URL is not set" in str(refused.value)
    assert "SAPA_EMAIL_SENDER is not set" in str(refused.value)


def test_make_package_says_what_is_missing_and_exits_non_zero(bare_environment, capsys) -> None:
    code = package_module.main(["--stage", "prod", "--public-url", "https://sapa.example"])

    err = capsys.readouterr().err
    assert code == 2
    assert "stage 'prod' cannot be packaged" in err
    assert "SAPA_PUBLIC_URL is still the example value 'https://sapa.example'" in err
    assert "SAPA_EMAIL_SENDER is not set" in err
    assert "make package STAGE=prod SAPA_PUBLIC_URL=" in err


def test_the_command_line_refuses_from_a_real_shell(bare_environment) -> None:
    import os

    result = subprocess.run(
        [sys.executable, "-m", "sapa_cli.package", "--stage", "prod"],
        capture_output=True,
        text=True,
        check=False,
        cwd=package_module.ROOT,
        env={k: v for k, v in os.environ.items() if k not in ("SAPA_PUBLIC_URL", "SAPA_EMAIL_SENDER")},
    )

    assert result.returncode == 2
    assert "SAPA_PUBLIC_URL is not set" in result.stderr


def test_the_settings_the_package_uses_come_from_the_environment_make_passes(monkeypatch) -> None:
    monkeypatch.setenv("SAPA_PUBLIC_URL", "https://sapa.bank-contoh.co.id")
    monkeypatch.setenv("SAPA_EMAIL_SENDER", "halo@bank-contoh.co.id")

    settings = package_module.settings_for("prod")

    assert (settings.public_url, settings.email_sender) == ("https://sapa.bank-contoh.co.id", "halo@bank-contoh.co.id")


def _consumers() -> set[str]:
    import app

    return {source.name for source in app.app.event_sources}


@slow
def test_the_gateway_responses_attach_to_the_api_chalice_packages(packaged) -> None:
    template, _ = packaged
    found = template["Resources"]

    responses = [v for v in found.values() if v["Type"] == "AWS::ApiGateway::GatewayResponse"]

    assert responses
    for response in responses:
        api = response["Properties"]["RestApiId"]["Ref"]
        assert found[api]["Type"] == "AWS::Serverless::Api"
