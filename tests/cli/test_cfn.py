"""The roles of the generated template: least privilege per function, judged by IAM's rules (tests/iam.py).

These read the merge template `make package` writes (no `chalice package`,
so they are fast); tests/cli/test_package.py checks the same claims on the
packaged `sam.json`, and tests/core/test_permissions.py that the grants are
exactly what the handlers use.
"""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.core import permissions, resources
from sapa_cli.cfn import consumed_queue, function_name, lambda_names, merge_template, role_id
from sapa_cli.stage_settings import StageSettings
from tests.aws_calls import ACCOUNT, PARTITION, REGION, Call, table_arn
from tests.iam import Policy, role_policies

STAGE = "prod"
SETTINGS = StageSettings(STAGE, "https://sapa.bank-contoh.co.id", "halo@bank-contoh.co.id")
ITEM_ACTIONS = ("GetItem", "BatchGetItem", "Query", "Scan", "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem")
CHANGING = ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem")


@pytest.fixture(scope="module")
def sapa_app() -> Any:
    import app

    return app.app


@pytest.fixture(scope="module")
def template(sapa_app: Any) -> dict[str, Any]:
    return merge_template(SETTINGS, sapa_app)


@pytest.fixture(scope="module")
def policies(template: dict[str, Any], sapa_app: Any) -> dict[str, Policy]:
    return role_policies(template, {name: role_id(name) for name in lambda_names(sapa_app)})


def _table(logical: str) -> str:
    return table_arn(resources.table_name(STAGE, logical))


def _queue(logical: str) -> str:
    return f"arn:{PARTITION}:sqs:{REGION}:{ACCOUNT}:{resources.queue_name(STAGE, logical)}"


def _statements(template: dict[str, Any], function: str) -> list[dict[str, Any]]:
    (policy,) = template["Resources"][role_id(function)]["Properties"]["Policies"]
    statements: list[dict[str, Any]] = policy["PolicyDocument"]["Statement"]
    return statements


def test_every_function_has_a_declaration_and_every_declaration_a_function(sapa_app: Any) -> None:
    assert set(permissions.FUNCTIONS) == set(lambda_names(sapa_app))
    assert permissions.problems() == []


def test_the_authorizer_may_read_api_key_and_staff_items_and_nothing_else(template: dict[str, Any], policies) -> None:
    authorizer = policies["staff_auth"]
    grants = [s for s in _statements(template, "staff_auth") if s["Effect"] == "Allow" and s["Sid"] != "Logs"]

    assert [s["Sid"] for s in grants] == ["Tracing", "TableAccessTokenStaff"]
    assert authorizer.allows(Call("staff_auth", "dynamodb:GetItem", _table("access"), ("token#abc",)))
    assert authorizer.allows(Call("staff_auth", "dynamodb:GetItem", _table("access"), ("staff#sari",)))
    assert not authorizer.allows(Call("staff_auth", "dynamodb:GetItem", _table("access"), ("session#abc",)))
    assert not authorizer.allows(Call("staff_auth", "dynamodb:Query", _table("access"), ("audit",)))
    for table in resources.TABLES:
        for action in ITEM_ACTIONS[2:]:
            assert not authorizer.allows(Call("staff_auth", f"dynamodb:{action}", _table(table.logical), ("token#a",)))
    assert not authorizer.allows(Call("staff_auth", "ssm:GetParameter", "*"))


def test_only_the_sender_may_call_ses_and_only_as_the_stage_sender(template: dict[str, Any], policies) -> None:
    with_ses = {
        function
        for function in policies
        for statement in _statements(template, function)
        if any(str(action).startswith("ses:") for action in statement["Action"])
    }
    identity = f"arn:{PARTITION}:ses:{REGION}:{ACCOUNT}:identity"

    assert with_ses == {"send_outbound"}
    assert policies["send_outbound"].allows(Call("send_outbound", "ses:SendEmail", f"{identity}/bank-contoh.co.id"))
    assert not policies["send_outbound"].allows(Call("send_outbound", "ses:SendEmail", f"{identity}/other.co.id"))


def test_only_the_api_which_serves_erasure_may_delete_customer_items(policies) -> None:
    deleters = {
        function
        for function, policy in policies.items()
        for action in ("DeleteItem", "BatchWriteItem")
        if policy.allows(Call(function, f"dynamodb:{action}", _table("customers"), ("cus_x",)))
    }

    assert deleters == {"api_handler"}
    assert not policies["api_handler"].allows(Call("api_handler", "dynamodb:BatchWriteItem", _table("customers"), ()))


def test_no_role_may_batch_write_anywhere(policies) -> None:
    for function, policy in policies.items():
        for table in resources.TABLES:
            assert not policy.allows(Call(function, "dynamodb:BatchWriteItem", _table(table.logical), ("x",)))


def test_no_role_may_update_or_delete_an_audit_entry_and_each_says_so_with_a_deny(
    template: dict[str, Any], policies
) -> None:
    for function, policy in policies.items():
        denies = [s for s in _statements(template, function) if s["Effect"] == "Deny"]
        assert [s["Sid"] for s in denies] == ["AuditLogIsAppendOnly"], function
        for action in ("UpdateItem", "DeleteItem", "BatchWriteItem"):
            assert not policy.allows(Call(function, f"dynamodb:{action}", _table("access"), ("audit",))), function
        # The Deny wins over any Allow added later, also for a batch that touches another partition too.
        assert any(
            s.effect == "Deny" and s.matches(Call(function, "dynamodb:DeleteItem", _table("access"), ("x", "audit")))
            for s in policy.statements
        )


def test_the_audit_writers_append_and_none_of_them_may_write_a_staff_token(policies) -> None:
    writers = {f for f, p in policies.items() if p.allows(Call(f, "dynamodb:PutItem", _table("access"), ("audit",)))}

    assert writers == {
        "api_handler",
        "send_outbound",
        "record_email_event",
        "start_scheduled_campaigns",
        "fan_out_audience",
        "analyse_inbound",  # routing audits the conversations it assigns
    }
    for function, policy in policies.items():
        for action in CHANGING:
            for partition in ("token#forged", "staff#someone"):
                assert not policy.allows(Call(function, f"dynamodb:{action}", _table("access"), (partition,)))
    assert policies["api_handler"].allows(Call("api_handler", "dynamodb:Query", _table("access"), ("audit",)))
    assert not policies["api_handler"].allows(Call("api_handler", "dynamodb:Scan", _table("access")))


def test_a_consumer_reads_only_its_own_queue(policies, sapa_app: Any) -> None:
    for function, policy in policies.items():
        own = consumed_queue(sapa_app, function)
        for queue in resources.QUEUES:
            receives = policy.allows(Call(function, "sqs:ReceiveMessage", _queue(queue.logical)))
            assert receives == (queue.logical == own), (function, queue.logical)


def test_each_role_reads_only_its_declared_secrets(policies) -> None:
    from chalicelib.core.options import SECRETS

    every = set(SECRETS)
    for function, policy in policies.items():
        readable = {
            name
            for name in every
            if policy.allows(
                Call(
                    function,
                    "ssm:GetParameter",
                    f"arn:{PARTITION}:ssm:{REGION}:{ACCOUNT}:parameter/sapa/{STAGE}/{name}",
                )
            )
        }
        assert readable == set(permissions.needs(function).secrets), function
    assert "SAPA_ADMIN_TOKEN" not in {s for need in permissions.FUNCTIONS.values() for s in need.secrets}


def test_each_function_has_a_fixed_name_writes_only_its_own_logs_and_gets_the_stage_settings(
    template: dict[str, Any], policies
) -> None:
    functions = {name: spec for name, spec in template["Resources"].items() if "FunctionName" in spec["Properties"]}

    assert len(functions) == len(policies)
    for function, policy in policies.items():
        own = f"arn:{PARTITION}:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/{function_name(STAGE, function)}:*"
        other = own.replace(function_name(STAGE, function), function_name(STAGE, "someone_else"))
        assert policy.allows(Call(function, "logs:PutLogEvents", own))
        assert not policy.allows(Call(function, "logs:PutLogEvents", other))
    for spec in functions.values():
        variables = spec["Properties"]["Environment"]["Variables"]
        assert variables["SAPA_PUBLIC_URL"] == SETTINGS.public_url
        assert variables["SAPA_EMAIL_SENDER"] == SETTINGS.email_sender


def test_the_statement_ids_of_each_role_are_unique(template: dict[str, Any], policies) -> None:
    for function in policies:
        sids = [s["Sid"] for s in _statements(template, function)]
        assert len(sids) == len(set(sids)), function


def test_api_gateways_own_answers_are_declared_in_sapas_error_shape(template: dict[str, Any]) -> None:
    import json

    from sapa_cli.gateway_responses import ANSWERS

    declared = {
        spec["Properties"]["ResponseType"]: spec["Properties"]
        for spec in template["Resources"].values()
        if spec.get("Type") == "AWS::ApiGateway::GatewayResponse"
    }

    assert set(declared) == {answer.response_type for answer in ANSWERS}
    unknown = declared["MISSING_AUTHENTICATION_TOKEN"]
    assert unknown["StatusCode"] == "404"
    assert unknown["RestApiId"] == {"Ref": "RestAPI"}
    assert json.loads(unknown["ResponseTemplates"]["application/json"])["error"] == "not_found"
    for properties in declared.values():
        body = json.loads(properties["ResponseTemplates"]["application/json"])
        assert set(body) == {"error", "message"}
        assert "$" not in properties["ResponseTemplates"]["application/json"]  # nothing from the request is echoed
